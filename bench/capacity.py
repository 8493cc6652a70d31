"""DynamoDB capacity units of a flow, computed from the items it writes and reads (``make bench``).

moto does not report ``ConsumedCapacity`` reliably, so the meter computes it the way DynamoDB bills on-demand
capacity, from the items themselves. It wraps botocore's client (as ``bench.run.counting_aws_calls`` does) and,
around every write, reads the item before and after through the unwrapped client (uncounted), so it knows both:

* an item's size is the UTF-8 length of each attribute name plus its value (strings by UTF-8 length, numbers about
  one byte per two digits plus one, booleans and nulls one byte, lists and maps three bytes plus one per element
  plus their elements);
* a write (put, update, delete, also one whose condition fails) costs one write unit per started KB of the larger
  of the item before and after; in ``TransactWriteItems`` each item costs twice that;
* each global secondary index costs, for the same write, one write per started KB of the projected entry (the
  table's keys, the index's keys, the projected attributes, 100 bytes of overhead) it puts, and as much for the
  entry it deletes: an update that moves the index key pays both, one that changes no projected attribute pays
  nothing, an item leaving or entering a sparse index pays one;
* a consistent read costs one read unit per started 4 KB of the item (a miss costs one), an eventually consistent
  one half; a query costs the started 4 KB of all the items it returns together; ``BatchGetItem`` per item.

The index definitions are the table's own (the synthesized template's, from which moto's table is built),
so a change of projection shows in the figure.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

KB = 1024
READ_UNIT = 4 * KB
INDEX_OVERHEAD = 100


def value_size(value: dict[str, Any]) -> int:
    (kind, inner), *_ = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = len(inner.lstrip("-").replace(".", "").lstrip("0")) or 1
        return math.ceil(digits / 2) + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in inner)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + value_size(element) for name, element in inner.items())
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: element}) for element in inner)
    raise ValueError(kind)


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in (item or {}).items())


@dataclass(frozen=True)
class _Index:
    name: str
    keys: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY, INCLUDE
    included: tuple[str, ...] = ()

    def entry(self, item: dict[str, Any] | None, table_keys: tuple[str, ...]) -> dict[str, Any] | None:
        if item is None or not all(key in item for key in self.keys):
            return None
        if self.projection == "ALL":
            return item
        names = {*table_keys, *self.keys, *self.included}
        return {name: value for name, value in item.items() if name in names}


@dataclass
class Units:
    """Write and read units, and the writes by item kind (the partition key's prefix) for the report."""

    write: float = 0.0
    read: float = 0.0
    by_kind: dict[str, float] = field(default_factory=dict)

    def add_write(self, kind: str, units: float) -> None:
        self.write += units
        self.by_kind[kind] = self.by_kind.get(kind, 0.0) + units


def _kind(key: dict[str, Any]) -> str:
    return str(key.get("pk", {}).get("S", "?")).split("#")[0]


class _Meter:
    def __init__(self, original: Any, units: Callable[[], Units]):
        self._original = original
        self._units_now = units
        self._tables: dict[str, tuple[tuple[str, ...], list[_Index]]] = {}

    def _design(self, client: Any, table: str) -> tuple[tuple[str, ...], list[_Index]]:
        if table not in self._tables:
            # The table as the stack synthesizes it (moto's was created from the same): no request, so the functions'
            # roles, which may not describe the table, are not asked to.
            from standins.aws_resources import create_table_request
            from standins.stack_template import synthesized_template

            description = create_table_request(synthesized_template(), table)
            keys = tuple(key["AttributeName"] for key in description["KeySchema"])
            indexes = [
                _Index(
                    index["IndexName"],
                    tuple(key["AttributeName"] for key in index["KeySchema"]),
                    index["Projection"]["ProjectionType"],
                    tuple(index["Projection"].get("NonKeyAttributes", [])),
                )
                for index in description.get("GlobalSecondaryIndexes", [])
            ]
            self._tables[table] = (keys, indexes)
        return self._tables[table]

    def _item(self, client: Any, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        response = self._original(client, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
        item: dict[str, Any] | None = response.get("Item")
        return item

    def _key_of(self, client: Any, table: str, request: dict[str, Any]) -> dict[str, Any]:
        if "Key" in request:
            return dict(request["Key"])
        keys, _ = self._design(client, table)
        return {name: request["Item"][name] for name in keys}

    def call(self, client: Any, operation: str, params: dict[str, Any]) -> Any:
        writes: list[tuple[str, dict[str, Any], int]] = []  # (table, key, multiplier)
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            writes.append((params["TableName"], self._key_of(client, params["TableName"], params), 1))
        elif operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                ((action, request),) = entry.items()
                if action != "ConditionCheck":
                    writes.append((request["TableName"], self._key_of(client, request["TableName"], request), 2))
                else:
                    self._units_now().read += 2 * max(
                        1, math.ceil(item_size(self._item(client, request["TableName"], request["Key"])) / READ_UNIT)
                    )
        elif operation == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                for entry in requests:
                    ((_, request),) = entry.items()
                    writes.append((table, self._key_of(client, table, request), 1))
        before = [self._item(client, table, key) for table, key, _ in writes]
        try:
            response = self._original(client, operation, params)
        finally:
            for (table, key, multiplier), old in zip(writes, before, strict=True):
                self._charge_write(client, table, key, multiplier, old)
        self._charge_read(operation, params, response)
        return response

    def _charge_write(
        self, client: Any, table: str, key: dict[str, Any], multiplier: int, old: dict[str, Any] | None
    ) -> None:
        new = self._item(client, table, key)
        kind = _kind(key)
        units = multiplier * max(1, math.ceil(max(item_size(old), item_size(new)) / KB))
        self._units_now().add_write(kind, units)
        table_keys, indexes = self._design(client, table)
        for index in indexes:
            old_entry, new_entry = index.entry(old, table_keys), index.entry(new, table_keys)
            if old_entry == new_entry:
                continue
            moved = (
                old_entry is not None
                and new_entry is not None
                and any(old_entry[name] != new_entry[name] for name in index.keys)
            )
            cost = 0
            if old_entry is not None and (new_entry is None or moved):
                cost += math.ceil((item_size(old_entry) + INDEX_OVERHEAD) / KB)
            if new_entry is not None:
                cost += math.ceil((item_size(new_entry) + INDEX_OVERHEAD) / KB)
            self._units_now().add_write(f"{kind} -> {index.name}", cost)

    def _charge_read(self, operation: str, params: dict[str, Any], response: dict[str, Any]) -> None:
        factor = 1.0 if params.get("ConsistentRead") else 0.5
        if operation == "GetItem":
            self._units_now().read += factor * max(1, math.ceil(item_size(response.get("Item")) / READ_UNIT))
        elif operation == "Query":
            total = sum(item_size(item) for item in response.get("Items", []))
            self._units_now().read += factor * max(1, math.ceil(total / READ_UNIT))
        elif operation == "BatchGetItem":
            for table, items in response.get("Responses", {}).items():
                consistent = params["RequestItems"][table].get("ConsistentRead", False)
                requested = len(params["RequestItems"][table]["Keys"])
                found = sum(max(1, math.ceil(item_size(item) / READ_UNIT)) for item in items)
                self._units_now().read += (1.0 if consistent else 0.5) * (found + requested - len(items))


@contextlib.contextmanager
def metering_capacity(units: Units | Callable[[], Units]) -> Iterator[None]:
    """Add the write and read units of every DynamoDB request made while entered to ``units`` (or to the units
    that ``units()`` names at the time of the request)."""
    import botocore.client

    original = botocore.client.BaseClient._make_api_call
    meter = _Meter(original, units if callable(units) else lambda: units)

    def metered(self: Any, operation: str, params: Any) -> Any:
        if self.meta.service_model.service_name != "dynamodb":
            return original(self, operation, params)
        return meter.call(self, operation, params)

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", metered):
        yield
