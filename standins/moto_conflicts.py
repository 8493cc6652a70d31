"""``TransactionConflict``: DynamoDB cancels a transaction that touches an item another transaction is still writing.

In DynamoDB a ``TransactWriteItems`` takes a while to commit (it prepares every item, then commits them); a second
transaction naming one of those items meanwhile is cancelled with ``TransactionCanceledException``, reason
``TransactionConflict`` for that item. moto runs every transaction to its end under one lock (``moto_atomic``), so
two never overlap and the conflict cannot happen: code that treats it as impossible passes against moto and fails
(a 500) in AWS when two requests create the same call at once.

The model: a transaction that succeeds is taken to be still committing for ``window`` seconds after moto wrote it.
Another transaction naming one of its items within that time is cancelled, each such item's reason
``TransactionConflict`` (the others ``None``), and writes nothing. The window is off (0) unless a test or the local
stack turns it on (``conflict_window(seconds)``, or ``MOTO_TRANSACTION_CONFLICT_SECONDS`` in moto's process), since
a window also refuses a retry that comes within it, as DynamoDB's own conflicts can. Single-item writes conflicting
with a transaction (``TransactionConflictException``) are not modelled: the code under test writes one item of a
transaction (a new call, its consultation lock, its idempotency record) only in transactions.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from typing import Any

_WINDOW = [0.0]
_COMMITTING: dict[tuple[str, str], float] = {}
"""(table, key) of each item a recent transaction wrote -> when its commit is taken to be over (monotonic)."""
_GUARD = threading.Lock()
CONFLICT_MESSAGE = "Transaction is ongoing for the item"


def conflict_window(seconds: float) -> None:
    """A transaction's items conflict with another transaction for ``seconds`` after it (0: never, as moto)."""
    with _GUARD:
        _WINDOW[0] = seconds
        _COMMITTING.clear()


def conflicting_transactions(transact: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps moto's ``DynamoDBBackend.transact_write_items`` (called under its lock)."""
    configured = os.environ.get("MOTO_TRANSACTION_CONFLICT_SECONDS")
    if configured:
        conflict_window(float(configured))

    @functools.wraps(transact)
    def wrapper(backend: Any, transact_items: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
        if _WINDOW[0] <= 0:
            return transact(backend, transact_items, *args, **kwargs)
        from moto.dynamodb.exceptions import TransactionCanceledException

        keys = [_item_key(backend, entry) for entry in transact_items]
        now = time.monotonic()
        with _GUARD:
            for done in [key for key, until in _COMMITTING.items() if until <= now]:
                del _COMMITTING[done]
            busy = [key is not None and key in _COMMITTING for key in keys]
        if any(busy):
            raise TransactionCanceledException(
                [("TransactionConflict", CONFLICT_MESSAGE, None) if hit else (None, None, None) for hit in busy]
            )
        result = transact(backend, transact_items, *args, **kwargs)
        with _GUARD:
            for key in keys:
                if key is not None:
                    _COMMITTING[key] = now + _WINDOW[0]
        return result

    return wrapper


def _item_key(backend: Any, entry: dict[str, Any]) -> tuple[str, str] | None:
    """The item an operation of a transaction names (``None`` if moto will refuse the operation anyway)."""
    if not isinstance(entry, dict) or len(entry) != 1:
        return None
    ((kind, operation),) = entry.items()
    table = backend.tables.get(operation.get("TableName")) if isinstance(operation, dict) else None
    if table is None:
        return None
    source = operation.get("Item") if kind == "Put" else operation.get("Key")
    try:
        names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
        return table.name, repr([source[name] for name in names])
    except (KeyError, TypeError):
        return None
