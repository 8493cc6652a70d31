"""Whole lifecycles, one per row of the contract's test-number table: schedule -> the schedule fires execute ->
the simulated Retell (real SDK, real HTTP) -> signed webhooks over HTTP -> retries -> a terminal state."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import httpx
import pytest

from standins.aws_stand_ins import DEFAULT_AGENT_ID, DEFAULT_FROM_NUMBER
from standins.retell_sim import Fault
from tests.support.lifecycle import Stand

MONDAY_0930_LA = "2026-11-23T17:30:00Z"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize(
    ("number", "status", "outcome", "reason", "dials"),
    [
        ("+14155550100", "completed", "answered", "agent_hangup", 1),
        ("+14155550101", "failed", "no_answer", "dial_no_answer", 4),
        ("+14155550102", "failed", "busy", "dial_busy", 4),
        ("+14155550103", "failed", "not_connected", "dial_failed", 1),
        ("+14155550104", "completed", "voicemail", "voicemail_reached", 1),
        ("+14155550105", "completed", "answered", "user_hangup", 1),
        ("+14155550106", "completed", "answered", "agent_hangup", 2),
        ("+14155550107", "completed", "answered", "agent_hangup", 1),
    ],
)
def test_every_test_number_ends_as_the_contract_says(
    stand: Stand, number: str, status: str, outcome: str, reason: str, dials: int
) -> None:
    call = stand.schedule(phoneNumber=number, scheduledFor=MONDAY_0930_LA)
    final = stand.run_to_the_end(call["callId"])
    assert (final["status"], final["outcome"], final["disconnectionReason"]) == (status, outcome, reason)
    assert stand.dials() == dials
    assert [attempt["number"] for attempt in final["attempts"]] == list(range(1, dials + 1))
    assert all(attempt["retellCallId"] in stand.sim.placed_call_ids() for attempt in final["attempts"])
    assert final["analysis"] is not None
    assert stand.aws.schedules() == []
    assert stand.gateway is not None


def test_a_recording_while_retell_is_slow_is_a_503_of_the_routes_own_before_the_functions_timeout(
    stand: Stand,
) -> None:
    """get-call answers only after 8 s: the route gives up within its budget (6 s, the API function has 15 s) and
    says so in the contract's envelope, rather than waiting (and, slower still, being cut off by Lambda)."""
    from shared.bootstrap.api import RETELL_QUESTIONS

    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    stand.run_to_the_end(call["callId"])
    stand.sim.inject(Fault("slow_get_call", delay_seconds=8.0))
    started = time.monotonic()
    answer = stand.api.get(f"/calls/{call['callId']}/recording")
    took = time.monotonic() - started
    assert answer.status == 503, answer.text
    assert answer.json["error"]["code"] == "retell_unavailable"
    assert took < RETELL_QUESTIONS.total_seconds + 1.5
    assert stand.api.get(f"/calls/{call['callId']}/recording").status == 302  # Retell answers again: it plays


def test_an_answered_call_keeps_transcript_and_analysis_and_plays_its_recording(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    final = stand.run_to_the_end(call["callId"])
    assert final["status"] == "completed"
    assert "Luna" in final["transcript"]
    assert final["hasRecording"] is True
    assert "recordingUrl" not in final  # Retell's links expire: never stored, never shown as permanent
    first, second = (stand.api.get(f"/calls/{call['callId']}/recording") for _ in range(2))
    assert (first.status, second.status) == (302, 302)
    link = first.headers["Location"]
    assert link.partition("?")[0].endswith(f"/recordings/{final['retellCallId']}.wav")
    assert "signature=" in link
    assert second.headers["Location"] != link  # asked afresh each time, as Retell signs each read anew
    assert httpx.get(link).status_code == 200  # and it plays
    assert final["analysis"] == {
        "summary": "The owner reports the pet is recovering well.",
        "sentiment": "Positive",
        "successful": True,
        "inVoicemail": False,
        # the agent's post-call analysis, what decides a follow-up (the owner raised no concern)
        "petCondition": "improving",
        "ownerConcerns": None,
        "callbackRequested": False,
        "doNotCallRequested": False,
    }
    (attempt,) = final["attempts"]
    assert attempt["startedAt"] is not None
    assert attempt["endedAt"] is not None
    assert attempt["analysis"]["successful"] is True
    assert final["retellCallId"] == attempt["retellCallId"]


def test_what_is_sent_to_retell(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA, vetName=None)
    stand.advance_and_fire()
    (request,) = stand.sim.requests()
    placed = stand.sim.call(request.call_id or "")
    assert placed["to_number"] == "+14155550100"
    assert placed["from_number"] == DEFAULT_FROM_NUMBER
    assert placed["agent_id"] == DEFAULT_AGENT_ID
    assert placed["metadata"]["call_id"] == call["callId"]
    assert placed["metadata"]["clinic_id"] == "clinic-a"
    assert placed["metadata"]["attempt"] == 1
    assert request.idempotency_key == placed["metadata"]["dial_key"]
    assert (request.idempotency_key or "").startswith(f"{call['callId']}-a1-")
    assert placed["retell_llm_dynamic_variables"] == {
        "pet_name": "Luna",
        "owner_name": "Sarah Johnson",
        "vet_name": "",
        "clinic_name": "Paws & Claws",
        "clinic_phone": "+14155559876",
        "discharge_summary_content": "Spay surgery; keep the cone on for 10 days.",
    }
    assert stand.call(call["callId"])["status"] == "initiated"


def test_the_clinics_agent_and_number_win_over_the_defaults(stand: Stand) -> None:
    settings = stand.api.get("/clinic/settings").data
    stand.api.put("/clinic/settings", {**settings, "agentId": "agent_clinic_a", "fromNumber": "+14155551234"})
    stand.schedule(scheduledFor=MONDAY_0930_LA)
    stand.advance_and_fire()
    placed = stand.sim.call(stand.sim.placed_call_ids()[0])
    assert (placed["agent_id"], placed["from_number"]) == ("agent_clinic_a", "+14155551234")


def test_no_answer_is_retried_after_5_10_and_20_minutes(stand: Stand) -> None:
    call = stand.schedule(phoneNumber="+14155550101", scheduledFor=MONDAY_0930_LA)
    gaps = []
    for expected_attempt in (1, 2, 3, 4):
        if expected_attempt == 4:  # a fourth dial to the number within 24 hours waits for the window, unused
            assert [fired.result["result"] for fired in stand.advance_and_fire()] == ["capped"]
            waiting = stand.call(call["callId"])
            first_dial = at(waiting["attempts"][0]["dialedAt"])
            assert (waiting["status"], waiting["attempt"]) == ("scheduled", 4)
            assert at(waiting["scheduledFor"]) == first_dial + timedelta(hours=24)
            assert stand.dials() == 3
        stand.advance_and_fire()
        assert stand.call(call["callId"])["attempt"] == expected_attempt
        stand.sim.flush()
        current = stand.call(call["callId"])
        ended = at(current["attempts"][-1]["endedAt"])
        if current["status"] == "scheduled":
            gaps.append((at(current["scheduledFor"]) - ended).total_seconds())
            assert current["nextRetryAt"] == current["scheduledFor"]
    assert gaps == [300, 600, 1200]
    assert stand.call(call["callId"])["status"] == "failed"


def test_a_retry_that_would_fall_after_closing_moves_to_the_next_morning(stand: Stand) -> None:
    call = stand.schedule(phoneNumber="+14155550101", scheduledFor="2026-11-24T00:58:00Z")  # Mon 16:58 in LA
    stand.advance_and_fire()
    stand.sim.flush()
    retry = stand.call(call["callId"])
    assert retry["status"] == "scheduled"
    assert retry["attempt"] == 2
    assert retry["scheduledFor"] == "2026-11-24T17:00:00Z"  # Tue 09:00 in LA


def test_a_rate_limited_dial_is_requeued_without_using_an_attempt(stand: Stand) -> None:
    call = stand.schedule(phoneNumber="+14155550107", scheduledFor=MONDAY_0930_LA)
    stand.advance_and_fire()
    requeued = stand.call(call["callId"])
    assert requeued["status"] == "scheduled"
    assert requeued["attempt"] == 1
    delay = at(requeued["scheduledFor"]) - at(MONDAY_0930_LA)
    assert timedelta(seconds=60) <= delay <= timedelta(seconds=105)
    assert [r.status_code for r in stand.sim.requests()] == [429]
    final = stand.run_to_the_end(call["callId"])
    assert final["status"] == "completed"
    assert final["attempt"] == 1
    assert [r.status_code for r in stand.sim.requests()] == [429, 201]


def test_the_schedule_input_is_what_execute_receives(stand: Stand) -> None:
    stand.schedule(scheduledFor=MONDAY_0930_LA)
    (fired,) = stand.advance_and_fire()
    assert fired.payload["scheduledTime"] == MONDAY_0930_LA
    assert fired.result["result"] == "dialed"
    assert json.dumps(fired.payload)
