"""Captures the sample events under events/notices and events/reconcile from a run of the stand-ins, as Lambda
would deliver them (``standins.lambda_events``): ``CAPTURE_EVENTS=1 pytest tests/integration/capture_events.py``.
The samples are about the sandbox's seeded clinic and call (``scripts.invoke``), so ``make invoke`` acts on them."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from scripts.invoke import SAMPLE_CLINIC
from shared.dal.notice_stream_records import occurrences
from standins.lambda_events import on_failure_record, rule_input_event, scheduled_event
from standins.queue_feed import feed_once
from tests.integration.test_notices import MONDAY_0930_LA, PET_WORSE, tell
from tests.support.lifecycle import Stand

EVENTS = Path(__file__).resolve().parents[2] / "events"
SCHEDULED_ATTEMPT = EVENTS / "execute" / "scheduled-attempt.json"

pytestmark = pytest.mark.skipif(not os.environ.get("CAPTURE_EVENTS"), reason="captures samples: CAPTURE_EVENTS=1")


def _write(path: Path, event: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(event, indent=2) + "\n")


def _queued(stand: Stand, name: str, body: dict[str, Any], attributes: dict[str, Any]) -> dict[str, Any]:
    """``body`` put on a queue named ``name`` and received back through the queue feed."""
    sqs = stand.aws.sqs
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body), MessageAttributes=attributes)
    captured: list[dict[str, Any]] = []

    def keep(event: dict[str, Any]) -> dict[str, Any]:
        captured.append(event)
        return {}

    feed_once(sqs, url, arn, keep)
    return captured[0]


def test_capture(stand: Stand) -> None:
    stand.api = stand.api.as_(SAMPLE_CLINIC, "admin", "user-1")
    tell(stand)
    call = stand.schedule(phoneNumber=PET_WORSE, scheduledFor=MONDAY_0930_LA)
    stand.run_to_the_end(call["callId"])
    events = stand.stream_events()
    telling = [
        record
        for event in events
        for record in event["Records"]
        if "body" in record["dynamodb"].get("NewImage", {}) and occurrences(DynamoDBRecord(record))
    ]
    _write(EVENTS / "notices" / "call-needs-follow-up.json", {"Records": telling[:1]})
    _write(EVENTS / "notices" / "sweep.json", rule_input_event({"action": "sweep"}))
    _write(EVENTS / "notices" / "digest.json", rule_input_event({"action": "digest"}))
    rule = "arn:aws:events:us-east-1:123456789012:rule/calls-reconcile"
    _write(EVENTS / "reconcile" / "scheduled.json", scheduled_event(rule, datetime(2026, 11, 23, 17, 30)))
    attempt = json.loads(SCHEDULED_ATTEMPT.read_text())
    scheduler_attributes = {
        "ERROR_MESSAGE": {"DataType": "String", "StringValue": "Lambda function not found"},
        "SCHEDULE_ARN": {"DataType": "String", "StringValue": "arn:aws:scheduler:us-east-1:123456789012:schedule/x"},
    }
    _write(
        EVENTS / "reconcile" / "scheduler-dead-letters.json",
        _queued(stand, "calls-scheduler-dlq", attempt, scheduler_attributes),
    )
    failure = on_failure_record("execute", attempt, RuntimeError("Task timed out after 30.00 seconds"))
    _write(EVENTS / "reconcile" / "execute-failures.json", _queued(stand, "ExecuteFailures", failure, {}))
