"""Faults around dialing: duplicate and concurrent deliveries, crashes, timeouts and errors from Retell. Every test
counts the calls the simulated Retell placed: an owner is never rung twice for one attempt."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from standins.retell_sim import Fault
from tests.support.lifecycle import Stand

MONDAY_0930_LA = "2026-11-23T17:30:00Z"


def fire_first(stand: Stand) -> dict[str, Any]:
    """Fire the first due schedule and return the input it delivered (to deliver it again)."""
    (fired,) = stand.advance_and_fire()
    return fired.payload


def test_two_deliveries_at_once_dial_once(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    (schedule,) = stand.aws.schedules()
    stand.clock.now = stand.next_fire_time() or stand.clock.now
    import json

    payload = json.loads(schedule["Target"]["Input"].replace("<aws.scheduler.scheduled-time>", MONDAY_0930_LA))
    start = threading.Barrier(4)
    results: list[str] = []

    def deliver() -> None:
        start.wait()
        results.append(stand.invoke("execute", payload)["result"])

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["dialed", "skipped", "skipped", "skipped"]
    assert stand.dials() == 1
    assert stand.call(call["callId"])["status"] == "initiated"


def test_a_timeout_is_reconciled_by_listing_calls(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    stand.sim.inject(Fault("hang_after_create", delay_seconds=1.0))
    (fired,) = stand.advance_and_fire()
    assert fired.result["result"] == "dialed"
    assert stand.dials() == 1
    assert len(stand.sim.requests()) == 1  # found by list-calls, not sent again
    dialed = stand.call(call["callId"])
    assert dialed["retellCallId"] == stand.sim.placed_call_ids()[0]
    assert stand.run_to_the_end(call["callId"])["status"] == "completed"
    assert stand.dials() == 1


def test_a_slow_dial_not_yet_listed_is_never_resent_while_it_may_still_run(stand: Stand) -> None:
    """555-0109 answers its create after 15 s; the client gives up after 0.5 s (the stand's RETELL_TIMEOUT_SECONDS),
    and list-calls does not show the call yet. A resend now would reach Retell while the first request is still
    being answered, and Retell (like the simulated one) would place a second call."""
    call = stand.schedule(scheduledFor=MONDAY_0930_LA, phoneNumber="+14155550109")
    stand.sim.set_faults(list_lag_seconds=60)
    (fired,) = stand.advance_and_fire()
    assert fired.result["result"] == "unresolved"
    assert len(stand.sim.requests()) == 1  # not resent
    assert stand.dials() == 1
    stand.clock.now += timedelta(minutes=6)  # past DIAL_SETTLE: the reconciler asks Retell, which lists it now
    answer = stand.invoke("reconcile", {"source": "aws.events", "detail-type": "Scheduled Event"})
    assert dict(answer["repairs"]) == {"found": 1}
    assert stand.call(call["callId"])["retellCallId"] == stand.sim.placed_call_ids()[0]
    assert len(stand.sim.requests()) == 1
    assert stand.dials() == 1


@pytest.mark.parametrize(("fault", "result"), [("error_before_create", "unresolved"), ("error_after_create", "dialed")])
def test_a_5xx_is_looked_for_and_never_resent(stand: Stand, fault: str, result: str) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    stand.sim.inject(Fault(fault))  # type: ignore[arg-type]
    (fired,) = stand.advance_and_fire()
    assert fired.result["result"] == result  # placed before the 500: found by list-calls; else left unresolved
    assert len(stand.sim.requests()) == 1
    assert stand.dials() == (1 if result == "dialed" else 0)
    stand.clock.now += timedelta(minutes=6)  # the reconciler redials only what Retell never placed
    stand.invoke("reconcile", {"source": "aws.events", "detail-type": "Scheduled Event"})
    assert stand.run_to_the_end(call["callId"])["status"] == "completed"
    assert stand.dials() == 1


def test_an_outcome_that_stays_unknown_is_left_for_reconciliation(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    stand.sim.inject(Fault("hang_after_create", delay_seconds=1.0))
    stand.sim.inject(Fault("hide_from_list"))
    (fired,) = stand.advance_and_fire()
    assert fired.result["result"] == "unresolved"
    stuck = stand.call(call["callId"])
    assert stuck["status"] == "initiated"
    assert "awaiting reconciliation" in stuck["statusReason"]
    assert stand.invoke("execute", fired.payload)["result"] == "skipped"
    assert len(stand.sim.requests()) == 1  # never resent
    assert stand.dials() == 1  # Retell placed it once; we never dialed blindly


def test_a_refused_dial_fails_the_call_with_the_reason(stand: Stand) -> None:
    settings = stand.api.get("/clinic/settings").data
    stand.api.put("/clinic/settings", {**settings, "agentId": "not-an-agent"})
    call = stand.schedule(scheduledFor=MONDAY_0930_LA, metadata={"consultation_id": "c-1"})
    (fired,) = stand.advance_and_fire()
    assert fired.result["result"] == "failed"
    failed = stand.call(call["callId"])
    assert failed["status"] == "failed"
    assert failed["outcome"] == "dial_rejected"
    assert "422" in failed["statusReason"]
    assert stand.dials() == 0
    # the consultation is free again: a corrected call can be scheduled
    assert stand.api.post("/calls/schedule", {**_body(), "metadata": {"consultation_id": "c-1"}}).status == 201


def test_no_agent_anywhere_fails_without_dialing(stand: Stand) -> None:
    stand.rebuild(retell_default_agent_id=None)
    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    (fired,) = stand.advance_and_fire()
    assert fired.result["result"] == "failed"
    assert "agentId" in stand.call(call["callId"])["statusReason"]
    assert stand.sim.requests() == []


def test_an_invalid_event_is_reported_not_raised(stand: Stand) -> None:
    result = stand.invoke("execute", {"callId": "x", "attempt": "first"})
    assert result["result"] == "invalid"
    assert {d["field"] for d in result["error"]["details"]} >= {"attempt", "clinicId", "token", "scheduledTime"}


def _body() -> dict[str, Any]:
    return {
        "phoneNumber": "+14155550100",
        "petName": "Luna",
        "ownerName": "Sarah Johnson",
        "clinicName": "Paws & Claws",
        "clinicPhone": "+14155559876",
        "consent": {"given": True},
        "scheduledFor": "2026-11-24T17:30:00Z",
    }
