"""The reconciler over in-memory fakes: each way a call can go astray is found through the open-work index and
repaired through the lifecycle, once, whatever else happens at the same time."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest

from shared.domain.reconciliation import GIVE_UP, Check, check_due
from shared.models.call import Call, CallAttempt, CallOutcome, CallStatus
from shared.models.execution import ExecutionResult
from shared.models.results import EventEffect, Repair
from shared.models.retell import RetellCall
from tests.support.graph import CLINIC, Graph, build_graph


def retell_state(graph: Graph, call: Call, reason: str, retell_call_id: str | None = None) -> RetellCall:
    """What get-call answers for the call's latest dial once it ended with ``reason`` and was analysed."""
    webhook = graph.webhook("call_analyzed", call, reason, retell_call_id=retell_call_id)
    return webhook.call.model_copy(update={"call_status": "ended"})


def crash_after_claim(graph: Graph, call: Call) -> None:
    executor = graph.executor_dying_before_the_dial()
    graph.scheduler.schedules.pop(graph.live_schedule_name(call))  # it fired, and deletes itself
    with contextlib.suppress(RuntimeError):
        executor.execute(graph.request_for(call))


class TestOpenWork:
    def test_only_calls_that_may_need_a_check_are_open_work(self) -> None:
        graph = build_graph()
        scheduled = graph.schedule()
        due = check_due(scheduled)
        assert due is not None
        assert due.check == Check.FIRE
        done = graph.dialed_call(metadata={"consultation_id": "777"})
        graph.finish(done.call_id, "agent_hangup")
        assert check_due(graph.stored(done.call_id)) is None  # ended and analysed: nothing left to find out
        graph.clock.advance(days=1)
        assert [ref.call_id for ref in graph.calls.due_for_check(graph.clock(), 100)] == [scheduled.call_id]

    def test_a_run_with_nothing_due_repairs_nothing(self) -> None:
        graph = build_graph()
        graph.dialed_call()
        report = graph.reconciler.run()
        assert (report.checked, report.repaired) == (0, 0)


class TestLostSchedule:
    def test_a_schedule_that_never_fired_is_fired_once(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        graph.scheduler.schedules.clear()  # deleted, dead-lettered, lost
        graph.clock.now = call.scheduled_for
        graph.clock.advance(minutes=4)
        report = graph.reconciler.run()
        assert report.repairs[Repair.FIRED] == 1
        (request,) = graph.invoker.requests
        assert (request.call_id, request.attempt, request.token) == (call.call_id, 1, call.schedule_token)
        assert graph.reconciler.run().checked == 0  # not again on the next run: it waits for the firing
        assert graph.executor.execute(request).result == ExecutionResult.DIALED
        assert len(graph.dialer.dials) == 1

    def test_a_dead_letter_fires_a_due_call_without_waiting(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        graph.clock.now = call.scheduled_for
        ref = graph.calls.due_for_check(graph.clock.now + GIVE_UP, 10)[0]
        assert graph.reconciler.repair(ref) == Repair.NOTHING  # not yet overdue
        assert graph.reconciler.repair(ref, fire_if_due=True) == Repair.FIRED


class TestClaimWithoutCallId:
    def test_a_dial_has_retell_sdks_whole_budget_and_the_reconciler_waits_it_out(self) -> None:
        """A dial given up before retell-sdk's 120 s may still be running at Retell; execute's timeout holds one
        whole dial and its look-up, and the reconciler asks about a claim only after execute can have ended."""
        from shared.adapters.retell_dialer import RetellConnection
        from shared.config import RetellConfig
        from shared.domain.dialing import CREATE_CALL_BUDGET
        from shared.domain.reconciliation import DIAL_SETTLE, EXECUTE_TIMEOUT

        assert timedelta(seconds=120) == CREATE_CALL_BUDGET
        assert RetellConfig(retell_secret_name="s").retell_timeout_seconds == CREATE_CALL_BUDGET.total_seconds()
        assert RetellConnection(api_key="k").timeout_seconds == CREATE_CALL_BUDGET.total_seconds()
        look_up = RetellConnection.questions.total_seconds
        dial = CREATE_CALL_BUDGET.total_seconds() + RetellConnection.connect_timeout_seconds
        assert dial + look_up + 30 <= EXECUTE_TIMEOUT.total_seconds()
        assert EXECUTE_TIMEOUT + timedelta(minutes=1) <= DIAL_SETTLE

    def test_a_dial_that_never_reached_retell_is_released_and_dialed_once(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        graph.clock.now = call.scheduled_for
        crash_after_claim(graph, call)
        assert graph.stored(call.call_id).status == CallStatus.INITIATED
        graph.clock.advance(minutes=2)
        assert graph.reconciler.run().checked == 0  # execute may still be running: not yet
        graph.clock.advance(minutes=4)
        assert graph.reconciler.run().repairs[Repair.RELEASED] == 1
        released = graph.stored(call.call_id)
        assert (released.status, released.attempt, released.requeues) == (CallStatus.SCHEDULED, 1, 0)
        assert released.schedule_token != call.schedule_token
        assert graph.fire(call.call_id).result == ExecutionResult.DIALED
        assert len(graph.dialer.dials) == 1

    def test_a_redial_of_a_dial_retell_does_not_list_reuses_its_key_within_the_hour(self) -> None:
        """list-calls may lag behind a call Retell did place: the redial under the same key is answered with that
        call, where a new key would ring the owner a second time."""
        graph = build_graph(dial_outcomes=["unknown"])
        call = graph.schedule()
        assert graph.fire(call.call_id).result == ExecutionResult.UNRESOLVED
        (first,) = graph.dialer.dials
        graph.clock.advance(minutes=6)
        assert graph.reconciler.run().repairs[Repair.RELEASED] == 1
        released = graph.stored(call.call_id)
        assert released.unplaced_dial_key == first.idempotency_key
        assert graph.fire(call.call_id).result == ExecutionResult.DIALED
        (_, redial) = graph.dialer.dials
        assert redial.idempotency_key == first.idempotency_key
        assert redial.metadata["dial_key"] == first.idempotency_key  # what the reconciler looks it up by
        dialed = graph.stored(call.call_id)
        assert (dialed.unplaced_dial_key, dialed.unplaced_dial_at) == (None, None)

    def test_the_key_is_kept_through_repeated_releases_and_its_hour_counts_from_the_first_request(self) -> None:
        graph = build_graph(dial_outcomes=["unknown", "unknown"])
        call = graph.schedule()
        graph.fire(call.call_id)
        claimed_at = graph.stored(call.call_id).attempts[-1].claimed_at
        graph.clock.advance(minutes=6)
        graph.reconciler.run()
        assert graph.fire(call.call_id).result == ExecutionResult.UNRESOLVED
        graph.clock.advance(minutes=6)
        assert graph.reconciler.run().repairs[Repair.RELEASED] == 1
        again = graph.stored(call.call_id)
        assert again.unplaced_dial_at == claimed_at
        assert len({spec.idempotency_key for spec in graph.dialer.dials}) == 1

    @pytest.mark.parametrize("listed_late", [True, False])
    def test_past_the_keys_window_the_old_dial_is_looked_up_once_more_then_a_new_key(self, listed_late: bool) -> None:
        graph = build_graph(dial_outcomes=["unknown"])
        call = graph.schedule()
        graph.fire(call.call_id)
        (first,) = graph.dialer.dials
        graph.clock.advance(minutes=6)
        assert graph.reconciler.run().repairs[Repair.RELEASED] == 1
        graph.clock.advance(minutes=50)  # the redial comes after KEY_REUSE_WINDOW (e.g. the clinic had closed)
        if listed_late:
            graph.dialer.placed[first.idempotency_key] = "call_retell_late"
        execution = graph.fire(call.call_id)
        assert execution.result == ExecutionResult.DIALED
        if listed_late:  # Retell did place it: adopted, not dialed again
            assert execution.detail == "call_retell_late"
            assert len(graph.dialer.dials) == 1
        else:
            (_, redial) = graph.dialer.dials
            assert redial.idempotency_key != first.idempotency_key
        assert graph.stored(call.call_id).unplaced_dial_key is None

    def test_past_the_window_a_look_up_retell_cannot_answer_waits_rather_than_dial(self) -> None:
        graph = build_graph(dial_outcomes=["unknown"])
        call = graph.schedule()
        graph.fire(call.call_id)
        graph.clock.advance(minutes=6)
        graph.reconciler.run()
        graph.clock.advance(minutes=50)
        graph.dialer.find_unknown = True
        assert graph.fire(call.call_id).result == ExecutionResult.REQUEUED
        assert len(graph.dialer.dials) == 1
        assert graph.stored(call.call_id).unplaced_dial_key is not None  # still to be looked up

    def test_a_key_retell_refused_outright_is_not_reused(self) -> None:
        """A 429 to the redial means Retell placed nothing under the key (it would have answered with the call):
        the next dial of the attempt takes a new key, as any re-queued dial does."""
        graph = build_graph(dial_outcomes=["unknown", 429])
        call = graph.schedule()
        graph.fire(call.call_id)
        graph.clock.advance(minutes=6)
        graph.reconciler.run()
        assert graph.fire(call.call_id).result == ExecutionResult.REQUEUED
        assert graph.stored(call.call_id).unplaced_dial_key is None
        assert graph.fire(call.call_id).result == ExecutionResult.DIALED
        first, refused, placed = graph.dialer.dials
        assert refused.idempotency_key == first.idempotency_key
        assert placed.idempotency_key != first.idempotency_key

    def test_a_key_left_from_an_earlier_attempt_is_never_reused(self) -> None:
        from shared.domain.dialing import dial_key

        graph = build_graph()
        call = graph.dialed_call()
        stale = call.model_copy(
            update={
                "attempt": 2,
                "attempts": [*call.attempts, CallAttempt(number=2, claimed_at=graph.clock.now)],
                "unplaced_dial_key": f"{call.call_id}-a1-old",
                "unplaced_dial_at": graph.clock.now,
            }
        )
        assert dial_key(stale) == f"{call.call_id}-a2-{call.schedule_token}"

    def test_a_dial_retell_did_place_is_found_attached_and_followed(self) -> None:
        graph = build_graph(dial_outcomes=["placed-then-unknown", "unknown"])
        graph.dialer.find_unknown = True
        call = graph.schedule()
        assert graph.fire(call.call_id).result == ExecutionResult.UNRESOLVED
        graph.dialer.find_unknown = False
        (retell_id,) = graph.dialer.placed.values()
        graph.clock.advance(minutes=6)
        stored = graph.stored(call.call_id)
        graph.dialer.retell_calls[retell_id] = retell_state(graph, stored, "user_hangup", retell_id)
        assert graph.reconciler.run().repairs[Repair.FOUND] == 1
        final = graph.stored(call.call_id)
        assert (final.status, final.outcome, final.retell_call_id) == (CallStatus.COMPLETED, "answered", retell_id)
        assert final.analysis is not None
        assert graph.leases.held(CLINIC) == {}
        assert len(graph.dialer.placed) == 1

    def test_when_retell_cannot_say_it_waits_and_after_the_bound_fails_loudly(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        graph.clock.now = call.scheduled_for
        crash_after_claim(graph, call)
        graph.dialer.unavailable = True
        graph.clock.advance(minutes=6)
        assert graph.reconciler.run().repairs[Repair.WAITING] == 1
        assert graph.reconciler.run().checked == 0  # asked a moment ago: waits before asking again
        graph.clock.advance(hours=2)
        assert graph.reconciler.run().repairs[Repair.LOST] == 1
        lost = graph.stored(call.call_id)
        assert (lost.status, lost.outcome) == (CallStatus.FAILED, CallOutcome.LOST)
        assert "Retell" in (lost.status_reason or "")
        assert graph.calls.consultation_is_free(CLINIC, "12345")
        assert graph.dialer.dials == []


class TestLostWebhooks:
    def test_a_call_whose_webhooks_never_came_is_read_and_completed(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.dialer.retell_calls[call.retell_call_id or ""] = retell_state(graph, call, "agent_hangup")
        graph.clock.advance(minutes=2)
        assert graph.reconciler.run().checked == 0  # a dial may ring this long
        graph.clock.advance(minutes=2)
        assert graph.reconciler.run().repairs[Repair.APPLIED] == 1
        final = graph.stored(call.call_id)
        assert (final.status, final.outcome) == (CallStatus.COMPLETED, CallOutcome.ANSWERED)
        assert final.analysis is not None
        assert final.transcript
        assert graph.leases.held(CLINIC) == {}
        assert check_due(final) is None
        # The webhooks arriving late change nothing more.
        effects = [outcome.effect for outcome in graph.deliver(*graph.retell_events(final, "agent_hangup"))]
        assert set(effects) == {EventEffect.NO_CHANGE}

    def test_an_unanswered_call_whose_webhooks_never_came_is_retried_once(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.dialer.retell_calls[call.retell_call_id or ""] = retell_state(graph, call, "dial_no_answer")
        graph.clock.advance(minutes=11)
        graph.reconciler.run()
        retried = graph.stored(call.call_id)
        assert (retried.status, retried.attempt) == (CallStatus.SCHEDULED, 2)
        graph.clock.advance(minutes=1)
        graph.reconciler.run()  # a second run (or a second reconciler) repeats nothing
        assert graph.stored(call.call_id).attempt == 2
        assert len(graph.schedules_of(call.call_id)) == 1

    def test_a_live_call_is_left_alone_and_asked_about_again_later(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.deliver(graph.webhook("call_started", call))
        live = graph.webhook("call_started", call).call.model_copy(update={"call_status": "ongoing"})
        graph.dialer.retell_calls[call.retell_call_id or ""] = live
        graph.clock.advance(minutes=16)
        assert graph.reconciler.run().repairs[Repair.WAITING] == 1
        assert graph.stored(call.call_id).status == CallStatus.IN_PROGRESS
        graph.clock.advance(minutes=1)
        assert graph.reconciler.run().checked == 0

    def test_an_analysis_that_never_came_is_fetched(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.deliver(
            graph.webhook("call_started", call), graph.webhook("call_ended", graph.stored(call.call_id), "user_hangup")
        )
        ended = graph.stored(call.call_id)
        assert ended.status == CallStatus.COMPLETED
        assert ended.analysis is None
        graph.dialer.retell_calls[call.retell_call_id or ""] = retell_state(graph, ended, "user_hangup")
        graph.clock.advance(minutes=11)
        assert graph.reconciler.run().repairs[Repair.APPLIED] == 1
        assert graph.stored(call.call_id).analysis is not None

    def test_a_webhook_and_the_reconciler_at_once_apply_the_end_once(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.dialer.retell_calls[call.retell_call_id or ""] = retell_state(graph, call, "dial_busy")
        graph.clock.advance(minutes=11)
        # The webhook lands between the reconciler's read and its write.
        graph.calls.before_write(lambda: graph.deliver(*graph.retell_events(call, "dial_busy")))
        graph.reconciler.run()
        after = graph.stored(call.call_id)
        assert (after.status, after.attempt) == (CallStatus.SCHEDULED, 2)
        assert [entry.number for entry in after.attempts] == [1]
        assert len(graph.schedules_of(call.call_id)) == 1
