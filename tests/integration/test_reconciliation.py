"""The reconciler against moto (the open-work index of the table built from the stack) and the simulated Retell over
real HTTP: calls whose webhooks were lost, whose schedule never fired or whose dial's outcome stayed unknown reach
the final state that matches the phone, with one dial each."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta

import pytest

from standins.retell_sim.server import Fault
from tests.conftest import GROUP
from tests.support.lifecycle import Stand

MONDAY_0930_LA = "2026-11-23T17:30:00Z"


def reconcile(stand: Stand) -> dict[str, int]:
    result = stand.invoke("reconcile", {"source": "aws.events", "detail-type": "Scheduled Event"})
    return dict(result["repairs"])


def test_a_call_whose_webhooks_were_all_lost_is_completed_from_retell(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    stand.advance_and_fire()
    assert stand.sim.take_pending()  # Retell gave up on every webhook
    stand.clock.now += timedelta(minutes=2)
    # A call may ring this long: nothing is due yet. The call is read (its place in the open-work index is a lower
    # bound of its checks, shared.domain.reconciliation.index_at) and left as it is.
    assert reconcile(stand) == {"nothing": 1}
    assert stand.call(call["callId"])["status"] == "initiated"
    stand.clock.now += timedelta(minutes=2)
    assert reconcile(stand) == {"applied": 1}
    final = stand.call(call["callId"])
    assert final["status"] == "completed"
    assert final["outcome"] == "answered"
    assert final["analysis"]["summary"]
    assert "Luna" in final["transcript"]
    assert stand.dials() == 1
    stand.clock.now += timedelta(hours=1)
    assert reconcile(stand) == {}  # final and analysed: no longer open work


def test_an_unanswered_call_whose_webhooks_were_lost_is_retried_once(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA, phoneNumber="+14155550101")
    stand.advance_and_fire()
    stand.sim.take_pending()
    stand.clock.now += timedelta(minutes=11)
    assert reconcile(stand) == {"applied": 1}
    retried = stand.call(call["callId"])
    assert (retried["status"], retried["attempt"]) == ("scheduled", 2)
    assert len(stand.aws.schedules()) == 1
    assert reconcile(stand) == {}


def test_a_schedule_that_never_fired_is_fired_by_the_reconciler(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    (schedule,) = stand.aws.schedules()
    stand.aws.scheduler.delete_schedule(Name=schedule["Name"], GroupName=GROUP)
    stand.clock.now = stand.clock.now.replace(hour=17, minute=34)
    assert reconcile(stand) == {"fired": 1}
    assert stand.call(call["callId"])["status"] == "initiated"
    assert stand.dials() == 1


def test_a_dead_letter_repairs_its_call_at_once(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    (schedule,) = stand.aws.schedules()
    stand.aws.scheduler.delete_schedule(Name=schedule["Name"], GroupName=GROUP)
    stand.clock.now = stand.clock.now.replace(hour=17, minute=30, second=30)
    attempt = json.loads(schedule["Target"]["Input"])
    lambda_failure = {"version": "1.0", "requestPayload": attempt, "responseContext": {"statusCode": 200}}
    records = [
        {"messageId": "m1", "body": json.dumps(attempt), "eventSource": "aws:sqs", "attributes": {}},
        {"messageId": "m2", "body": json.dumps(lambda_failure), "eventSource": "aws:sqs", "attributes": {}},
        {"messageId": "m3", "body": "not a dead letter of ours", "eventSource": "aws:sqs", "attributes": {}},
    ]
    answer = stand.invoke("reconcile", {"Records": records})
    assert answer == {"batchItemFailures": []}
    assert stand.call(call["callId"])["status"] == "initiated"
    assert stand.dials() == 1  # two dead letters about one attempt: fired once, claimed once


def test_a_dial_whose_outcome_stayed_unknown_is_found_and_followed(stand: Stand) -> None:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    stand.sim.inject(Fault("hang_after_create", delay_seconds=1.0))
    stand.sim.inject(Fault("hide_from_list"))
    (fired,) = stand.advance_and_fire()
    assert fired.result["result"] == "unresolved"
    stand.sim.take_pending()  # and its webhooks were lost as well
    stand.clock.now += timedelta(minutes=6)
    assert reconcile(stand) == {"found": 1}
    final = stand.call(call["callId"])
    assert final["status"] == "completed"
    assert final["retellCallId"] == stand.sim.placed_call_ids()[0]
    assert stand.dials() == 1


def test_the_scheduler_dead_letter_queue_feeds_the_reconciler(stand: Stand) -> None:
    """As the SQS event source does in AWS (and make dev's loop locally): a schedule whose delivery failed is
    dead-lettered with its input, and the reconciler dials it from there."""
    from standins.queue_feed import feed_once

    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    (schedule,) = stand.aws.schedules()
    attempt = json.loads(schedule["Target"]["Input"])
    queue_url = stand.aws.sqs.get_queue_url(QueueName=stand.aws.dlq_arn.rsplit(":", 1)[-1])["QueueUrl"]
    stand.aws.sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(attempt))
    stand.aws.scheduler.delete_schedule(Name=schedule["Name"], GroupName=GROUP)
    stand.clock.now = stand.clock.now.replace(hour=17, minute=30, second=20)
    fed = feed_once(stand.aws.sqs, queue_url, stand.aws.dlq_arn, lambda event: stand.invoke("reconcile", event))
    assert fed == 1
    assert stand.call(call["callId"])["status"] == "initiated"
    assert stand.dials() == 1
    assert stand.aws.sqs.receive_message(QueueUrl=queue_url).get("Messages", []) == []  # consumed


def test_a_listing_that_lags_past_the_settle_time_does_not_ring_the_owner_twice(stand: Stand) -> None:
    """Retell placed the call, but list-calls shows it only 10 minutes later (longer than DIAL_SETTLE): the
    reconciler cannot find it and redials, under the dial's own idempotency key, which Retell answers with the call
    already placed."""
    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    stand.sim.set_faults(list_lag_seconds=600)
    stand.sim.inject(Fault("hang_after_create", delay_seconds=1.0))  # placed; answered after the client gave up
    (fired,) = stand.advance_and_fire()
    assert fired.result["result"] == "unresolved"
    until_answered(stand)  # the first request has ended (as it has, in minutes, at Retell)
    stand.sim.take_pending()  # and its webhooks were lost
    stand.clock.now += timedelta(minutes=6)
    assert reconcile(stand) == {"released": 1}  # not listed yet: as far as Retell's listing shows, never placed
    (redial,) = stand.advance_and_fire()
    assert redial.result["result"] == "dialed"
    first, second = stand.sim.requests()
    assert first.idempotency_key == second.idempotency_key
    assert stand.dials() == 1  # Retell answered the redial with the call it had placed
    (placed,) = stand.sim.placed_call_ids()
    assert stand.call(call["callId"])["retellCallId"] == placed
    stand.clock.now += timedelta(minutes=5)
    reconcile(stand)
    final = stand.call(call["callId"])
    assert (final["status"], final["outcome"]) == ("completed", "answered")
    assert stand.dials() == 1


def until_answered(stand: Stand, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while stand.sim.answering():
        assert time.monotonic() < deadline, "the simulated Retell is still answering"
        time.sleep(0.02)


def test_a_failed_execute_run_goes_to_its_on_failure_queue_once_and_the_reconciler_repairs_the_call(
    stand: Stand, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scheduler invokes execute asynchronously, once: a run that fails is neither retried by Scheduler nor by Lambda
    (``retry_attempts=0``); Lambda's on-failure destination gets a record of the request and the error, which the
    reconciler reads from the queue (its SQS event source in AWS) and dials from."""
    from standins.queue_feed import feed_once

    call = stand.schedule(scheduledFor=MONDAY_0930_LA)
    executor = stand.functions.execute.executor

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("the container ran out of memory")

    monkeypatch.setattr(executor, "execute", crash)
    (fired,) = stand.advance_and_fire()
    assert (fired.result, fired.error) == (None, None)  # accepted by Lambda: nothing for Scheduler to retry
    assert stand.aws.schedules() == []  # fired once, never again
    assert stand.fire_due() == []
    assert stand.dials() == 0

    failures_arn = os.environ["EXECUTE_FAILURES_QUEUE_ARN"]
    queue_url = stand.aws.sqs.get_queue_url(QueueName=failures_arn.rsplit(":", 1)[-1])["QueueUrl"]
    (message,) = stand.aws.sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=0)["Messages"]
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestPayload"]["callId"] == call["callId"]
    assert record["responsePayload"]["errorType"] == "RuntimeError"

    monkeypatch.delattr(executor, "execute")  # the next run is a healthy one
    fed = feed_once(stand.aws.sqs, queue_url, failures_arn, lambda event: stand.invoke("reconcile", event))
    assert fed == 1
    assert stand.call(call["callId"])["status"] == "initiated"
    assert stand.dials() == 1
    assert stand.aws.sqs.receive_message(QueueUrl=queue_url).get("Messages", []) == []  # consumed
