"""``BatchGetItem``'s ``UnprocessedKeys`` (DynamoDB leaves keys unprocessed when it throttles a read): every batch
read asks again for them after a pause that doubles each time, a bounded number of times, and then says so
(``UnprocessedKeysLeft``) rather than answering with items missing. The stand-in leaves keys unprocessed on demand
(``standins.moto_limits.unprocess_batch_gets``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.dal.items import BATCH_GET_ATTEMPTS, UnprocessedKeysLeft, batch_get, to_item
from shared.dal.read_ahead import ReadAheadClient
from standins.moto_limits import unprocess_batch_gets
from tests.conftest import TABLE, AwsStandIns


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The pauses the reads make (not slept), with the stand-in answering every key unless a test says otherwise."""
    slept: list[float] = []
    monkeypatch.setattr("shared.dal.items.time.sleep", slept.append)
    yield slept
    unprocess_batch_gets(None)


def _key(n: int) -> dict[str, Any]:
    return to_item({"pk": f"ITEM#{n}", "sk": "ITEM"})


def _store(aws: AwsStandIns, count: int) -> None:
    for first in range(0, count, 25):
        requests = [{"PutRequest": {"Item": {**_key(n), "n": {"N": str(n)}}}} for n in range(first, first + 25)]
        aws.dynamodb.batch_write_item(RequestItems={TABLE: requests[: count - first]})


def test_the_stand_in_leaves_keys_unprocessed_when_told(aws: AwsStandIns, pauses: list[float]) -> None:
    _store(aws, 10)
    unprocess_batch_gets(4)
    answer = aws.dynamodb.batch_get_item(RequestItems={TABLE: {"Keys": [_key(n) for n in range(10)]}})
    assert len(answer["Responses"][TABLE]) == 4
    assert answer["UnprocessedKeys"][TABLE]["Keys"] == [_key(n) for n in range(4, 10)]


def test_unprocessed_keys_are_asked_again_with_growing_pauses(aws: AwsStandIns, pauses: list[float]) -> None:
    _store(aws, 200)
    unprocess_batch_gets(30)
    items = batch_get(aws.dynamodb, TABLE, [_key(n) for n in range(250)], consistent=True)
    assert sorted(int(item["n"]["N"]) for item in items) == list(range(200))
    assert len(pauses) == 3 + 3 + 1  # 100 keys: 30, 30, 30 and 10, three retries (twice); 50 keys: 30 then 20
    first = pauses[:3]
    assert first[0] < first[2]  # exponential: each pause's ceiling doubles (jitter keeps it at half or more)


def test_keys_still_unprocessed_after_every_attempt_are_an_error(aws: AwsStandIns, pauses: list[float]) -> None:
    _store(aws, 3)
    unprocess_batch_gets(0)
    with pytest.raises(UnprocessedKeysLeft) as raised:
        batch_get(aws.dynamodb, TABLE, [_key(n) for n in range(3)], consistent=False)
    assert len(raised.value.keys) == 3
    assert len(pauses) == BATCH_GET_ATTEMPTS - 1
    assert sum(pauses) < 5  # bounded: a request does not wait for ever


def test_a_read_ahead_leaves_what_stayed_unprocessed_to_get_item(aws: AwsStandIns, pauses: list[float]) -> None:
    _store(aws, 2)
    unprocess_batch_gets(0)
    client = ReadAheadClient(aws.dynamodb)
    keys = [{"pk": f"ITEM#{n}", "sk": "ITEM"} for n in range(3)]  # ITEM#2 does not exist
    with client.read_ahead(TABLE, keys):
        assert client.get_item(TableName=TABLE, Key=_key(0))["Item"]["n"] == {"N": "0"}
        assert "Item" not in client.get_item(TableName=TABLE, Key=_key(2))
    assert len(pauses) == 2  # three requests at most, then get_item
    unprocess_batch_gets(1)
    with client.read_ahead(TABLE, keys):
        assert client.get_item(TableName=TABLE, Key=_key(1))["Item"]["n"] == {"N": "1"}
        assert "Item" not in client.get_item(TableName=TABLE, Key=_key(2))
