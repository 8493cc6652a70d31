"""Retell's real failure modes, over real HTTP with the simulated Retell's contract numbers (section 5) and its
account-wide switches: each call ends in the state that matches the phone, with exactly the dials intended."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from standins.retell_sim import scenarios
from tests.support.lifecycle import TERMINAL, Stand

MONDAY_0930_LA = "2026-11-23T17:30:00Z"


def settle(stand: Stand, call_id: str, rounds: int = 40) -> dict[str, Any]:
    """Fire what is due, deliver what Retell sends and run the reconciler each simulated minute, until final."""
    first = stand.next_fire_time()
    if first is not None:
        stand.clock.now = max(stand.clock.now, first)
    for _ in range(rounds):
        stand.fire_due()
        stand.sim.flush()
        call = stand.call(call_id)
        if call["status"] in TERMINAL:
            return call
        stand.clock.now += timedelta(minutes=1)
        stand.invoke("reconcile", {"source": "test"})
    raise AssertionError(f"call {call_id} did not settle: {stand.call(call_id)}")


def dials_to(stand: Stand, number: str) -> int:
    return len(stand.sim.calls_to(number))


def test_webhooks_never_delivered_the_reconciler_completes_the_call(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA, phoneNumber=scenarios.WEBHOOKS_LOST)
    final = settle(stand, call["callId"])
    assert (final["status"], final["outcome"]) == ("completed", "answered")
    assert final["analysis"]["summary"]
    assert dials_to(stand, scenarios.WEBHOOKS_LOST) == 1


def test_a_408_is_resent_with_the_same_key_and_placed_once(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA, phoneNumber=scenarios.TIMES_OUT_ONCE)
    final = settle(stand, call["callId"])
    assert final["status"] == "completed"
    statuses = [r.status_code for r in stand.sim.requests() if r.to_number == scenarios.TIMES_OUT_ONCE]
    assert statuses == [408, 201]
    assert dials_to(stand, scenarios.TIMES_OUT_ONCE) == 1
    assert final["attempt"] == 1


def test_a_voicemail_without_detection_is_recorded_as_voicemail(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA, phoneNumber=scenarios.VOICEMAIL_UNDETECTED)
    final = settle(stand, call["callId"])
    assert (final["status"], final["outcome"], final["disconnectionReason"]) == (
        "completed",
        "voicemail",
        "agent_hangup",
    )
    assert final["analysis"]["inVoicemail"] is True


def test_a_voicemail_without_detection_is_retried_when_the_clinic_asks(stand: Stand) -> None:
    settings = stand.api.get("/clinic/settings").data
    retry = {"maxRetries": 1, "backoffSeconds": [300], "retryOnVoicemail": True}
    assert stand.api.put("/clinic/settings", {**settings, "retry": retry}).status == 200
    call = stand.schedule(scheduledFor=MONDAY_0930_LA, phoneNumber=scenarios.VOICEMAIL_UNDETECTED)
    final = settle(stand, call["callId"])
    assert (final["status"], final["outcome"], final["attempt"]) == ("completed", "voicemail", 2)
    assert dials_to(stand, scenarios.VOICEMAIL_UNDETECTED) == 2


def test_a_callback_request_is_visible_on_the_call(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA, phoneNumber=scenarios.CALLBACK_REQUESTED)
    final = settle(stand, call["callId"])
    assert (final["status"], final["outcome"], final["disconnectionReason"]) == (
        "completed",
        "callback_requested",
        "user_requested_callback",
    )


def test_a_carrier_outage_is_retried_not_failed(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA, phoneNumber=scenarios.PROVIDER_UNAVAILABLE_ONCE)
    final = settle(stand, call["callId"])
    assert (final["status"], final["outcome"], final["attempt"]) == ("completed", "answered", 2)
    assert dials_to(stand, scenarios.PROVIDER_UNAVAILABLE_ONCE) == 2


def test_an_account_end_reason_pauses_the_attempt_and_dialing_resumes(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA, phoneNumber=scenarios.NO_PAYMENT_ONCE)
    final = settle(stand, call["callId"])
    assert (final["status"], final["outcome"]) == ("completed", "answered")
    assert final["attempt"] == 1  # the billing failure used up nothing
    assert [entry["disconnectionReason"] for entry in final["attempts"]] == ["no_valid_payment", "agent_hangup"]
    assert dials_to(stand, scenarios.NO_PAYMENT_ONCE) == 2


def test_a_lapsed_account_makes_calls_wait_not_fail_and_they_go_out_once_it_pays(stand: Stand) -> None:
    stand.sim.set_faults(create_phone_call="402")
    calls = [stand.schedule(scheduledFor=MONDAY_0930_LA, phoneNumber=f"+1212555{n:04d}") for n in (100, 105)]
    stand.advance_and_fire()
    for _ in range(15):  # a quarter of an hour of outage: probes fail, calls wait
        stand.clock.now += timedelta(minutes=1)
        stand.fire_due()
    waiting = [stand.call(call["callId"]) for call in calls]
    assert {(c["status"], c["attempt"]) for c in waiting} == {("scheduled", 1)}
    refused = [r for r in stand.sim.requests() if r.status_code == 402]
    assert 2 <= len(refused) <= 5  # the first dials, then one probe every five minutes, not every call every time
    assert stand.sim.placed_call_ids() == []
    stand.sim.set_faults(create_phone_call="ok")
    finals = [settle(stand, call["callId"]) for call in calls]
    assert {(c["status"], c["outcome"], c["attempt"]) for c in finals} == {("completed", "answered", 1)}
    assert len(stand.sim.placed_call_ids()) == 2


def test_webhooks_dropped_in_an_outage_are_recovered_by_asking_retell(stand: Stand) -> None:
    stand.sim.set_faults(webhooks="drop")
    call = stand.schedule(scheduledFor=MONDAY_0930_LA, phoneNumber="+13105550101")  # no answer, any area code
    stand.advance_and_fire()
    stand.sim.flush()
    assert stand.sim.dropped()
    stand.sim.set_faults(webhooks="deliver")
    stand.clock.now += timedelta(minutes=4)
    stand.invoke("reconcile", {"source": "test"})
    retried = stand.call(call["callId"])
    assert (retried["status"], retried["attempt"], retried["outcome"]) == ("scheduled", 2, "no_answer")
