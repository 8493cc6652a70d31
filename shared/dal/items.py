"""Conversion between plain JSON-like values and DynamoDB's typed attribute values."""

from __future__ import annotations

import random
import time
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from shared.dal.table_design import PARTITION_KEY

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _to_dynamo_value(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_dynamo_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_dynamo_value(v) for v in value]
    return value


def _from_dynamo_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo_value(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_from_dynamo_value(v) for v in value]
    return value


def to_item(document: dict[str, Any]) -> dict[str, Any]:
    """A JSON-like dict as a DynamoDB item. ``None`` values are left out rather than stored as NULL."""
    return {k: _serializer.serialize(_to_dynamo_value(v)) for k, v in document.items() if v is not None}


def to_attribute(value: Any) -> dict[str, Any]:
    return dict(_serializer.serialize(_to_dynamo_value(value)))


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _from_dynamo_value(_deserializer.deserialize(v)) for k, v in item.items()}


def put_if_absent(client: Any, table: str, document: dict[str, Any]) -> bool:
    """Write ``document`` as a new item; ``False``, writing nothing, if an item with its key exists already."""
    try:
        client.put_item(
            TableName=table,
            Item=to_item(document),
            ConditionExpression="attribute_not_exists(#pk)",
            ExpressionAttributeNames={"#pk": PARTITION_KEY},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return False
    return True


BATCH_GET_ATTEMPTS = 8
"""Requests for one batch of keys, the first and the retries of what DynamoDB left unprocessed (throttling, or an
answer over 16 MB), before ``UnprocessedKeysLeft``."""
BATCH_GET_PAUSE = 0.05
"""Seconds before the first retry; each next one waits twice as long (at most ``BATCH_GET_MAX_PAUSE``), with jitter,
as AWS advises for unprocessed keys: 0.05 + 0.1 + ... comes to about 4 s over the seven retries."""
BATCH_GET_MAX_PAUSE = 1.6


class UnprocessedKeysLeft(Exception):
    """DynamoDB still left keys unprocessed after every retry (the table is throttled for longer than a request
    may wait)."""

    def __init__(self, table: str, keys: list[dict[str, Any]], attempts: int):
        super().__init__(f"BatchGetItem on {table} left {len(keys)} key(s) unprocessed after {attempts} attempts")
        self.keys = keys


def batch_get_rounds(
    client: Any, table: str, keys: list[dict[str, Any]], shape: dict[str, Any], attempts: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Up to ``attempts`` ``BatchGetItem`` requests for ``keys`` (at most 100), each asking again for what the last
    left unprocessed after an exponential pause: the items found, and the keys still unprocessed."""
    found: list[dict[str, Any]] = []
    pending = keys
    for attempt in range(attempts if keys else 0):
        if attempt:
            pause = min(BATCH_GET_PAUSE * 2 ** (attempt - 1), BATCH_GET_MAX_PAUSE)
            time.sleep(pause * random.uniform(0.5, 1.0))  # jitter, so throttled readers spread out
        response = client.batch_get_item(RequestItems={table: {"Keys": pending, **shape}})
        found.extend(response.get("Responses", {}).get(table, []))
        pending = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
        if not pending:
            break
    return found, pending


def batch_get(
    client: Any, table: str, keys: list[dict[str, Any]], *, consistent: bool, projection: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The items of ``table`` at ``keys`` (DynamoDB-typed key documents) that exist, in no particular order: one
    ``BatchGetItem`` per 100 keys, asked again for the keys DynamoDB leaves unprocessed (``batch_get_rounds``);
    ``UnprocessedKeysLeft`` if some are still left after ``BATCH_GET_ATTEMPTS``. With ``projection``, only those
    attributes."""
    found: list[dict[str, Any]] = []
    shape: dict[str, Any] = {"ConsistentRead": consistent}
    if projection:
        names = {f"#a{index}": name for index, name in enumerate(projection)}
        shape |= {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
    for first in range(0, len(keys), 100):
        items, left = batch_get_rounds(client, table, keys[first : first + 100], shape, BATCH_GET_ATTEMPTS)
        if left:
            raise UnprocessedKeysLeft(table, left, BATCH_GET_ATTEMPTS)
        found.extend(items)
    return found
