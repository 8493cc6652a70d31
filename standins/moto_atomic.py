"""Make moto's DynamoDB behave as DynamoDB does where the tests and the local stack depend on it.

* **Atomic writes.** moto checks a ``ConditionExpression`` and then writes, with nothing stopping another thread in
  between; DynamoDB never lets two conditional writes on an item both succeed. The tests that race deliveries
  against each other, and the local stack (several handler threads), need the real guarantee, so every item
  operation of moto's DynamoDB backend runs under one lock.
* **Reads that are not torn.** moto hands a read back as its live item and serializes it after the lock is released;
  an update on another thread meanwhile (a lease pool's map gaining a lease) changes the dict being serialized
  ("dictionary changed size during iteration"). A read returns a copy taken under the lock, as DynamoDB's answer is
  a snapshot.
* **Answers that are one moment.** A write's answer is made outside the backend too: ``update_item`` reads the old
  item (``ReturnValues=ALL_OLD``) in one backend call, writes in another, and serializes the live item it wrote
  (``ALL_NEW``) after both; a write on another thread in between changed the map being serialized (the same
  ``RuntimeError``, a 500) or made ``ALL_OLD`` not the item the write replaced. Each DynamoDB request is handled
  whole (parsed, applied, its answer made) under the lock, as DynamoDB answers a write with the item as it wrote it.
* **DynamoDB's limits** (``standins.moto_limits``) and **transaction conflicts** (``standins.moto_conflicts``) are
  installed with the rest.
* **Transactions that cost what they touch.** moto 5.2's ``transact_write_items`` backs up for its rollback by
  deep-copying the whole table, once per item of the transaction: O(table size) time for every transaction. Every
  copied item is also a moto model, and moto's ``BaseModel.__new__`` appends every model instance ever created to
  its class's ``instances_tracked`` (for the ``/moto-api/data.json`` dashboard), so the copies are never freed: a
  two-item transaction on a 10,000-item table took 1.6 s and kept about 47 MB (``python -m bench.moto_transactions``).
  Here the backup is the items the transaction names, and a failed transaction puts exactly those back (and takes
  back the stream records it wrote, on a table with a stream); everything else (its checks, the order it applies
  them, the cancellation reasons) is still moto's own code.
* **No item kept forever.** For the same reason every ``put_item`` (a new ``Item``) and ``update_item`` (a copy of
  the old one) left one item version behind for good. DynamoDB items are tracked weakly here: the dashboard still
  lists the live ones, and the replaced ones are freed. So are the stream's records and shard iterators.
* **No stream record kept forever** (``standins.moto_streams``): a shard keeps its newest records, as DynamoDB keeps
  24 hours of them, and refuses a read of the trimmed part with ``TrimmedDataAccessException``.

(It is a stand-in's defects being corrected, not our code being helped: the code under test is unchanged.)
"""

from __future__ import annotations

import copy
import functools
import itertools
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from standins.moto_conflicts import conflicting_transactions
from standins.moto_limits import enforce_dynamodb_limits
from standins.moto_streams import bound_stream_retention

_LOCK = threading.RLock()
_OPERATIONS = ("get_item", "put_item", "update_item", "delete_item", "transact_write_items", "query", "scan")
_READS = ("get_item", "query", "scan")
_IN_TRANSACTION = threading.local()


def make_moto_dynamodb_atomic() -> None:
    """Idempotent: wraps each operation of moto's DynamoDB backend once."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    for name in _OPERATIONS:
        method = getattr(DynamoDBBackend, name)
        if getattr(method, "_atomic", False):
            continue
        if name == "transact_write_items":
            method = conflicting_transactions(_rolling_back_touched_items(method))
        if name in _READS:
            method = _copied(method)
        setattr(DynamoDBBackend, name, _locked(method))
    enforce_dynamodb_limits()
    bound_stream_retention(lambda: bool(getattr(_IN_TRANSACTION, "active", False)))
    if not getattr(DynamoHandler.call_action, "_atomic", False):
        DynamoHandler.call_action = _locked(DynamoHandler.call_action)  # type: ignore[method-assign]
    if "__deepcopy__" not in Table.__dict__:
        Table.__deepcopy__ = _table_deepcopy  # type: ignore[attr-defined]
    from moto.dynamodb.models.table import StreamRecord
    from moto.dynamodbstreams.models import ShardIterator

    # Items, and the stream's records and iterators, which hold two item images each or are made on every read.
    for model in (Item, StreamRecord, ShardIterator):
        if "__new__" not in model.__dict__:
            model.__new__ = staticmethod(_weakly_tracked_new)  # type: ignore[method-assign]


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    wrapper._atomic = True  # type: ignore[attr-defined]
    return wrapper


def _copied(read: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(read)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return copy.deepcopy(read(*args, **kwargs))

    return wrapper


# -- transactions: back up and restore the items a transaction touches, not whole tables -------------------------


@dataclass(frozen=True)
class _Saved:
    """One item as it was before the transaction: ``item`` is ``None`` when it did not exist."""

    table: Any  # moto Table
    hash_key: Any  # DynamoType
    range_key: Any  # DynamoType | None
    item: Any  # moto Item (a private copy) | None
    had_partition: bool


def _rolling_back_touched_items(transact: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(transact)
    def wrapper(backend: Any, transact_items: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
        saved = list(_save_touched(backend, transact_items))
        # A table's stream: the records the transaction wrote before it gave up are taken back too (a failed
        # transaction wrote nothing, so it streams nothing).
        shards = {id(entry.table): entry.table.stream_shard for entry in saved if entry.table.stream_shard is not None}
        streamed = {key: len(shard.items) for key, shard in shards.items()}
        _IN_TRANSACTION.active = True
        try:
            return transact(backend, transact_items, *args, **kwargs)
        except BaseException:
            # moto "restored" each table from a backup that was the live table itself (see _table_deepcopy); the
            # items it wrote before it gave up are put back here.
            for entry in reversed(saved):
                _restore(entry)
            for key, shard in shards.items():
                del shard.items[streamed[key] :]
            raise
        finally:
            _IN_TRANSACTION.active = False

    return wrapper


def _save_touched(backend: Any, transact_items: list[dict[str, Any]]) -> Iterator[_Saved]:
    """A private copy of each item the transaction names (``Put``'s key comes from its item). An operation whose
    table or key moto will refuse is skipped: moto refuses it before writing it."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    seen: set[tuple[int, Any, Any]] = set()
    for entry in transact_items:
        if not isinstance(entry, dict) or len(entry) != 1:
            continue
        ((kind, operation),) = entry.items()
        if not isinstance(operation, dict):
            continue
        table = backend.tables.get(operation.get("TableName"))
        if table is None:
            continue
        key = operation.get("Item") if kind == "Put" else operation.get("Key")
        try:
            hash_key = DynamoType(key[table.hash_key_attr])  # type: ignore[index]
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None  # type: ignore[index]
        except (KeyError, TypeError, AttributeError):
            continue
        if (id(table), hash_key, range_key) in seen:
            continue
        seen.add((id(table), hash_key, range_key))
        had_partition = hash_key in table.items
        current = _current(table, hash_key, range_key)
        yield _Saved(table, hash_key, range_key, copy.deepcopy(current), had_partition)


def _current(table: Any, hash_key: Any, range_key: Any) -> Any:
    if table.range_key_attr is None:
        return table.items.get(hash_key)
    partition = table.items.get(hash_key)
    return None if partition is None else partition.get(range_key)


def _restore(saved: _Saved) -> None:
    items = saved.table.items
    if saved.table.range_key_attr is None:
        if saved.item is None:
            items.pop(saved.hash_key, None)
        else:
            items[saved.hash_key] = saved.item
        return
    partition = items.setdefault(saved.hash_key, {})
    if saved.item is None:
        partition.pop(saved.range_key, None)
    else:
        partition[saved.range_key] = saved.item
    if not partition and not saved.had_partition:
        del items[saved.hash_key]


def _table_deepcopy(table: Any, memo: dict[int, Any]) -> Any:
    """Inside a transaction (this thread), moto's backup of a whole table is the table itself: the wrapper keeps the
    touched items instead. Anywhere else (a table backup, a restore) it is an ordinary deep copy."""
    if getattr(_IN_TRANSACTION, "active", False):
        return table
    duplicate = table.__class__.__new__(table.__class__)  # moto's own __new__, as a plain deep copy calls it
    memo[id(table)] = duplicate
    for name, value in table.__dict__.items():
        setattr(duplicate, name, copy.deepcopy(value, memo))
    return duplicate


# -- instance tracking: weak, so replaced item versions are freed --------------------------------------------------


class _WeakInstances:
    """Stands in for a model class's ``instances_tracked`` list: moto's dashboard iterates it; it keeps nothing
    alive. (``Item`` defines ``__eq__`` and so is unhashable: a WeakSet cannot hold it.)"""

    def __init__(self) -> None:
        self._refs: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
        self._next = itertools.count()

    def append(self, instance: Any) -> None:
        self._refs[next(self._next)] = instance

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._refs.values()))

    def __len__(self) -> int:
        return len(self._refs)


def _weakly_tracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    instance: Any = object.__new__(cls)
    tracked = cls.__dict__.get("instances_tracked")
    if not isinstance(tracked, _WeakInstances):
        # first use, or moto's reset put a plain list back
        tracked = _WeakInstances()
        cls.instances_tracked = tracked  # type: ignore[attr-defined]
    tracked.append(instance)
    return instance
