"""Make moto's DynamoDB writes atomic, as DynamoDB's are.

moto checks a ``ConditionExpression`` and then writes, with nothing stopping another thread in between; DynamoDB
never lets two conditional writes on an item both succeed. The tests that race deliveries against each other, and
the local stack (several handler threads), need the real guarantee, so every item operation of moto's DynamoDB
backend runs under one lock. (It is a stand-in's defect being corrected, not our code being helped: the code under
test is unchanged.)
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

_LOCK = threading.RLock()
_OPERATIONS = ("get_item", "put_item", "update_item", "delete_item", "transact_write_items", "query", "scan")


def make_moto_dynamodb_atomic() -> None:
    """Idempotent: wraps each operation of moto's DynamoDB backend once."""
    from moto.dynamodb.models import DynamoDBBackend

    for name in _OPERATIONS:
        method = getattr(DynamoDBBackend, name)
        if getattr(method, "_atomic", False):
            continue
        setattr(DynamoDBBackend, name, _locked(method))


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    wrapper._atomic = True  # type: ignore[attr-defined]
    return wrapper
