"""``CallEventService.apply`` on the in-memory fakes: Retell's ``call_started``, ``call_ended`` and
``call_analyzed`` for every class of outcome, and deliveries that repeat, come out of order, name an earlier attempt
or dial, or concern calls that are cancelled, unknown or not ours. Asserted on the call as stored, the schedules
placed for retries, and the dialing leases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.domain.lifecycle import MAX_REQUEUES
from shared.logic.call_events import LEASE_COVERS
from shared.models.call import Call, CallAnalysis, CallOutcome, CallStatus
from shared.models.results import EventEffect
from tests.support.graph import ADMIN, CLINIC, LEASE, OTHER_CLINIC, Graph, at, build_graph


def comparable(call: Call) -> dict[str, object]:
    """The call without the writer's bookkeeping (how many writes it took to get there)."""
    return call.model_dump(exclude={"version", "updated_at"})


def assert_unchanged(graph: Graph, before: Call) -> None:
    assert graph.stored(before.call_id) == before


class TestNotOurs:
    def test_events_we_do_not_act_on_are_ignored(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        for event in ("transcript_updated", "call_rejected"):
            webhook = graph.webhook(event, call, "agent_hangup")
            assert graph.events.apply(webhook).effect == EventEffect.IGNORED
        assert_unchanged(graph, call)

    @pytest.mark.parametrize(
        "metadata",
        [{}, {"call_id": "x", "clinic_id": CLINIC}, {"call_id": "", "clinic_id": CLINIC, "attempt": 1}],
        ids=["none", "no-attempt", "empty-id"],
    )
    def test_a_call_without_our_metadata_is_ignored(self, metadata: dict[str, object]) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        outcome = graph.events.apply(graph.webhook("call_ended", call, "dial_failed", metadata=metadata))
        assert (outcome.effect, outcome.call) == (EventEffect.IGNORED, None)
        assert_unchanged(graph, call)

    def test_an_unknown_call_and_another_clinics_metadata_reach_nothing(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        for metadata in (
            {"call_id": "nope", "clinic_id": CLINIC, "attempt": 1},
            {"call_id": call.call_id, "clinic_id": OTHER_CLINIC.clinic_id, "attempt": 1},
        ):
            outcome = graph.events.apply(graph.webhook("call_ended", call, "dial_failed", metadata=metadata))
            assert (outcome.effect, outcome.call) == (EventEffect.UNKNOWN_CALL, None)
        assert_unchanged(graph, call)
        assert set(graph.leases.held(CLINIC)) == {call.call_id}


class TestStarted:
    def test_call_started_connects_the_call_and_keeps_the_lease_its_dial_took(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        lease = graph.leases.held(CLINIC)
        assert lease == {call.call_id: int((graph.clock() + LEASE).timestamp())}
        graph.clock.advance(minutes=5)
        (outcome,) = graph.deliver(graph.webhook("call_started", call))
        assert outcome.effect == EventEffect.CONNECTED
        connected = graph.stored(call.call_id)
        assert outcome.call == connected
        assert connected.status == CallStatus.IN_PROGRESS
        assert connected.attempts[0].started_at == graph.clock() - timedelta(minutes=1)
        assert graph.leases.held(CLINIC) == lease  # not renewed: the dial's lease outlasts the ring and the call
        assert LEASE >= LEASE_COVERS

    def test_a_repeated_call_started_changes_nothing(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        started = graph.webhook("call_started", call)
        graph.deliver(started)
        connected = graph.stored(call.call_id)
        (again,) = graph.deliver(started)
        assert (again.effect, again.call) == (EventEffect.NO_CHANGE, connected)
        assert_unchanged(graph, connected)


class TestEnded:
    @pytest.mark.parametrize(
        ("reason", "effect", "status", "outcome"),
        [
            ("agent_hangup", EventEffect.COMPLETED, CallStatus.COMPLETED, CallOutcome.ANSWERED),
            ("user_hangup", EventEffect.COMPLETED, CallStatus.COMPLETED, CallOutcome.ANSWERED),
            ("voicemail_reached", EventEffect.COMPLETED, CallStatus.COMPLETED, CallOutcome.VOICEMAIL),
            ("dial_failed", EventEffect.FAILED, CallStatus.FAILED, CallOutcome.NOT_CONNECTED),
            ("invalid_destination", EventEffect.FAILED, CallStatus.FAILED, CallOutcome.NOT_CONNECTED),
            ("a_reason_retell_adds_later", EventEffect.FAILED, CallStatus.FAILED, CallOutcome.ERROR),
        ],
    )
    def test_a_final_end_settles_the_call_and_frees_its_lease_and_consultation(
        self, reason: str, effect: EventEffect, status: CallStatus, outcome: CallOutcome
    ) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.clock.advance(minutes=3)
        ended = graph.events.apply(graph.webhook("call_ended", call, reason))
        assert ended.effect == effect
        final = graph.stored(call.call_id)
        assert ended.call == final
        assert (final.status, final.outcome, final.disconnection_reason) == (status, outcome, reason)
        assert final.transcript == "Agent: Hello, this is about Luna."
        assert final.has_recording  # the link itself is never kept: it expires
        (entry,) = final.attempts
        assert (entry.outcome, entry.ended_at, entry.disconnection_reason) == (outcome, graph.clock(), reason)
        assert final.attempt == 1
        assert graph.leases.held(CLINIC) == {}
        assert graph.scheduler.schedules == {}
        assert graph.calls.consultation_is_free(CLINIC, "12345")
        if status == CallStatus.FAILED:
            assert final.status_reason == f"the call could not be completed ({reason})"

    @pytest.mark.parametrize(("reason", "outcome"), [("dial_no_answer", "no_answer"), ("dial_busy", "busy")])
    def test_no_answer_or_a_busy_line_schedules_the_next_attempt_after_the_backoff(
        self, reason: str, outcome: str
    ) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.clock.advance(seconds=40)
        ended_at = graph.clock()
        (effect, _) = [o.effect for o in graph.finish(call.call_id, reason)]
        assert effect == EventEffect.RETRY_SCHEDULED
        retry = graph.stored(call.call_id)
        assert (retry.status, retry.attempt, retry.outcome, retry.requeues) == (CallStatus.SCHEDULED, 2, outcome, 0)
        assert retry.scheduled_for == retry.next_retry_at == ended_at + timedelta(seconds=300)
        assert retry.status_reason == f"retry 1 of 3 after {outcome}"
        assert retry.schedule_token != call.schedule_token
        assert graph.schedules_of(call.call_id) == [graph.live_schedule_name(retry)]
        assert graph.scheduler.only().attempt == 2
        assert graph.leases.held(CLINIC) == {}
        assert graph.calls.locks == {(CLINIC, "12345"): call.call_id}  # still an active call

    def test_unanswered_attempts_wait_5_10_and_20_minutes_then_the_call_fails(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        gaps = []
        first_dial = None
        for attempt in (1, 2, 3, 4):
            if attempt == 4:  # a fourth dial within 24 hours of the first is over the cap: it waits for the window
                assert graph.fire(call.call_id).result == "capped"
                waiting = graph.stored(call.call_id)
                assert first_dial is not None
                assert (waiting.attempt, waiting.scheduled_for) == (4, first_dial + timedelta(hours=24))
                assert "dialed 3 times in the last 24 hours" in (waiting.status_reason or "")
            assert graph.fire(call.call_id).result == "dialed"
            first_dial = first_dial or graph.clock()
            assert graph.stored(call.call_id).attempt == attempt
            graph.clock.advance(seconds=30)
            graph.finish(call.call_id, "dial_no_answer")
            current = graph.stored(call.call_id)
            if current.status == CallStatus.SCHEDULED:
                gaps.append((current.scheduled_for - graph.clock()).total_seconds())
        assert gaps == [300, 600, 1200]
        final = graph.stored(call.call_id)
        assert (final.status, final.outcome) == (CallStatus.FAILED, CallOutcome.NO_ANSWER)
        assert final.status_reason == "no answer after 4 attempts"
        assert [entry.number for entry in final.attempts] == [1, 2, 3, 4]
        assert len(graph.dialer.dials) == 4
        assert graph.scheduler.schedules == {}
        assert graph.calls.consultation_is_free(CLINIC, "12345")

    def test_the_clinics_own_policy_sets_the_retries_and_their_backoff(self) -> None:
        graph = build_graph()
        graph.configure(retry={"maxRetries": 1, "backoffSeconds": [60]})
        call = graph.dialed_call()
        graph.finish(call.call_id, "dial_busy")
        retry = graph.stored(call.call_id)
        assert retry.scheduled_for == graph.clock() + timedelta(seconds=60)
        assert retry.status_reason == "retry 1 of 1 after busy"
        graph.fire(call.call_id)
        graph.finish(call.call_id, "dial_busy")
        assert graph.stored(call.call_id).status == CallStatus.FAILED

    def test_a_retry_that_would_fall_after_closing_moves_to_the_next_morning(self) -> None:
        graph = build_graph("2026-11-24T00:57:00Z")  # Monday 16:57 in Los Angeles
        call = graph.dialed_call()
        graph.finish(call.call_id, "dial_no_answer")
        retry = graph.stored(call.call_id)
        assert (retry.status, retry.attempt) == (CallStatus.SCHEDULED, 2)
        assert retry.scheduled_for == at("2026-11-24T17:00:00Z")  # Tuesday 09:00

    def test_voicemail_is_retried_when_the_clinic_asks_and_completes_on_the_last_attempt(self) -> None:
        graph = build_graph()
        graph.configure(retry={"maxRetries": 1, "backoffSeconds": [300], "retryOnVoicemail": True})
        call = graph.dialed_call()
        outcomes = graph.finish(call.call_id, "voicemail_reached")
        assert [o.effect for o in outcomes] == [
            EventEffect.CONNECTED,
            EventEffect.RETRY_SCHEDULED,
            EventEffect.ANALYZED,
        ]
        assert graph.stored(call.call_id).attempt == 2
        graph.fire(call.call_id)
        graph.finish(call.call_id, "voicemail_reached")
        final = graph.stored(call.call_id)
        assert (final.status, final.outcome) == (CallStatus.COMPLETED, CallOutcome.VOICEMAIL)  # a message was left
        assert final.status_reason == "voicemail after 2 attempts"

    def test_retells_concurrency_limit_requeues_the_same_attempt_shortly(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        (outcome,) = graph.deliver(graph.webhook("call_ended", call, "concurrency_limit_reached"))
        assert outcome.effect == EventEffect.REQUEUED
        requeued = graph.stored(call.call_id)
        assert (requeued.status, requeued.attempt, requeued.requeues) == (CallStatus.SCHEDULED, 1, 1)
        assert requeued.outcome == CallOutcome.CONCURRENCY_LIMITED
        assert requeued.next_retry_at is None
        assert requeued.status_reason == "Retell was at its concurrency limit; dialing again shortly"
        assert timedelta(seconds=60) <= requeued.scheduled_for - graph.clock() <= timedelta(seconds=105)
        assert graph.schedules_of(call.call_id) == [graph.live_schedule_name(requeued)]
        assert graph.leases.held(CLINIC) == {}

        assert graph.fire(call.call_id).result == "dialed"  # the same attempt, a new dial
        first, second = graph.dialer.dials
        assert first.idempotency_key != second.idempotency_key
        assert [entry.number for entry in graph.stored(call.call_id).attempts] == [1, 1]

    def test_retells_concurrency_limit_for_too_long_fails_the_call(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.calls.bump(call.call_id, requeues=MAX_REQUEUES)
        (outcome,) = graph.deliver(graph.webhook("call_ended", graph.stored(call.call_id), "no_concurrency_fallback"))
        assert outcome.effect == EventEffect.FAILED
        failed = graph.stored(call.call_id)
        assert failed.status_reason == "Retell had no free capacity for too long"
        assert graph.scheduler.schedules == {}
        assert graph.leases.held(CLINIC) == {}


class TestAnalyzed:
    def test_the_analysis_is_kept_on_the_call_and_its_attempt_once(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        started, ended, analyzed = graph.retell_events(call, "agent_hangup")
        graph.deliver(started, ended)
        (outcome,) = graph.deliver(analyzed)
        assert outcome.effect == EventEffect.ANALYZED
        final = graph.stored(call.call_id)
        expected = CallAnalysis(summary="ended: agent_hangup", successful=True)
        assert final.analysis == final.attempts[0].analysis == expected
        assert final.status == CallStatus.COMPLETED
        (again,) = graph.deliver(analyzed)
        assert again.effect == EventEffect.NO_CHANGE
        assert_unchanged(graph, final)

    @pytest.mark.parametrize(
        ("reason", "effect", "status"),
        [
            ("agent_hangup", EventEffect.COMPLETED, CallStatus.COMPLETED),
            ("dial_no_answer", EventEffect.RETRY_SCHEDULED, CallStatus.SCHEDULED),
            ("dial_failed", EventEffect.FAILED, CallStatus.FAILED),
        ],
    )
    def test_call_analyzed_alone_ends_the_attempt_when_call_ended_is_lost(
        self, reason: str, effect: EventEffect, status: CallStatus
    ) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        (outcome,) = graph.deliver(graph.webhook("call_analyzed", call, reason))
        assert outcome.effect == effect
        after = graph.stored(call.call_id)
        assert after.status == status
        assert after.attempts[0].disconnection_reason == reason
        assert after.attempts[0].analysis == CallAnalysis(summary=f"ended: {reason}", successful=True)
        assert graph.leases.held(CLINIC) == {}


class TestDeliveries:
    @pytest.mark.parametrize("reason", ["agent_hangup", "dial_no_answer", "concurrency_limit_reached"])
    def test_every_event_delivered_twice_changes_nothing_the_second_time(self, reason: str) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        for webhook in graph.retell_events(call, reason):
            graph.deliver(webhook)
            after_first = graph.stored(call.call_id)
            schedules = dict(graph.scheduler.schedules)
            (again,) = graph.deliver(webhook)
            assert again.effect == EventEffect.NO_CHANGE
            assert_unchanged(graph, after_first)
            assert graph.scheduler.schedules == schedules
        assert len(graph.scheduler.schedules) == (0 if reason == "agent_hangup" else 1)

    @pytest.mark.parametrize("reason", ["agent_hangup", "dial_no_answer", "voicemail_reached"])
    def test_events_in_any_order_end_in_the_same_state(self, reason: str) -> None:
        in_order, reversed_order = build_graph(), build_graph()
        finals = []
        for graph, order in ((in_order, 1), (reversed_order, -1)):
            call = graph.dialed_call()
            graph.clock.advance(minutes=2)
            graph.deliver(*graph.retell_events(call, reason)[::order])
            finals.append(graph.stored(call.call_id))
        assert comparable(finals[0]) == comparable(finals[1])
        assert finals[0].attempts[0].analysis is not None

    def test_a_late_call_started_after_the_end_changes_nothing(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        started, ended, analyzed = graph.retell_events(call, "agent_hangup")
        graph.deliver(ended, analyzed)
        final = graph.stored(call.call_id)
        assert graph.deliver(started)[0].effect == EventEffect.NO_CHANGE
        assert_unchanged(graph, final)
        assert graph.leases.held(CLINIC) == {}  # not renewed for a call that is over

    def test_late_events_of_an_earlier_attempt_do_not_touch_the_current_one(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        _, first_analyzed = first = graph.retell_events(call, "dial_no_answer")
        graph.deliver(first[0])  # attempt 1 ends unanswered; its analysis is late
        graph.fire(call.call_id)
        graph.finish(call.call_id, "agent_hangup")  # attempt 2 answered
        done = graph.stored(call.call_id)

        assert graph.deliver(first[0])[0].effect == EventEffect.NO_CHANGE
        assert graph.deliver(first_analyzed)[0].effect == EventEffect.ANALYZED
        after = graph.stored(call.call_id)
        assert (after.status, after.attempt, after.outcome) == (CallStatus.COMPLETED, 2, CallOutcome.ANSWERED)
        assert after.attempts[0].analysis == CallAnalysis(summary="ended: dial_no_answer", successful=True)
        assert after.analysis == done.analysis == CallAnalysis(summary="ended: agent_hangup", successful=True)
        assert len(graph.dialer.dials) == 2

    def test_an_event_for_an_earlier_dial_of_a_requeued_attempt_changes_nothing(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.deliver(graph.webhook("call_ended", call, "concurrency_limit_reached"))
        graph.fire(call.call_id)  # attempt 1 dialed again: call_retell_2
        redialed = graph.stored(call.call_id)
        assert redialed.retell_call_id == "call_retell_2"
        for event in ("call_started", "call_ended"):
            stray = graph.webhook(event, call, "agent_hangup", retell_call_id="call_retell_1")
            assert graph.events.apply(stray).effect == EventEffect.NO_CHANGE
        assert_unchanged(graph, redialed)
        assert set(graph.leases.held(CLINIC)) == {call.call_id}

    def test_events_for_a_cancelled_call_change_nothing(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        graph.service.cancel(ADMIN, call.call_id)
        cancelled = graph.stored(call.call_id)
        for event in ("call_started", "call_ended", "call_analyzed"):
            forged = graph.webhook(event, call, "agent_hangup", retell_call_id="call_forged")
            outcome = graph.events.apply(forged)
            assert (outcome.effect, outcome.call) == (EventEffect.NO_CHANGE, cancelled)
        assert_unchanged(graph, cancelled)


class TestLostRace:
    def test_an_end_decided_again_after_a_lost_race_keeps_one_schedule_for_the_retry(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        started, ended, _ = graph.retell_events(call, "voicemail_reached")
        graph.configure(retry={"retryOnVoicemail": True})
        graph.calls.before_write(lambda: graph.deliver(started))  # call_started lands between read and write
        (outcome,) = graph.deliver(ended)
        assert outcome.effect == EventEffect.RETRY_SCHEDULED
        retry = graph.stored(call.call_id)
        assert retry.attempts[0].started_at is not None  # the winner's write is built on, not lost
        assert graph.schedules_of(call.call_id) == [graph.live_schedule_name(retry)]
        assert (
            graph.scheduler.removed.count(graph.live_schedule_name(retry)) == 1
        )  # withdrawn after losing, placed again
        assert graph.leases.held(CLINIC) == {}
