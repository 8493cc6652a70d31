"""An SQS event source where there is no Lambda service: receive a batch from a queue, hand it to a function as
Lambda's SQS event, and delete what the function did not report as failed (``batchItemFailures``), as an event
source mapping with ``ReportBatchItemFailures`` does. The local stack feeds the dead-letter queue to the reconciler
this way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def feed_once(sqs: Any, queue_url: str, queue_arn: str, invoke: Callable[[dict[str, Any]], Any]) -> int:
    """One batch (up to 10 messages) through ``invoke``; the number of messages handed over."""
    messages = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=0
    ).get("Messages", [])
    if not messages:
        return 0
    records = [
        {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": {},
            "messageAttributes": message.get("MessageAttributes", {}),
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
        }
        for message in messages
    ]
    answer = invoke({"Records": records}) or {}
    failed = {item["itemIdentifier"] for item in answer.get("batchItemFailures", [])}
    for message in messages:
        if message["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return len(messages)
