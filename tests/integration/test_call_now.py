"""``POST /calls/{callId}/call-now``: dial now through the execute path, or say when the clinic opens."""

from __future__ import annotations

import json
import os

import pytest

from shared.models.execution import ExecuteRequest
from tests.support.lifecycle import Stand

TUESDAY_0930_LA = "2026-11-24T17:30:00Z"


def open_now(stand: Stand) -> None:
    stand.clock.now = stand.clock.now.replace(hour=18)  # Monday 10:00 in Los Angeles


def test_call_now_dials_at_once_and_the_call_runs_its_course(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=TUESDAY_0930_LA)
    open_now(stand)
    response = stand.api.post(f"/calls/{call['callId']}/call-now")
    assert response.status == 202, response.text
    assert response.data["scheduledFor"] == "2026-11-23T18:00:00Z"
    assert stand.dials() == 1
    assert stand.call(call["callId"])["status"] == "initiated"
    assert stand.aws.schedules() == []  # the original schedule and the backstop are both gone
    assert stand.run_to_the_end(call["callId"])["status"] == "completed"
    assert stand.dials() == 1


def test_when_closed_the_answer_names_the_next_open_slot(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=TUESDAY_0930_LA)  # the clock says Monday 08:00 in Los Angeles
    response = stand.api.post(f"/calls/{call['callId']}/call-now")
    assert response.status == 409
    assert response.error["code"] == "outside_business_hours"
    assert response.error["details"] == [{"nextOpenSlot": "2026-11-23T17:00:00Z"}]
    assert stand.call(call["callId"])["scheduledFor"] == TUESDAY_0930_LA
    assert stand.dials() == 0


def test_staff_and_other_clinics_cannot(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=TUESDAY_0930_LA)
    open_now(stand)
    assert stand.api.as_("clinic-a", role="staff").post(f"/calls/{call['callId']}/call-now").status == 403
    assert stand.api.as_("clinic-b").post(f"/calls/{call['callId']}/call-now").status == 404
    assert stand.dials() == 0


def test_a_lost_invocation_is_covered_by_the_backstop_schedule(stand: Stand) -> None:
    class LostInvocation:
        def invoke(self, request: ExecuteRequest) -> None:
            raise ConnectionError("Lambda unreachable")

    stand.rebuild(invoker=LostInvocation())
    call = stand.schedule(scheduledFor=TUESDAY_0930_LA)
    open_now(stand)
    assert stand.api.post(f"/calls/{call['callId']}/call-now").status == 202
    assert stand.dials() == 0
    (backstop,) = stand.aws.schedules()
    assert backstop["ScheduleExpression"] == "at(2026-11-23T18:01:00)"
    stand.advance_and_fire()
    assert stand.dials() == 1
    assert stand.run_to_the_end(call["callId"])["status"] == "completed"


def test_a_call_now_whose_execute_run_fails_goes_to_its_on_failure_queue(
    stand: Stand, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API invokes execute asynchronously, as Scheduler does: a failed run is not retried, and Lambda's
    on-failure destination gets its record, which the reconciler dials from."""
    call = stand.schedule(scheduledFor=TUESDAY_0930_LA)
    open_now(stand)

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("the container ran out of memory")

    monkeypatch.setattr(stand.functions.execute.executor, "execute", crash)
    assert stand.api.post(f"/calls/{call['callId']}/call-now").status == 202
    assert stand.dials() == 0
    failures_arn = os.environ["EXECUTE_FAILURES_QUEUE_ARN"]
    queue_url = stand.aws.sqs.get_queue_url(QueueName=failures_arn.rsplit(":", 1)[-1])["QueueUrl"]
    (message,) = stand.aws.sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=0)["Messages"]
    record = json.loads(message["Body"])
    assert record["requestPayload"]["callId"] == call["callId"]
    assert record["requestPayload"]["trigger"] == "call_now"
    assert record["responsePayload"]["errorType"] == "RuntimeError"
