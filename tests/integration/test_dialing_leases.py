"""Concurrency: at most ``maxConcurrentCalls`` of a clinic (and the Retell workspace's limit overall) in flight.
A burst that comes due together is spread out, not failed; a lease whose webhook never comes expires."""

from __future__ import annotations

from tests.conftest import TABLE
from tests.support.graph import SPAY_FOLLOW_UP
from tests.support.lifecycle import Stand

MONDAY_0930_LA = "2026-11-23T17:30:00Z"


def limit_clinic(stand: Stand, calls: int, clinic: str = "clinic-a") -> None:
    api = stand.api.as_(clinic)
    settings = api.get("/clinic/settings").data
    assert api.put("/clinic/settings", {**settings, "maxConcurrentCalls": calls}).status == 200


def in_flight(stand: Stand, call_ids: list[str]) -> int:
    return sum(stand.call(call_id)["status"] in {"initiated", "in_progress"} for call_id in call_ids)


def test_a_burst_is_spread_out_and_every_call_is_made_once(stand: Stand) -> None:
    limit_clinic(stand, 2)
    calls = [stand.schedule(scheduledFor=MONDAY_0930_LA)["callId"] for _ in range(5)]
    results = [fired.result["result"] for fired in stand.advance_and_fire()]
    assert sorted(results) == ["dialed", "dialed", "requeued", "requeued", "requeued"]
    assert in_flight(stand, calls) == 2
    for _ in range(20):
        assert all(status == 204 for status in stand.sim.flush())
        if all(stand.call(call_id)["status"] == "completed" for call_id in calls):
            break
        stand.advance_and_fire()
        assert in_flight(stand, calls) <= 2
    assert [stand.call(call_id)["status"] for call_id in calls] == ["completed"] * 5
    assert [stand.call(call_id)["attempt"] for call_id in calls] == [1] * 5  # re-queues use up no attempt
    assert stand.dials() == 5


def test_the_workspace_limit_holds_across_clinics(stand: Stand) -> None:
    stand.rebuild(retell_concurrency_limit=1)
    a = stand.schedule(scheduledFor=MONDAY_0930_LA)["callId"]
    response = stand.api.as_("clinic-b").post(
        "/calls/schedule",
        {**SPAY_FOLLOW_UP, "petName": "Rex", "ownerName": "Sam Lee", "scheduledFor": MONDAY_0930_LA},
    )
    b = response.data["callId"]
    results = sorted(fired.result["result"] for fired in stand.advance_and_fire())
    assert results == ["dialed", "requeued"]
    assert stand.dials() == 1
    stand.sim.flush()  # the dialed call ends and frees the workspace's lease
    stand.advance_and_fire()
    assert stand.dials() == 2
    statuses = {stand.call(a)["status"], stand.api.as_("clinic-b").get(f"/calls/{b}").data["status"]}
    assert statuses <= {"completed", "initiated"}


def test_simultaneous_dials_on_a_fresh_stack_all_get_a_lease(stand: Stand) -> None:
    """No pool exists yet and five executes race to create and fill them: none is wrongly told "all dialing leases
    taken"."""
    import threading
    from datetime import timedelta

    from shared.dal.dial_leases import DynamoDialLeases
    from shared.logic.ports import LeaseLimits

    # No call items behind these leases: every attempt counts as live, as the calls' would while they dial.
    leases = DynamoDialLeases(stand.aws.dynamodb, TABLE, live=lambda attempts: set(attempts))
    results: list[bool] = []
    start = threading.Barrier(5)

    def take(index: int) -> None:
        start.wait()
        limits = LeaseLimits(clinic=20, workspace=20, duration=timedelta(minutes=20))
        results.append(leases.acquire("clinic-a", f"call-{index}", 1, limits, stand.clock.now))

    threads = [threading.Thread(target=take, args=(index,)) for index in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 5
    assert len(leases.held("clinic-a")) == 5
