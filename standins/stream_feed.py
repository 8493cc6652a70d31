"""A DynamoDB stream event source where there is no Lambda service: read the table's stream (moto keeps one per
table with ``StreamSpecification``) shard by shard, hand each batch to a function as Lambda's DynamoDB stream
event (JSON, built by ``lambda_events``), and move on past what it did not report as failed
(``batchItemFailures``): a failed record and the ones after it come again on the next read, as an event source
mapping with ``ReportBatchItemFailures`` does.

Each read asks for a fresh iterator at the position the feed keeps (the sequence number to read from): moto
replaces a table's stream shard when it rolls a failed transaction back, and an iterator held across that would
read the old shard forever. A position the stream has trimmed meanwhile (``standins.moto_streams``; DynamoDB trims
after 24 hours) is refused with ``TrimmedDataAccessException``: the feed goes on from the oldest record kept and
says how far behind it was, as an event source mapping skips what expired. ``filters`` are the mapping's event
filter patterns (``standins.event_filters``): a record none matches is read past and never handed over."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import ClientError

from standins.event_filters import Pattern, passes
from standins.lambda_events import dynamodb_stream_event

BATCH = 100


class StreamFeed:
    def __init__(
        self,
        dynamodb: Any,
        streams: Any,
        table_name: str,
        log: Callable[[str], None] = print,
        filters: Sequence[Pattern] = (),
    ):
        self._streams = streams
        self._filters = filters
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
        """One batch per shard through ``invoke`` (what passes the filters); the number of records read."""
        handed = 0
        for shard in self._shards():
            read = self._read(shard)
            if not read:
                continue
            last = max(int(record["dynamodb"]["SequenceNumber"]) for record in read)
            records = [record for record in read if passes(self._filters, record)]
            failed: list[str] = []
            if records:
                event = dynamodb_stream_event(records, self._arn)  # as Lambda delivers it: JSON, binaries in base64
                answer = invoke(event) or {}
                failed = [item["itemIdentifier"] for item in answer.get("batchItemFailures", [])]
            self._next[shard] = min(failed, key=int) if failed else str(last + 1)
            handed += len(read)
        return handed
