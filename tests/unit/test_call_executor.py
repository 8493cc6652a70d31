"""``CallExecutor.execute`` on the in-memory fakes: every way an attempt can go when its schedule fires, asserted
on what it leaves behind (the call as stored, the schedules, the dials Retell received, the dialing leases held)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.domain.dialing import DialDefaults
from shared.domain.lifecycle import MAX_REQUEUES
from shared.models.call import CallOutcome, CallStatus
from shared.models.execution import ExecutionResult
from tests.support.graph import ADMIN, CLINIC, DEFAULTS, LEASE, OTHER_CLINIC, Graph, at, build_graph


def assert_requeued_about_a_minute_later(graph: Graph, call_id: str) -> None:
    call = graph.stored(call_id)
    delay = call.scheduled_for - graph.clock()
    assert timedelta(seconds=60) <= delay <= timedelta(seconds=105)
    assert graph.schedules_of(call_id) == [graph.live_schedule_name(call)]
    assert graph.scheduler.schedules[graph.live_schedule_name(call)].fire_at == call.scheduled_for


class TestSkipped:
    def test_an_unknown_call_or_another_clinics_call_is_skipped(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        request = graph.request_for(call)
        for stray in (
            request.model_copy(update={"call_id": "nope"}),
            request.model_copy(update={"clinic_id": OTHER_CLINIC.clinic_id}),
        ):
            execution = graph.executor.execute(stray)
            assert (execution.result, execution.call, execution.detail) == (
                ExecutionResult.SKIPPED,
                None,
                "no such call in this clinic",
            )
        assert graph.stored(call.call_id) == call
        assert graph.dialer.dials == []

    @pytest.mark.parametrize("stale", ["token", "attempt"])
    def test_a_replaced_schedule_is_skipped(self, stale: str) -> None:
        graph = build_graph()
        call = graph.schedule()
        request = graph.request_for(call)
        stray = request.model_copy(update={"token": "old"} if stale == "token" else {"attempt": 2})
        execution = graph.executor.execute(stray)
        assert execution.result == ExecutionResult.SKIPPED
        assert execution.detail.startswith("stale schedule")
        assert graph.stored(call.call_id) == call
        assert graph.schedules_of(call.call_id) == [graph.live_schedule_name(call)]  # the live one is untouched
        assert graph.dialer.dials == []

    def test_a_duplicate_delivery_finds_the_attempt_claimed_and_nobody_is_rung_twice(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        request = graph.request_for(call)
        graph.clock.advance(minutes=1)
        assert graph.executor.execute(request).result == ExecutionResult.DIALED
        again = graph.executor.execute(request)
        assert (again.result, again.detail) == (ExecutionResult.SKIPPED, "call is initiated")
        graph.finish(call.call_id, "agent_hangup")
        late = graph.executor.execute(request)
        assert (late.result, late.detail) == (ExecutionResult.SKIPPED, "call is completed")
        assert len(graph.dialer.dials) == 1

    def test_a_cancelled_call_is_never_dialed(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        request = graph.request_for(call)
        graph.service.cancel(ADMIN, call.call_id)
        execution = graph.executor.execute(request)
        assert (execution.result, execution.detail) == (ExecutionResult.SKIPPED, "call is cancelled")
        assert execution.call is not None
        assert execution.call.status == CallStatus.CANCELLED
        assert graph.dialer.dials == []
        assert graph.leases.held(CLINIC) == {}

    def test_a_delivery_well_before_the_call_is_due_is_refused_and_one_within_two_minutes_is_not(self) -> None:
        graph = build_graph()
        call = graph.schedule(scheduledFor="2026-11-23T18:30:00Z")
        request = graph.request_for(call)
        early = graph.executor.execute(request)
        assert early.result == ExecutionResult.SKIPPED
        assert early.detail == "not due until 2026-11-23T18:30:00+00:00"
        assert graph.stored(call.call_id) == call
        graph.clock.now = at("2026-11-23T18:28:30Z")
        assert graph.executor.execute(request).result == ExecutionResult.DIALED


class TestClosedAtFiringTime:
    def test_a_clinic_closed_today_moves_the_call_to_its_next_open_slot_without_dialing(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        graph.configure(closedDates=["2026-11-23"])
        execution = graph.fire(call.call_id)
        assert (execution.result, execution.detail) == (ExecutionResult.MOVED, "moved into business hours")
        moved = graph.stored(call.call_id)
        assert moved.status == CallStatus.SCHEDULED
        assert moved.scheduled_for == at("2026-11-24T17:00:00Z")  # Tuesday 09:00 in Los Angeles
        assert moved.rescheduled is True
        assert (moved.attempt, moved.requeues, moved.attempts) == (1, 0, [])  # the claim left no trace
        assert moved.schedule_token not in {"", call.schedule_token}
        assert moved.status_reason == "moved into business hours"
        assert graph.schedules_of(call.call_id) == [graph.live_schedule_name(moved)]
        assert graph.scheduler.only().fire_at == at("2026-11-24T17:00:00Z")
        assert graph.dialer.dials == []
        assert graph.leases.held(CLINIC) == {}
        assert graph.fire(call.call_id).result == ExecutionResult.DIALED  # Tuesday morning
        assert len(graph.dialer.dials) == 1

    def test_a_delivery_late_enough_to_fall_after_closing_is_moved_too(self) -> None:
        graph = build_graph()
        call = graph.schedule(scheduledFor="2026-11-24T00:55:00Z")  # Monday 16:55 in Los Angeles
        graph.clock.now = at("2026-11-24T01:30:00Z")  # delivered 35 minutes late: 17:30, closed
        execution = graph.executor.execute(graph.request_for(call))
        assert execution.result == ExecutionResult.MOVED
        assert graph.stored(call.call_id).scheduled_for == at("2026-11-24T17:00:00Z")
        assert graph.dialer.dials == []


class TestMisconfigured:
    @pytest.mark.parametrize(
        ("defaults", "missing"),
        [
            (DialDefaults(), "agentId or fromNumber"),
            (DialDefaults(from_number="+14155550000"), "agentId"),
            (DialDefaults(agent_id="agent_default"), "fromNumber"),
        ],
    )
    def test_no_agent_or_number_anywhere_fails_the_call_without_dialing(
        self, defaults: DialDefaults, missing: str
    ) -> None:
        graph = build_graph(defaults=defaults)
        call = graph.schedule()
        execution = graph.fire(call.call_id)
        assert execution.result == ExecutionResult.FAILED
        failed = graph.stored(call.call_id)
        assert failed.status == CallStatus.FAILED
        assert failed.outcome == CallOutcome.DIAL_REJECTED
        assert (
            failed.status_reason == f"cannot dial: the clinic's settings have no {missing}, and no default is deployed"
        )
        assert graph.dialer.dials == []
        assert graph.leases.held(CLINIC) == {}
        assert graph.scheduler.schedules == {}
        assert graph.calls.consultation_is_free(CLINIC, "12345")  # the consultation is free for a corrected call

    def test_the_clinics_own_agent_and_number_need_no_defaults_and_win_over_them(self) -> None:
        for defaults in (DialDefaults(), DEFAULTS):
            graph = build_graph(defaults=defaults)
            graph.configure(agentId="agent_clinic_a", fromNumber="+14155551234")
            graph.dialed_call()
            (spec,) = graph.dialer.dials
            assert (spec.agent_id, spec.from_number) == ("agent_clinic_a", "+14155551234")


class TestDialed:
    def test_a_due_attempt_is_claimed_dialed_once_and_holds_a_dialing_lease(self) -> None:
        graph = build_graph()
        call = graph.schedule(vetName=None)
        fired_schedule = graph.live_schedule_name(call)
        execution = graph.fire(call.call_id)
        assert (execution.result, execution.detail) == (ExecutionResult.DIALED, "call_retell_1")

        (spec,) = graph.dialer.dials
        key = f"{call.call_id}-a1-{call.schedule_token}"
        assert (spec.to_number, spec.from_number, spec.agent_id) == ("+14155550100", "+14155550000", "agent_default")
        assert spec.idempotency_key == key
        assert spec.metadata == {"call_id": call.call_id, "clinic_id": CLINIC, "attempt": 1, "dial_key": key}
        assert spec.dynamic_variables == {
            "pet_name": "Luna",
            "owner_name": "Sarah Johnson",
            "vet_name": "",
            "clinic_name": "Paws & Claws",
            "clinic_phone": "+14155559876",
            "discharge_summary_content": "Spay surgery; keep the cone on for 10 days.",
        }

        dialed = graph.stored(call.call_id)
        assert (dialed.status, dialed.retell_call_id, dialed.version) == (CallStatus.INITIATED, "call_retell_1", 3)
        (entry,) = dialed.attempts
        assert (entry.number, entry.retell_call_id) == (1, "call_retell_1")
        assert entry.claimed_at == entry.dialed_at == graph.clock()
        assert execution.call == dialed
        assert graph.scheduler.schedules == {}
        assert fired_schedule not in graph.scheduler.removed  # it deleted itself (ActionAfterCompletion=DELETE)
        expires = int((graph.clock() + LEASE).timestamp())
        assert graph.leases.held(CLINIC) == {call.call_id: expires}

    def test_webhooks_that_overtake_executes_own_write_are_kept(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        # Retell answers the dial, the call is over and its webhooks applied before execute records the dial
        graph.calls.before_write(
            lambda: graph.deliver(
                *graph.retell_events(graph.stored(call.call_id), "agent_hangup", retell_call_id="call_retell_1")
            ),
            skip=1,
        )
        execution = graph.fire(call.call_id)
        assert execution.result == ExecutionResult.DIALED
        done = graph.stored(call.call_id)
        assert (done.status, done.outcome, done.retell_call_id) == (CallStatus.COMPLETED, "answered", "call_retell_1")
        (entry,) = done.attempts
        assert entry.dialed_at == graph.clock()
        assert entry.analysis is not None
        assert graph.leases.held(CLINIC) == {}  # free once call_ended ended the attempt, not taken again


class TestNoDialingLease:
    def test_a_full_clinic_requeues_the_attempt_and_it_dials_once_a_lease_is_free(self) -> None:
        graph = build_graph()
        graph.configure(maxConcurrentCalls=1)
        first = graph.dialed_call(metadata={"consultation_id": "1"})
        second = graph.schedule(metadata={"consultation_id": "2"})
        execution = graph.fire(second.call_id)
        assert execution.result == ExecutionResult.REQUEUED
        assert execution.detail == "all dialing leases taken; dialing again shortly"
        waiting = graph.stored(second.call_id)
        assert (waiting.status, waiting.attempt, waiting.requeues, waiting.attempts) == (
            CallStatus.SCHEDULED,
            1,
            1,
            [],
        )
        assert waiting.rescheduled is False  # a re-queue is not a move into business hours
        assert waiting.status_reason == execution.detail
        assert_requeued_about_a_minute_later(graph, second.call_id)
        assert len(graph.dialer.dials) == 1
        assert set(graph.leases.held(CLINIC)) == {first.call_id}

        graph.finish(first.call_id, "agent_hangup")
        assert graph.fire(second.call_id).result == ExecutionResult.DIALED
        assert set(graph.leases.held(CLINIC)) == {second.call_id}
        assert len(graph.dialer.dials) == 2

    def test_a_lease_whose_webhooks_never_come_expires(self) -> None:
        graph = build_graph()
        graph.configure(maxConcurrentCalls=1)
        graph.dialed_call(metadata={"consultation_id": "1"})  # its webhooks are lost
        second = graph.schedule(metadata={"consultation_id": "2"})
        assert graph.fire(second.call_id).result == ExecutionResult.REQUEUED
        assert graph.fire(second.call_id).result == ExecutionResult.REQUEUED  # a minute or so later: still held
        graph.clock.advance(minutes=20)
        assert graph.fire(second.call_id).result == ExecutionResult.DIALED
        assert set(graph.leases.held(CLINIC)) == {second.call_id}

    def test_the_workspace_limit_holds_across_clinics(self) -> None:
        graph = build_graph(workspace_limit=1)
        graph.dialed_call()
        other = graph.schedule(OTHER_CLINIC)
        assert graph.fire(other.call_id).result == ExecutionResult.REQUEUED
        assert len(graph.dialer.dials) == 1

    def test_a_requeue_that_would_fall_after_closing_goes_to_the_next_morning(self) -> None:
        graph = build_graph("2026-11-24T00:57:00Z")  # Monday 16:57 in Los Angeles
        graph.configure(maxConcurrentCalls=1)
        graph.dialed_call(metadata={"consultation_id": "1"})
        second = graph.schedule(metadata={"consultation_id": "2"})
        assert graph.fire(second.call_id).result == ExecutionResult.REQUEUED
        assert graph.stored(second.call_id).scheduled_for == at("2026-11-24T17:00:00Z")

    def test_one_requeue_short_of_the_cap_still_requeues_and_at_the_cap_the_call_fails(self) -> None:
        graph = build_graph()
        graph.configure(maxConcurrentCalls=1)
        graph.dialed_call(metadata={"consultation_id": "1"})
        second = graph.schedule(metadata={"consultation_id": "2"})
        graph.calls.bump(second.call_id, requeues=MAX_REQUEUES - 1)
        assert graph.fire(second.call_id).result == ExecutionResult.REQUEUED
        assert graph.stored(second.call_id).requeues == MAX_REQUEUES

        execution = graph.fire(second.call_id)
        assert (execution.result, execution.detail) == (
            ExecutionResult.FAILED,
            "no dialing lease came free for too long",
        )
        failed = graph.stored(second.call_id)
        assert failed.status == CallStatus.FAILED
        assert graph.schedules_of(second.call_id) == []
        assert len(graph.dialer.dials) == 1


class TestRetellRefusals:
    def test_429_requeues_the_same_attempt_frees_the_lease_and_redials_under_a_new_key(self) -> None:
        graph = build_graph(dial_outcomes=[429])
        call = graph.schedule()
        execution = graph.fire(call.call_id)
        assert (execution.result, execution.detail) == (
            ExecutionResult.REQUEUED,
            "Retell is at capacity (429); dialing again shortly",
        )
        requeued = graph.stored(call.call_id)
        assert (requeued.status, requeued.attempt, requeued.requeues) == (CallStatus.SCHEDULED, 1, 1)
        assert_requeued_about_a_minute_later(graph, call.call_id)
        assert graph.leases.held(CLINIC) == {}
        assert graph.dialer.placed == {}

        assert graph.fire(call.call_id).result == ExecutionResult.DIALED
        refused, placed = graph.dialer.dials
        assert refused.idempotency_key != placed.idempotency_key  # a new dial: Retell must not replay the 429
        assert len(graph.dialer.placed) == 1
        assert graph.stored(call.call_id).attempt == 1  # a re-queue uses up no attempt

    def test_429_at_the_requeue_cap_fails_the_call_and_frees_the_lease(self) -> None:
        graph = build_graph(dial_outcomes=[429])
        call = graph.schedule()
        graph.calls.bump(call.call_id, requeues=MAX_REQUEUES)
        assert graph.fire(call.call_id).result == ExecutionResult.FAILED
        assert graph.stored(call.call_id).status == CallStatus.FAILED
        assert graph.leases.held(CLINIC) == {}
        assert graph.scheduler.schedules == {}

    def test_a_refused_dial_fails_the_call_and_frees_the_lease_and_the_consultation(self) -> None:
        graph = build_graph(dial_outcomes=[422])
        call = graph.schedule()
        execution = graph.fire(call.call_id)
        assert (execution.result, execution.detail) == (
            ExecutionResult.FAILED,
            "Retell refused the call: Retell answered 422: refused",
        )
        failed = graph.stored(call.call_id)
        assert (failed.status, failed.outcome) == (CallStatus.FAILED, CallOutcome.DIAL_REJECTED)
        assert failed.attempts[-1].outcome == CallOutcome.DIAL_REJECTED
        assert graph.leases.held(CLINIC) == {}
        assert graph.scheduler.schedules == {}
        assert len(graph.dialer.dials) == 1
        assert graph.dialer.placed == {}
        graph.schedule()  # the same consultation can be scheduled again


class TestUnknownOutcome:
    def test_a_call_placed_before_the_connection_dropped_is_found_and_not_dialed_again(self) -> None:
        graph = build_graph(dial_outcomes=["placed-then-unknown"])
        call = graph.schedule()
        execution = graph.fire(call.call_id)
        assert (execution.result, execution.detail) == (ExecutionResult.DIALED, "call_retell_1")
        assert len(graph.dialer.dials) == 1
        assert graph.stored(call.call_id).retell_call_id == "call_retell_1"
        assert set(graph.leases.held(CLINIC)) == {call.call_id}

    def test_a_call_not_found_is_never_resent_while_the_first_request_may_still_run(self) -> None:
        """Retell honours the idempotency key for retries of a finished request only: a resend after a timeout may
        reach it while the first is still being answered, and ring the owner twice. The reconciler redials later."""
        graph = build_graph(dial_outcomes=["unknown"])
        call = graph.schedule()
        assert graph.fire(call.call_id).result == ExecutionResult.UNRESOLVED
        assert len(graph.dialer.dials) == 1
        assert graph.dialer.placed == {}
        assert graph.stored(call.call_id).retell_call_id is None

    @pytest.mark.parametrize(
        ("outcomes", "find_unknown", "requests"),
        [(["unknown"], False, 1), (["unknown"], True, 1)],
        ids=["not-listed", "cannot-ask-retell"],
    )
    def test_an_outcome_that_stays_unknown_leaves_the_call_initiated_and_is_never_redialed(
        self, outcomes: list[str | int], find_unknown: bool, requests: int
    ) -> None:
        graph = build_graph(dial_outcomes=outcomes)
        graph.dialer.find_unknown = find_unknown
        call = graph.schedule()
        request = graph.request_for(call)
        execution = graph.fire(call.call_id)
        assert execution.result == ExecutionResult.UNRESOLVED
        stuck = graph.stored(call.call_id)
        assert execution.call == stuck
        assert stuck.status == CallStatus.INITIATED  # what a sweeper looks for: initiated without a Retell id
        assert stuck.retell_call_id is None
        assert stuck.attempts[-1].retell_call_id is None
        assert stuck.status_reason is not None
        assert stuck.status_reason.endswith("not redialed, awaiting reconciliation")
        assert set(graph.leases.held(CLINIC)) == {call.call_id}  # the call may be live: the lease stays
        assert graph.executor.execute(request).result == ExecutionResult.SKIPPED
        assert len(graph.dialer.dials) == requests
        assert graph.scheduler.schedules == {}

    @pytest.mark.parametrize("reason", ["agent_hangup", "dial_no_answer"])
    def test_an_unresolved_dial_does_not_overwrite_a_call_its_webhooks_moved_on(self, reason: str) -> None:
        graph = build_graph(dial_outcomes=["placed-then-unknown"])
        graph.dialer.find_unknown = True
        call = graph.schedule()
        # Retell did place the call; its webhooks arrive while execute is still trying to find out
        graph.calls.before_write(
            lambda: graph.deliver(
                *graph.retell_events(graph.stored(call.call_id), reason, retell_call_id="call_retell_1")
            ),
            skip=1,
        )
        assert graph.fire(call.call_id).result == ExecutionResult.DIALED  # no false "unresolved" alarm
        after = graph.stored(call.call_id)
        assert after.status in {CallStatus.COMPLETED, CallStatus.SCHEDULED}
        assert "awaiting reconciliation" not in (after.status_reason or "")


class TestCrash:
    def test_a_crash_after_the_claim_never_leads_to_a_dial(self) -> None:
        graph = build_graph()

        executor = graph.executor_dying_before_the_dial()
        call = graph.schedule()
        request = graph.request_for(call)
        graph.clock.advance(minutes=1)
        with pytest.raises(RuntimeError):
            executor.execute(request)
        assert graph.executor.execute(request).result == ExecutionResult.SKIPPED  # a redelivery finds it claimed
        stuck = graph.stored(call.call_id)
        assert stuck.status == CallStatus.INITIATED  # what the reconciler looks for: initiated, no Retell call id
        assert stuck.attempts[-1].retell_call_id is None
        assert stuck.attempts[-1].claimed_at is not None
        assert graph.dialer.dials == []


class TestLostWrites:
    def test_a_call_changed_between_claim_and_requeue_is_left_to_whoever_changed_it(self) -> None:
        graph = build_graph()
        graph.configure(maxConcurrentCalls=1)
        graph.dialed_call(metadata={"consultation_id": "1"})
        second = graph.schedule(metadata={"consultation_id": "2"})
        graph.calls.before_write(lambda: graph.calls.bump(second.call_id, status_reason="someone else"), skip=1)
        execution = graph.fire(second.call_id)
        assert (execution.result, execution.call, execution.detail) == (
            ExecutionResult.SKIPPED,
            None,
            "changed concurrently",
        )
        assert graph.stored(second.call_id).status_reason == "someone else"
        assert graph.schedules_of(second.call_id) == []  # the schedule the lost write placed was withdrawn

    def test_a_failure_is_not_written_over_a_call_that_moved_on(self) -> None:
        graph = build_graph(defaults=DialDefaults())
        call = graph.schedule()
        graph.calls.before_write(lambda: graph.calls.bump(call.call_id, status=CallStatus.IN_PROGRESS), skip=1)
        execution = graph.fire(call.call_id)
        assert (execution.result, execution.call) == (ExecutionResult.FAILED, None)
        assert graph.stored(call.call_id).status == CallStatus.IN_PROGRESS
