"""Every event the stand-ins hand to a function, built in one place and in the shape Lambda delivers it: as JSON.

Lambda serialises an event to JSON before a handler sees it, so a handler never gets a Python object JSON cannot
carry: a DynamoDB binary (``B``, ``BS``) arrives as base64 text, a stream record's ``ApproximateCreationDateTime``
as epoch seconds (a number), an SQS message's attributes as strings. boto3 hands the stand-ins decoded values
(bytes, datetimes), so each builder here passes its event through ``as_lambda_delivers`` (``json.dumps`` then
``json.loads``): whatever a handler can read here it can read in AWS too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

REGION = "us-east-1"
ACCOUNT = "123456789012"


def _json_value(value: Any) -> Any:
    """What Lambda's JSON makes of a value boto3 decoded."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, datetime):
        return int(value.timestamp())  # as DynamoDB Streams' ApproximateCreationDateTime: epoch seconds
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} is not something Lambda's JSON carries")


def as_lambda_delivers(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` after a JSON round trip, as a handler receives it from Lambda."""
    delivered: dict[str, Any] = json.loads(json.dumps(event, default=_json_value))
    return delivered


# -- DynamoDB Streams --------------------------------------------------------------------------------------------


def dynamodb_stream_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """One record of ``GetRecords`` (boto3's, binaries as bytes, the time as a datetime) as Lambda's event source
    mapping hands it over: the same fields, plus ``eventSourceARN``."""
    change = record["dynamodb"]
    dynamodb = {
        key: change[key]
        for key in (
            "ApproximateCreationDateTime",
            "Keys",
            "NewImage",
            "OldImage",
            "SequenceNumber",
            "SizeBytes",
            "StreamViewType",
        )
        if key in change
    }
    return {
        "eventID": record.get("eventID") or uuid.uuid4().hex,
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion", REGION),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def dynamodb_stream_event(records: Iterable[dict[str, Any]], stream_arn: str) -> dict[str, Any]:
    """A batch of the table's stream as the notices function receives it."""
    return as_lambda_delivers({"Records": [dynamodb_stream_record(record, stream_arn) for record in records]})


# -- SQS -----------------------------------------------------------------------------------------------------------


def _sqs_message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """An SQS message attribute in Lambda's lower-camel shape (boto3 gives ``StringValue``/``DataType``)."""
    attribute: dict[str, Any] = {
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = value["BinaryValue"]
    return attribute


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """One message of ``ReceiveMessage`` (asked with every attribute) as an SQS event source mapping hands it over."""
    system = message.get("Attributes", {})
    now_ms = str(int(datetime.now(UTC).timestamp() * 1000))
    attributes = {
        "ApproximateReceiveCount": system.get("ApproximateReceiveCount", "1"),
        "SentTimestamp": system.get("SentTimestamp", now_ms),
        "SenderId": system.get("SenderId", ACCOUNT),
        "ApproximateFirstReceiveTimestamp": system.get("ApproximateFirstReceiveTimestamp", now_ms),
    }
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": {
            name: _sqs_message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3] if queue_arn.count(":") >= 5 else REGION,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def sqs_event(messages: Iterable[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """A batch of a queue as its consumer (the reconciler, for both dead-letter queues) receives it."""
    return as_lambda_delivers({"Records": [sqs_record(message, queue_arn) for message in messages]})


# -- EventBridge and Scheduler --------------------------------------------------------------------------------------


def scheduled_event(rule_arn: str, now: datetime | None = None) -> dict[str, Any]:
    """An EventBridge rule's ``Scheduled Event`` (no input set on the target): what the reconciler's rule sends."""
    time = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return as_lambda_delivers(
        {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT,
            "time": time,
            "region": REGION,
            "resources": [rule_arn],
            "detail": {},
        }
    )


def rule_input_event(document: dict[str, Any]) -> dict[str, Any]:
    """A rule target's constant input (``RuleTargetInput.from_object``): the document itself is the event, as for
    the notices function's sweep and digest rules."""
    return as_lambda_delivers(dict(document))


def scheduler_event(payload: dict[str, Any]) -> dict[str, Any]:
    """A Scheduler target's ``Input`` (context attributes filled) as the function receives it: the JSON itself."""
    return as_lambda_delivers(dict(payload))


# -- Lambda asynchronous invocation ----------------------------------------------------------------------------------


def function_arn(function_name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"


def on_failure_record(
    function_name: str,
    request: dict[str, Any],
    error: BaseException,
    *,
    request_id: str | None = None,
    invoke_count: int = 1,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The record Lambda sends an asynchronous invocation's on-failure destination once its retries are spent
    (``retry_attempts=0``: after the first failure): the request, and the function's error as its response."""
    timestamp = (now or datetime.now(UTC)).astimezone(UTC)
    return as_lambda_delivers(
        {
            "version": "1.0",
            "timestamp": timestamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{timestamp.microsecond // 1000:03d}Z",
            "requestContext": {
                "requestId": request_id or str(uuid.uuid4()),
                "functionArn": f"{function_arn(function_name)}:$LATEST",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": invoke_count,
            },
            "requestPayload": request,
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "responsePayload": {
                "errorMessage": str(error),
                "errorType": type(error).__name__,
                "requestId": "",
                "stackTrace": [],
            },
        }
    )
