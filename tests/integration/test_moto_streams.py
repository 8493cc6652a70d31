"""moto's stream shards keep their newest records, as DynamoDB keeps 24 hours of them (``standins.moto_streams``):
memory stays bounded in a long local run, and a reader that fell behind the trimmed part is refused as DynamoDB
refuses it, never handed records that are gone."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from standins import moto_streams
from tests.conftest import TABLE, AwsStandIns
from tests.support.lifecycle import streams_client

KEPT = 40


@pytest.fixture
def streams(aws: AwsStandIns, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, str, str]:
    monkeypatch.setattr(moto_streams, "RECORDS_KEPT", KEPT)
    client = streams_client()
    arn = aws.dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    (shard,) = client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    return client, arn, shard["ShardId"]


def _write(aws: AwsStandIns, first: int, count: int) -> None:
    for index in range(first, first + count):
        aws.dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": f"STREAMTEST#{index}"}, "sk": {"S": "X"}})


def _read(client: Any, arn: str, shard_id: str, **position: str) -> list[dict[str, Any]]:
    iterator = client.get_shard_iterator(StreamArn=arn, ShardId=shard_id, **position)["ShardIterator"]
    return list(client.get_records(ShardIterator=iterator, Limit=1000)["Records"])


def test_a_shard_keeps_only_its_newest_records(aws: AwsStandIns, streams: tuple[Any, str, str]) -> None:
    _write(aws, 0, KEPT * 3)
    records = _read(*streams, ShardIteratorType="TRIM_HORIZON")
    assert len(records) == KEPT
    assert [record["dynamodb"]["Keys"]["pk"]["S"] for record in records][-1] == f"STREAMTEST#{KEPT * 3 - 1}"
    assert records[0]["dynamodb"]["Keys"]["pk"]["S"] == f"STREAMTEST#{KEPT * 2}"


def test_a_reader_behind_the_trimmed_part_is_refused_not_handed_records_that_are_gone(
    aws: AwsStandIns, streams: tuple[Any, str, str]
) -> None:
    _write(aws, 0, 1)
    (first,) = _read(*streams, ShardIteratorType="TRIM_HORIZON")
    _write(aws, 1, KEPT * 2)
    with pytest.raises(ClientError) as refused:
        _read(*streams, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=first["dynamodb"]["SequenceNumber"])
    assert refused.value.response["Error"]["Code"] == "TrimmedDataAccessException"


def test_the_stream_feed_goes_on_from_the_oldest_record_kept_when_it_fell_behind(
    aws: AwsStandIns, streams: tuple[Any, str, str]
) -> None:
    from standins.stream_feed import StreamFeed

    client, _, _ = streams
    said: list[str] = []
    feed = StreamFeed(aws.dynamodb, client, TABLE, log=said.append)
    handed: list[str] = []

    def keep(event: dict[str, Any]) -> dict[str, Any]:
        handed.extend(record["dynamodb"]["Keys"]["pk"]["S"] for record in event["Records"])
        return {"batchItemFailures": []}

    _write(aws, 0, 1)
    assert feed.feed_once(keep) == 1
    _write(aws, 1, KEPT * 2)  # the feed's position is trimmed meanwhile
    assert feed.feed_once(keep) == KEPT
    assert handed[-1] == f"STREAMTEST#{KEPT * 2}"
    assert len(said) == 1
    assert "trimmed" in said[0]
