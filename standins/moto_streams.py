"""DynamoDB Streams' retention, which moto does not have, applied to moto's stream shards.

DynamoDB keeps a stream's records for 24 hours and then trims them; moto keeps every record, each with the old and
the new image of its item, for as long as the process lives. In a long run of the local stack that is most of moto's
memory: a busy clinic's lease pool is written on every dial, and each write kept two copies of the pool (a
2,000-call soak grew moto's server past 1 GB). Here a shard keeps its newest ``MOTO_STREAM_RECORDS_KEPT`` records
(default ``RECORDS_KEPT``) and trims the older ones, as DynamoDB trims by age: the local stream feed reads within a
second of a write, so only a reader that fell far behind ever meets the trimmed part, and it is then refused with
DynamoDB's ``TrimmedDataAccessException`` (the feed starts again from the oldest record kept, as an event source
mapping does), never handed a record that is gone.

Shard iterators expire after 15 minutes in DynamoDB; moto keeps every one it ever handed out (two each read). Only
the newest ``ITERATORS_KEPT`` are kept here; an older one is refused as DynamoDB refuses an expired one.

A transaction's records are trimmed only once it is over (``moto_atomic`` takes back a failed transaction's records
by their position in the shard).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

RECORDS_KEPT = 1_000
"""Records kept per shard: about 10 s of the busiest soak's writes (the feed reads twice a second). A 500-call
clinic's lease pool makes records of ~0.5 MB as moto holds them (two images of a 25 KB item), so this bounds the
stream near 500 MB in the worst case."""
ITERATORS_KEPT = 1_000
"""Shard iterators kept: the local feed asks for a fresh one every read, so this is minutes of reads."""


def bound_stream_retention(in_transaction: Callable[[], bool]) -> None:
    """Idempotent: trim moto's stream shards and shard iterators (``in_transaction``: whether this thread is inside
    a transaction, whose records must stay where they are until it is over)."""
    from moto.dynamodb.models.table import StreamShard
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    if getattr(StreamShard.add, "_bounded", False):
        return
    global RECORDS_KEPT  # moto's process sets it once, from its environment
    RECORDS_KEPT = int(os.environ.get("MOTO_STREAM_RECORDS_KEPT", RECORDS_KEPT))
    StreamShard.add = _trimming(StreamShard.add, in_transaction)  # type: ignore[method-assign]
    StreamShard.get = _refusing_trimmed(StreamShard.get)  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_shard_iterator = _forgetting_old_iterators(  # type: ignore[method-assign]
        DynamoDBStreamsBackend.get_shard_iterator
    )
    DynamoDBStreamsBackend.get_records = _refusing_expired(  # type: ignore[method-assign]
        DynamoDBStreamsBackend.get_records
    )


def _trimming(add: Callable[..., None], in_transaction: Callable[[], bool]) -> Callable[..., None]:
    @functools.wraps(add)
    def wrapper(shard: Any, *args: Any, **kwargs: Any) -> None:
        add(shard, *args, **kwargs)
        excess = len(shard.items) - RECORDS_KEPT
        if excess > 0 and not in_transaction():
            # The sequence numbers stay as they were: moto numbers a record by its position past the first one kept.
            del shard.items[:excess]
            shard.starting_sequence_number += excess

    wrapper._bounded = True  # type: ignore[attr-defined]
    return wrapper


def _refusing_trimmed(get: Callable[..., list[dict[str, Any]]]) -> Callable[..., list[dict[str, Any]]]:
    @functools.wraps(get)
    def wrapper(shard: Any, start: int, quantity: int) -> list[dict[str, Any]]:
        if int(start) < shard.starting_sequence_number:
            raise _error(
                "TrimmedDataAccessException",
                "The operation attempted to read past the oldest stream record in a shard.",
            )
        return get(shard, start, quantity)

    return wrapper


def _forgetting_old_iterators(get_shard_iterator: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(get_shard_iterator)
    def wrapper(backend: Any, *args: Any, **kwargs: Any) -> Any:
        iterator = get_shard_iterator(backend, *args, **kwargs)
        _forget_old(backend.shard_iterators)
        return iterator

    return wrapper


def _refusing_expired(get_records: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    @functools.wraps(get_records)
    def wrapper(backend: Any, iterator_arn: str, limit: int) -> dict[str, Any]:
        if iterator_arn not in backend.shard_iterators:
            raise _error("ExpiredIteratorException", "Iterator expired. The iterator was created too long ago.")
        answer = get_records(backend, iterator_arn, limit)
        _forget_old(backend.shard_iterators)
        return answer

    return wrapper


def _forget_old(iterators: dict[str, Any]) -> None:
    for arn in list(iterators)[: max(0, len(iterators) - ITERATORS_KEPT)]:
        del iterators[arn]


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)
