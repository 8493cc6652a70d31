"""When the Retell account itself cannot place calls, calls wait (they never fail), one alarm is raised, and dialing
resumes by itself once a probe dial is accepted."""

from __future__ import annotations

from shared.domain import lifecycle
from shared.models.call import CallOutcome, CallStatus
from shared.models.execution import ExecutionResult
from shared.models.results import EventEffect
from tests.support.graph import build_graph


def test_a_refused_account_pauses_the_call_without_using_an_attempt() -> None:
    graph = build_graph(dial_outcomes=[402])
    call = graph.schedule()
    execution = graph.fire(call.call_id)
    assert execution.result == ExecutionResult.ACCOUNT_BLOCKED
    waiting = graph.stored(call.call_id)
    assert (waiting.status, waiting.attempt, waiting.requeues) == (CallStatus.SCHEDULED, 1, 0)
    assert waiting.scheduled_for >= graph.clock() + lifecycle.ACCOUNT_WAIT
    assert "Retell account" in (waiting.status_reason or "")
    assert graph.breaker.current.open
    assert graph.breaker.trips == 1


def test_while_the_breaker_is_open_only_the_probe_dials_and_success_resumes_everyone() -> None:
    graph = build_graph(dial_outcomes=[401, 401])
    first, second, third = graph.schedule(), graph.schedule(metadata={}), graph.schedule(metadata={})
    assert graph.fire(first.call_id).result == ExecutionResult.ACCOUNT_BLOCKED
    assert graph.fire(second.call_id).result == ExecutionResult.PAUSED  # no dial: the probe is not due
    assert len(graph.dialer.dials) == 1
    # The probe time comes: the first call to fire probes, and the account still refuses.
    graph.clock.advance(minutes=6)
    assert graph.fire(third.call_id).result == ExecutionResult.ACCOUNT_BLOCKED
    assert graph.breaker.trips == 1  # one alarm for the outage, not one per call
    assert len(graph.dialer.dials) == 2
    # The account is fixed: the next probe is accepted and the breaker closes.
    graph.clock.advance(minutes=6)
    assert graph.fire(first.call_id).result == ExecutionResult.DIALED
    assert not graph.breaker.current.open
    assert graph.fire(second.call_id).result == ExecutionResult.DIALED
    assert all(graph.stored(c.call_id).attempt == 1 for c in (first, second))


def test_an_account_end_reason_pauses_the_attempt_and_trips_the_breaker() -> None:
    graph = build_graph()
    call = graph.dialed_call()
    outcomes = graph.finish(call.call_id, "no_valid_payment")
    assert outcomes[0].effect == EventEffect.PAUSED
    assert outcomes[0].account_tripped
    waiting = graph.stored(call.call_id)
    assert (waiting.status, waiting.attempt, waiting.outcome) == (
        CallStatus.SCHEDULED,
        1,
        CallOutcome.ACCOUNT_UNAVAILABLE,
    )
    assert graph.breaker.current.open
    assert len(graph.schedules_of(call.call_id)) == 1


def test_408_and_409_are_settled_like_any_unknown_outcome_and_place_one_call() -> None:
    graph = build_graph(dial_outcomes=["unknown"])  # the adapter maps 408/409 to an unknown outcome
    call = graph.schedule()
    assert graph.fire(call.call_id).result == ExecutionResult.UNRESOLVED  # not resent: left to the reconciler
    assert len(graph.dialer.dials) == 1
    assert graph.dialer.placed == {}


class TestVoicemailWithoutDetection:
    def test_the_analysis_turns_an_apparent_conversation_into_a_voicemail(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.deliver(*graph.retell_events(call, "agent_hangup", analysis={"in_voicemail": True}))
        final = graph.stored(call.call_id)
        assert (final.status, final.outcome) == (CallStatus.COMPLETED, CallOutcome.VOICEMAIL)
        assert final.attempts[-1].outcome == CallOutcome.VOICEMAIL

    def test_a_clinic_that_retries_voicemail_waits_for_the_analysis_then_retries(self) -> None:
        graph = build_graph()
        graph.configure(retry={"maxRetries": 3, "backoffSeconds": [300, 600, 1200], "retryOnVoicemail": True})
        call = graph.dialed_call()
        started, ended, analyzed = graph.retell_events(call, "agent_hangup", analysis={"in_voicemail": True})
        graph.deliver(started)
        (held,) = graph.deliver(ended)
        assert held.effect == EventEffect.AWAITING_ANALYSIS
        assert graph.stored(call.call_id).status == CallStatus.IN_PROGRESS
        assert graph.deliver(ended)[0].effect == EventEffect.NO_CHANGE  # a duplicate end
        (retried,) = graph.deliver(analyzed)
        assert retried.effect == EventEffect.RETRY_SCHEDULED
        assert graph.stored(call.call_id).attempt == 2

    def test_with_retry_on_voicemail_a_real_conversation_completes_on_its_analysis(self) -> None:
        graph = build_graph()
        graph.configure(retry={"maxRetries": 3, "backoffSeconds": [300, 600, 1200], "retryOnVoicemail": True})
        call = graph.dialed_call()
        graph.deliver(*graph.retell_events(call, "user_hangup", analysis={"in_voicemail": False}))
        final = graph.stored(call.call_id)
        assert (final.status, final.outcome, final.attempt) == (CallStatus.COMPLETED, CallOutcome.ANSWERED, 1)


def test_a_callback_request_is_visible_on_the_call() -> None:
    graph = build_graph()
    call = graph.dialed_call()
    graph.finish(call.call_id, "user_requested_callback")
    final = graph.stored(call.call_id)
    assert (final.status, final.outcome, final.disconnection_reason) == (
        CallStatus.COMPLETED,
        CallOutcome.CALLBACK_REQUESTED,
        "user_requested_callback",
    )
