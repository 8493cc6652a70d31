"""An SQS event source where there is no Lambda service: receive a batch from a queue, hand it to a function as
Lambda's SQS event (JSON, built by ``lambda_events``), and delete what the function did not report as failed
(``batchItemFailures``), as an event source mapping with ``ReportBatchItemFailures`` does. The local stack feeds
both dead-letter queues to the reconciler this way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from standins.lambda_events import sqs_event


def feed_once(sqs: Any, queue_url: str, queue_arn: str, invoke: Callable[[dict[str, Any]], Any]) -> int:
    """One batch (up to 10 messages) through ``invoke``; the number of messages handed over."""
    messages = sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=10,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
        WaitTimeSeconds=0,
    ).get("Messages", [])
    if not messages:
        return 0
    answer = invoke(sqs_event(messages, queue_arn)) or {}  # as Lambda delivers it: JSON
    failed = {item["itemIdentifier"] for item in answer.get("batchItemFailures", [])}
    for message in messages:
        if message["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return len(messages)
