"""``ReadAheadClient``: a step's reads in one ``BatchGetItem``, each served once, never after a write of the item."""

from __future__ import annotations

from typing import Any

from shared.dal.items import to_item
from shared.dal.read_ahead import ReadAheadClient

TABLE = "calls"
SETTINGS = {"pk": "CLINIC#a", "sk": "SETTINGS"}
BREAKER = {"pk": "BREAKER#RETELL", "sk": "BREAKER"}


class RecordingClient:
    """Answers from a dict of items, and records each request."""

    def __init__(self, items: list[dict[str, Any]]):
        self.items = {(item["pk"], item["sk"]): to_item(item) for item in items}
        self.requests: list[str] = []

    def _find(self, key: dict[str, Any]) -> dict[str, Any] | None:
        return self.items.get((key["pk"]["S"], key["sk"]["S"]))

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803 - boto3's name
        self.requests.append("BatchGetItem")
        keys = RequestItems[TABLE]["Keys"]
        return {"Responses": {TABLE: [item for key in keys if (item := self._find(key)) is not None]}}

    def get_item(self, **request: Any) -> dict[str, Any]:
        self.requests.append("GetItem")
        item = self._find(request["Key"])
        return {"Item": item} if item is not None else {}

    def put_item(self, **request: Any) -> dict[str, Any]:
        self.requests.append("PutItem")
        return {}


def test_items_read_ahead_are_served_once_and_absent_ones_too() -> None:
    client = RecordingClient([{**SETTINGS, "settings": "{}"}])
    reads = ReadAheadClient(client)
    with reads.read_ahead(TABLE, [SETTINGS, BREAKER]):
        assert reads.get_item(TableName=TABLE, Key=to_item(SETTINGS))["Item"]["settings"] == {"S": "{}"}
        assert reads.get_item(TableName=TABLE, Key=to_item(BREAKER)) == {}
        assert client.requests == ["BatchGetItem"]
        reads.get_item(TableName=TABLE, Key=to_item(SETTINGS))  # served once: read again
        assert client.requests == ["BatchGetItem", "GetItem"]


def test_a_write_of_an_item_read_ahead_makes_its_next_read_go_to_the_table() -> None:
    client = RecordingClient([{**SETTINGS, "settings": "{}"}])
    reads = ReadAheadClient(client)
    with reads.read_ahead(TABLE, [SETTINGS, BREAKER]):
        reads.put_item(TableName=TABLE, Item=to_item({**SETTINGS, "settings": "{ }"}))
        reads.get_item(TableName=TABLE, Key=to_item(SETTINGS))
        assert reads.get_item(TableName=TABLE, Key=to_item(BREAKER)) == {}  # not written: still served
    assert client.requests == ["BatchGetItem", "PutItem", "GetItem"]


def test_nothing_read_ahead_outlives_its_block() -> None:
    client = RecordingClient([{**SETTINGS, "settings": "{}"}])
    reads = ReadAheadClient(client)
    with reads.read_ahead(TABLE, [SETTINGS]):
        pass
    reads.get_item(TableName=TABLE, Key=to_item(SETTINGS))
    assert client.requests == ["BatchGetItem", "GetItem"]
