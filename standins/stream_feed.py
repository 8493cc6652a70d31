"""A DynamoDB stream event source where there is no Lambda service: read the table's stream (moto keeps one per
table with ``StreamSpecification``) shard by shard, hand each batch to a function as Lambda's DynamoDB stream
event (JSON, built by ``lambda_events``), and move on past what it did not report as failed
(``batchItemFailures``): a failed record and the ones after it come again on the next read, as an event source
mapping with ``ReportBatchItemFailures`` does.

Each read asks for a fresh iterator at the position the feed keeps (the sequence number to read from): moto
replaces a table's stream shard when it rolls a failed transaction back, and an iterator held across that would
read the old shard forever. A position the stream has trimmed meanwhile (``standins.moto_streams``; DynamoDB trims
after 24 hours) is refused with ``TrimmedDataAccessException``: the feed goes on from the oldest record kept and
says how far behind it was, as an event source mapping skips what expired."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from standins.lambda_events import dynamodb_stream_event

BATCH = 100


class StreamFeed:
    def __init__(self, dynamodb: Any, streams: Any, table_name: str, log: Callable[[str], None] = print):
        self._streams = streams
        self._log = log
        self._arn = str(dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"])
        self._next: dict[str, str] = {}  # shard -> the sequence number of the next record to read

    def _iterator(self, shard: str) -> str:
        position: dict[str, str] = (
            {"ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": self._next[shard]}
            if shard in self._next
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        return str(self._streams.get_shard_iterator(StreamArn=self._arn, ShardId=shard, **position)["ShardIterator"])

    def _shards(self) -> list[str]:
        description = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]
        return [str(shard["ShardId"]) for shard in description.get("Shards", [])]

    def _read(self, shard: str) -> list[dict[str, Any]]:
        try:
            return list(self._streams.get_records(ShardIterator=self._iterator(shard), Limit=BATCH).get("Records", []))
        except ClientError as error:
            if error.response["Error"]["Code"] != "TrimmedDataAccessException":
                raise
        self._log(f"stream feed: records from {self._next.pop(shard)} on were trimmed before they were read")
        return list(self._streams.get_records(ShardIterator=self._iterator(shard), Limit=BATCH).get("Records", []))

    def feed_once(self, invoke: Callable[[dict[str, Any]], Any]) -> int:
        """One batch per shard through ``invoke``; the number of records handed over."""
        handed = 0
        for shard in self._shards():
            records = self._read(shard)
            if not records:
                continue
            event = dynamodb_stream_event(records, self._arn)  # as Lambda delivers it: JSON, binaries in base64
            answer = invoke(event) or {}
            failed = [item["itemIdentifier"] for item in answer.get("batchItemFailures", [])]
            last = max(int(record["dynamodb"]["SequenceNumber"]) for record in records)
            self._next[shard] = min(failed, key=int) if failed else str(last + 1)
            handed += len(records)
        return handed
