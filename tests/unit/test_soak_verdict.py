"""``make soak``'s verdict on one call against the simulated Retell's log: lost, double-dialed or disagreeing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench.soak import Dial, Findings, judge


def _call(status: str, outcome: str | None, attempt: int = 1, **extra: Any) -> dict[str, Any]:
    return {"callId": "c1", "status": status, "outcome": outcome, "attempt": attempt, **extra}


def _verdict(call: dict[str, Any] | None, dials: list[Dial], endings: Mapping[str, str | None]) -> Findings:
    findings = Findings()
    judge("c1", call, dials, endings, 2, findings)
    return findings


def _dial(attempt: int, retell_id: str | None, status: int = 201) -> Dial:
    return Dial(str(attempt), status, retell_id, "2026-11-24T10:00:00+00:00")


def test_a_call_that_ended_as_retell_ended_it_is_fine() -> None:
    answered = _verdict(_call("completed", "answered", retellCallId="r1"), [_dial(1, "r1")], {"r1": "agent_hangup"})
    assert answered == Findings()
    retried = _verdict(
        _call("failed", "no_answer", attempt=2),
        [_dial(1, "r1"), _dial(2, "r2")],
        {"r1": "dial_no_answer", "r2": "dial_no_answer"},
    )
    assert retried == Findings()
    # a 429 places nothing, and an idempotent repeat answers with the same call: neither is a second dial
    requeued = _verdict(
        _call("completed", "answered"), [_dial(1, None, 429), _dial(1, "r1"), _dial(1, "r1")], {"r1": "user_hangup"}
    )
    assert requeued == Findings()


def test_two_calls_placed_for_one_attempt_are_a_double_dial() -> None:
    findings = _verdict(_call("completed", "answered"), [_dial(1, "r1"), _dial(1, "r2")], {"r1": "agent_hangup"})
    assert len(findings.double_dials) == 1


def test_a_missing_or_unfinished_call_is_lost() -> None:
    assert len(_verdict(None, [], {}).lost) == 1
    assert len(_verdict(_call("in_progress", None), [_dial(1, "r1")], {"r1": "agent_hangup"}).lost) == 1


def test_a_final_state_other_than_retells_ending_is_a_disagreement() -> None:
    cases = [
        (_call("completed", "answered"), [_dial(1, "r1")], {"r1": "voicemail_reached"}),  # wrong outcome
        (_call("failed", "no_answer"), [_dial(1, "r1")], {"r1": "dial_no_answer"}),  # gave up before the retry
        (_call("completed", "answered", attempt=2), [_dial(1, "r1"), _dial(2, "r2")], {"r1": "agent_hangup"}),
        (_call("completed", "answered"), [], {}),  # never dialed
    ]
    for call, dials, endings in cases:
        assert len(_verdict(call, dials, endings).disagreements) == 1, (call, dials, endings)
