"""The events the stand-ins hand to functions are the events Lambda delivers: JSON (binaries as base64, times as
numbers), in each event source's shape, as Powertools' data classes read them. A handler that works here works
in AWS."""

from __future__ import annotations

import base64
import json

from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent, SQSEvent

from standins.lambda_events import (
    as_lambda_delivers,
    on_failure_record,
    rule_input_event,
    scheduled_event,
    sqs_event,
)
from tests.integration.test_notices import MONDAY_0930_LA, PET_WORSE, sent, tell
from tests.support.lifecycle import Stand


def _follow_up_call(stand: Stand) -> str:
    tell(stand)
    call = stand.schedule(phoneNumber=PET_WORSE, scheduledFor=MONDAY_0930_LA)
    return str(stand.run_to_the_end(call["callId"])["callId"])


def test_stream_records_arrive_as_json_with_the_body_in_base64(stand: Stand) -> None:
    _follow_up_call(stand)
    events = stand.stream_events()
    assert events
    for event in events:
        assert as_lambda_delivers(event) == event  # nothing JSON could not carry
        for record in DynamoDBStreamEvent(event).records:
            assert record.event_source == "aws:dynamodb"
            assert record.event_source_arn
            assert record.dynamodb is not None
            assert isinstance(record.dynamodb.approximate_creation_date_time, int)
            body = (record.dynamodb.get("NewImage") or {}).get("body")
            if body is not None:
                assert isinstance(body["B"], str)
                base64.b64decode(body["B"], validate=True)


def test_the_notices_handler_records_a_notice_from_a_base64_call_record(stand: Stand) -> None:
    call_id = _follow_up_call(stand)
    answers = [stand.invoke("notices", event) for event in stand.stream_events()]
    assert all(answer["batchItemFailures"] == [] for answer in answers)
    assert sum(answer["recorded"] for answer in answers) == 3  # two emails and the chat
    assert sent(stand)[(call_id, "needs_follow_up", "chat")] == 1


def test_a_malformed_call_record_is_skipped_not_the_batch(stand: Stand) -> None:
    call_id = _follow_up_call(stand)
    events = stand.stream_events()
    broken = json.loads(json.dumps(events))
    for event in broken:
        for record in event["Records"]:
            if "body" in record["dynamodb"].get("NewImage", {}):
                record["dynamodb"]["NewImage"]["body"]["B"] = "not base64!"
    answers = [stand.invoke("notices", event) for event in broken]
    assert all(answer["batchItemFailures"] == [] for answer in answers)
    assert sent(stand) == {}
    assert [stand.invoke("notices", event) for event in events]  # the good records still tell
    assert sent(stand)[(call_id, "needs_follow_up", "chat")] == 1


def test_sqs_records_have_lambdas_shape() -> None:
    message = {
        "MessageId": "m-1",
        "ReceiptHandle": "r-1",
        "Body": '{"clinicId": "c", "callId": "x"}',
        "MD5OfBody": "abc",
        "Attributes": {"ApproximateReceiveCount": "2", "SentTimestamp": "1700000000000"},
        "MessageAttributes": {"ERROR_MESSAGE": {"DataType": "String", "StringValue": "boom"}},
    }
    event = sqs_event([message], "arn:aws:sqs:us-east-1:123456789012:SchedulerDeadLetters")
    record = next(SQSEvent(event).records)
    assert record.body == message["Body"]
    assert record.attributes.approximate_receive_count == "2"
    error = record.message_attributes["ERROR_MESSAGE"]
    assert error is not None
    assert error.string_value == "boom"
    assert error.data_type == "String"
    assert record.md5_of_body == "abc"
    assert record.event_source_arn.endswith(":SchedulerDeadLetters")
    assert record.aws_region == "us-east-1"


def test_rule_and_failure_events_are_plain_json() -> None:
    scheduled = scheduled_event("arn:aws:events:us-east-1:123456789012:rule/reconcile")
    assert scheduled["detail-type"] == "Scheduled Event"
    assert scheduled["source"] == "aws.events"
    assert rule_input_event({"action": "sweep"}) == {"action": "sweep"}
    failure = on_failure_record("execute", {"clinicId": "c", "callId": "x"}, RuntimeError("boom"))
    assert failure["requestContext"]["condition"] == "RetriesExhausted"
    assert failure["requestContext"]["functionArn"].endswith(":function:execute:$LATEST")
    assert failure["requestPayload"] == {"clinicId": "c", "callId": "x"}
    assert failure["responsePayload"]["errorType"] == "RuntimeError"
    assert failure["timestamp"].endswith("Z")
