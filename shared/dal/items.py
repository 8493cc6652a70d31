"""Conversion between plain JSON-like values and DynamoDB's typed attribute values."""

from __future__ import annotations

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


def batch_get(
    client: Any, table: str, keys: list[dict[str, Any]], *, consistent: bool, projection: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The items of ``table`` at ``keys`` (DynamoDB-typed key documents) that exist, in no particular order: one
    ``BatchGetItem`` per 100 keys, asked again for the keys DynamoDB leaves unprocessed. With ``projection``, only
    those attributes."""
    found: list[dict[str, Any]] = []
    shape: dict[str, Any] = {"ConsistentRead": consistent}
    if projection:
        names = {f"#a{index}": name for index, name in enumerate(projection)}
        shape |= {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
    for first in range(0, len(keys), 100):
        pending = keys[first : first + 100]
        while pending:
            response = client.batch_get_item(RequestItems={table: {"Keys": pending, **shape}})
            found.extend(response.get("Responses", {}).get(table, []))
            pending = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    return found
