"""The moto stand-in's DynamoDB transactions (``standins.moto_atomic``): all or nothing as DynamoDB's are, while backing
up only the items a transaction touches (moto 5.2 copies every table it names, once per item, and never frees the
copies), and no replaced item version is kept alive."""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError

from standins.aws_stand_ins import ACCOUNT, REGION
from tests.conftest import TABLE, AwsStandIns


def _key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": "ITEM"}}


def _item(pk: str, **attributes: str) -> dict[str, Any]:
    return {**_key(pk), **{name: {"S": value} for name, value in attributes.items()}}


def _fill(aws: AwsStandIns, count: int) -> None:
    for start in range(0, count, 25):
        requests = [{"PutRequest": {"Item": _item(f"FILL#{i}", body="x" * 200)}} for i in range(start, start + 25)]
        aws.dynamodb.batch_write_item(RequestItems={TABLE: requests[: count - start]})


def _everything(aws: AwsStandIns) -> list[dict[str, Any]]:
    items = aws.dynamodb.scan(TableName=TABLE)["Items"]
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def _moto_table() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT][REGION].tables[TABLE]


@contextmanager
def _items_created() -> Iterator[list[int]]:
    """Counts moto ``Item`` objects made (new items and copies alike) inside the block."""
    from moto.dynamodb.models.dynamo_type import Item

    made = [0]
    original = Item.__dict__["__new__"]

    def counting(cls: type, *args: Any, **kwargs: Any) -> Any:
        made[0] += 1
        return original.__func__(cls, *args, **kwargs)

    Item.__new__ = staticmethod(counting)  # type: ignore[method-assign]
    try:
        yield made
    finally:
        Item.__new__ = original  # type: ignore[method-assign]


def _cancelled(aws: AwsStandIns, transact_items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    with pytest.raises(ClientError) as raised:
        aws.dynamodb.transact_write_items(TransactItems=transact_items)
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    return list(raised.value.response["CancellationReasons"])


def test_a_cancelled_transaction_puts_back_every_item_it_wrote(aws: AwsStandIns) -> None:
    aws.dynamodb.put_item(TableName=TABLE, Item=_item("A", status="scheduled", note="kept"))
    aws.dynamodb.put_item(TableName=TABLE, Item=_item("B", status="scheduled"))
    aws.dynamodb.put_item(TableName=TABLE, Item=_item("D", status="completed"))
    _fill(aws, 60)
    before = _everything(aws)

    reasons = _cancelled(
        aws,
        [
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": _key("A"),
                    "UpdateExpression": "SET #s = :s REMOVE note",
                    "ConditionExpression": "#s = :was",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":s": {"S": "initiated"}, ":was": {"S": "scheduled"}},
                }
            },
            {"Delete": {"TableName": TABLE, "Key": _key("B")}},
            {"Put": {"TableName": TABLE, "Item": _item("C", status="new")}},
            {"Put": {"TableName": TABLE, "Item": _item("NEW#PARTITION", status="new")}},
            {
                "ConditionCheck": {  # moto applies the three writes above, then this fails
                    "TableName": TABLE,
                    "Key": _key("D"),
                    "ConditionExpression": "#s = :s",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":s": {"S": "scheduled"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
        ],
    )

    assert [reason["Code"] for reason in reasons] == ["None", "None", "None", "None", "ConditionalCheckFailed"]
    assert reasons[-1]["Item"]["status"] == {"S": "completed"}  # moto's own reasons, unchanged
    assert _everything(aws) == before
    assert aws.dynamodb.get_item(TableName=TABLE, Key=_key("C")).get("Item") is None


def test_a_refused_transaction_puts_back_what_it_wrote_before_the_refusal(aws: AwsStandIns) -> None:
    aws.dynamodb.put_item(TableName=TABLE, Item=_item("A", status="scheduled"))
    before = _everything(aws)
    twice = {"TableName": TABLE, "Key": _key("A"), "UpdateExpression": "SET n = :n"}
    with pytest.raises(ClientError) as raised:
        aws.dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": _item("C")}},
                {"Update": {**twice, "ExpressionAttributeValues": {":n": {"S": "1"}}}},
                {"Update": {**twice, "ExpressionAttributeValues": {":n": {"S": "2"}}}},  # the same item again
            ]
        )
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert _everything(aws) == before


def test_a_transaction_that_succeeds_writes_every_item(aws: AwsStandIns) -> None:
    aws.dynamodb.put_item(TableName=TABLE, Item=_item("A", status="scheduled"))
    aws.dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": _item("C", status="new")}},
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": _key("A"),
                    "UpdateExpression": "SET #s = :s",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":s": {"S": "initiated"}},
                }
            },
        ]
    )
    assert [item["pk"]["S"] for item in _everything(aws)] == ["A", "C"]
    assert _everything(aws)[0]["status"] == {"S": "initiated"}


def test_the_tables_stream_has_what_succeeded_and_nothing_of_a_cancelled_transaction(aws: AwsStandIns) -> None:
    from standins.stream_feed import StreamFeed
    from tests.support.lifecycle import streams_client

    aws.dynamodb.put_item(TableName=TABLE, Item=_item("A", status="scheduled"))
    feed = StreamFeed(aws.dynamodb, streams_client(), TABLE)
    seen: list[tuple[str, str]] = []

    def read() -> list[tuple[str, str]]:
        seen.clear()
        feed.feed_once(
            lambda event: seen.extend((r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in event["Records"])
        )
        return list(seen)

    assert read() == [("INSERT", "A")]
    _items_made_by_one_transaction(aws, "FAILED", False)
    assert read() == []  # a cancelled transaction wrote nothing, so it streamed nothing
    _items_made_by_one_transaction(aws, "DONE", True)
    assert read() == [("INSERT", "DONE"), ("MODIFY", "A")]


def _items_made_by_one_transaction(aws: AwsStandIns, new_key: str, succeed: bool) -> int:
    update = {
        "Update": {
            "TableName": TABLE,
            "Key": _key("A"),
            "UpdateExpression": "SET n = :n",
            "ConditionExpression": "attribute_exists(pk)" if succeed else "attribute_not_exists(pk)",
            "ExpressionAttributeValues": {":n": {"S": "1"}},
        }
    }
    put = {"Put": {"TableName": TABLE, "Item": _item(new_key, status="new")}}
    with _items_created() as made:
        if succeed:
            aws.dynamodb.transact_write_items(TransactItems=[put, update])
        else:
            _cancelled(aws, [put, update])
    return made[0]


def test_a_transaction_copies_only_the_items_it_touches_whatever_the_table_holds(aws: AwsStandIns) -> None:
    aws.dynamodb.put_item(TableName=TABLE, Item=_item("A", status="scheduled"))
    small = [_items_made_by_one_transaction(aws, f"SMALL#{ok}", ok) for ok in (False, True)]
    _fill(aws, 1_500)
    large = [_items_made_by_one_transaction(aws, f"LARGE#{ok}", ok) for ok in (False, True)]
    assert large == small  # moto as shipped copies all 1,500 items, twice, for each transaction
    assert max(large) <= 6  # the two touched items' backups, the new item, update_item's own copy


def test_a_table_is_still_copied_whole_outside_a_transaction(aws: AwsStandIns) -> None:
    _fill(aws, 30)
    table = _moto_table()
    duplicate = copy.deepcopy(table)  # what moto's backups and restores do
    assert duplicate is not table
    assert duplicate.items is not table.items
    assert sum(len(partition) for partition in duplicate.items.values()) == 30


def _tracked_items() -> list[Any]:
    """The ``Item`` objects moto's dashboard (``/moto-api/data.json``) would list."""
    from moto.dynamodb.models.dynamo_type import Item

    gc.collect()
    return list(Item.instances_tracked)  # type: ignore[attr-defined]


def test_replaced_item_versions_are_freed(aws: AwsStandIns) -> None:
    aws.dynamodb.put_item(TableName=TABLE, Item=_item("A", n="0"))
    live_before = len(_tracked_items())
    for index in range(200):
        aws.dynamodb.put_item(TableName=TABLE, Item=_item("A", n=str(index)))
        aws.dynamodb.update_item(
            TableName=TABLE, Key=_key("A"), UpdateExpression="SET m = :m", ExpressionAttributeValues={":m": {"S": "x"}}
        )
    tracked = _tracked_items()
    assert len(tracked) - live_before <= 2  # moto as shipped keeps every replaced version (600 here)
    assert "199" in [item.attrs["n"].value for item in tracked if item.hash_key.value == "A"]  # the live one


def test_a_read_is_a_snapshot_that_a_later_update_of_a_map_does_not_change(aws: AwsStandIns) -> None:
    """moto serializes a read's item after its lock is released: a live item changed by another thread's update
    meanwhile failed with "dictionary changed size during iteration" (a burst's lease pools)."""
    from moto.dynamodb.models import dynamodb_backends

    aws.dynamodb.put_item(TableName=TABLE, Item={**_key("POOL"), "leases": {"M": {"a": {"N": "1"}}}})
    backend = dynamodb_backends[ACCOUNT][REGION]
    read = backend.get_item(TABLE, _key("POOL"))
    assert read is not None
    aws.dynamodb.update_item(
        TableName=TABLE,
        Key=_key("POOL"),
        UpdateExpression="SET leases.b = :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    assert sorted(read.to_json()["Attributes"]["leases"]["M"]) == ["a"]
    now = backend.get_item(TABLE, _key("POOL"))
    assert now is not None
    assert sorted(now.to_json()["Attributes"]["leases"]["M"]) == ["a", "b"]
