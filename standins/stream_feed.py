"""A DynamoDB stream event source where there is no Lambda service: read the table's stream (moto keeps one per
table with ``StreamSpecification``) shard by shard, hand each batch to a function as Lambda's DynamoDB stream event,
and move on past what it did not report as failed (``batchItemFailures``): a failed record and the ones after it
come again on the next read, as an event source mapping with ``ReportBatchItemFailures`` does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BATCH = 100


class StreamFeed:
    def __init__(self, dynamodb: Any, streams: Any, table_name: str, *, from_start: bool = True):
        self._streams = streams
        self._arn = str(dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"])
        self._from_start = from_start
        self._iterators: dict[str, str] = {}
        self._resume: dict[str, str] = {}  # shard -> the sequence number of the first record to read again

    def _iterator(self, shard: str) -> str:
        if shard in self._resume:
            return str(
                self._streams.get_shard_iterator(
                    StreamArn=self._arn,
                    ShardId=shard,
                    ShardIteratorType="AT_SEQUENCE_NUMBER",
                    SequenceNumber=self._resume.pop(shard),
                )["ShardIterator"]
            )
        if shard not in self._iterators:
            kind = "TRIM_HORIZON" if self._from_start else "LATEST"
            self._iterators[shard] = str(
                self._streams.get_shard_iterator(StreamArn=self._arn, ShardId=shard, ShardIteratorType=kind)[
                    "ShardIterator"
                ]
            )
        return self._iterators[shard]

    def start_at_end(self) -> None:
        """Skip what is in the stream now (records written before the feed starts are nobody's business)."""
        for shard in self._shards():
            iterator = self._streams.get_shard_iterator(StreamArn=self._arn, ShardId=shard, ShardIteratorType="LATEST")[
                "ShardIterator"
            ]
            self._iterators[shard] = str(iterator)

    def _shards(self) -> list[str]:
        description = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]
        return [str(shard["ShardId"]) for shard in description.get("Shards", [])]

    def feed_once(self, invoke: Callable[[dict[str, Any]], Any]) -> int:
        """One batch per shard through ``invoke``; the number of records handed over."""
        handed = 0
        for shard in self._shards():
            response = self._streams.get_records(ShardIterator=self._iterator(shard), Limit=BATCH)
            records = response.get("Records", [])
            self._iterators[shard] = response.get("NextShardIterator") or self._iterators[shard]
            if not records:
                continue
            event = {"Records": [{**record, "eventSourceARN": self._arn} for record in records]}
            answer = invoke(event) or {}
            failed = [item["itemIdentifier"] for item in answer.get("batchItemFailures", [])]
            if failed:
                self._resume[shard] = min(failed, key=int)
            handed += len(records)
        return handed
