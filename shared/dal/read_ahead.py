"""Reading several items in one request when a step is known to need them all (``BatchGetItem``).

A step such as a dial reads the clinic's settings, its do-not-call entry for the number, the Retell account's
breaker and the number's dial count: four round trips one after the other. ``ReadAheadClient`` wraps the DynamoDB
client every repository uses; ``read_ahead(keys)`` fetches those items in one consistent ``BatchGetItem`` and, while
it is entered, serves each repository's ``get_item`` of one of them from that answer, once. The repositories do not
change: an item not read ahead (or already served, or written since) is read as before. Leaving the
block forgets what was not used, so nothing read ahead outlives the step that asked for it.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from typing import Any

from shared.dal.items import batch_get_rounds, to_item
from shared.dal.table_design import (
    PARTITION_KEY,
    SORT_KEY,
    account_breaker_key,
    call_key,
    do_not_call_key,
    number_dials_key,
    settings_key,
)
from shared.dal.table_design import (
    idempotency_key as idempotency_record_key,
)

READ_AHEAD_ATTEMPTS = 3
"""``BatchGetItem`` requests a read ahead makes at most: a key still unprocessed is read by its ``get_item``."""
WRITES = frozenset({"put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"})
_MISSING: dict[str, Any] = {}


def _fingerprint(table: str, key: dict[str, Any]) -> str:
    return json.dumps([table, key], sort_keys=True)


def _written(request: dict[str, Any]) -> list[str]:
    """The items a write request writes, as fingerprints."""
    if "TransactItems" in request:
        return [
            fingerprint
            for entry in request["TransactItems"]
            for inner in entry.values()
            for fingerprint in _written(inner)
        ]
    if "RequestItems" in request:
        return [
            fingerprint
            for table, entries in request["RequestItems"].items()
            for entry in entries
            for inner in entry.values()
            for fingerprint in _written({"TableName": table, **inner})
        ]
    key = request.get("Key") or {name: request["Item"][name] for name in (PARTITION_KEY, SORT_KEY)}
    return [_fingerprint(request["TableName"], key)]


class ReadAheadClient:
    """A DynamoDB client whose ``get_item`` can be answered from one ``BatchGetItem`` read ahead."""

    def __init__(self, client: Any):
        self._client = client
        self._local = threading.local()  # a local stack may run several steps at once on one client

    @property
    def _ahead(self) -> dict[str, dict[str, Any]]:
        ahead: dict[str, dict[str, Any]] = self._local.__dict__.setdefault("ahead", {})
        return ahead

    @_ahead.setter
    def _ahead(self, value: dict[str, dict[str, Any]]) -> None:
        self._local.ahead = value

    @contextlib.contextmanager
    def read_ahead(self, table: str, keys: list[dict[str, str]]) -> Iterator[None]:
        """Read ``keys`` (plain key documents) of ``table`` in one request, for the ``get_item`` calls in the block."""
        wanted = {_fingerprint(table, to_item(key)): to_item(key) for key in keys}
        self._ahead = {}
        try:
            typed = list(wanted.values())
            # Unprocessed keys (throttling) are asked again after a pause, a few times, then left to get_item.
            items, pending = batch_get_rounds(self._client, table, typed, {"ConsistentRead": True}, READ_AHEAD_ATTEMPTS)
            for item in items:
                found = {name: item[name] for name in typed[0]}
                self._ahead[_fingerprint(table, found)] = item
            for fingerprint in set(wanted) - set(self._ahead):
                if not any(fingerprint == _fingerprint(table, key) for key in pending):
                    self._ahead[fingerprint] = _MISSING  # read, and absent
            yield
        finally:
            self._ahead = {}

    def get_item(self, **request: Any) -> dict[str, Any]:
        fingerprint = _fingerprint(request["TableName"], request["Key"])
        if fingerprint in self._ahead:
            item = self._ahead.pop(fingerprint)
            return {"Item": item} if item is not _MISSING else {}
        return dict(self._client.get_item(**request))

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if name not in WRITES:
            return method

        def write(**request: Any) -> Any:
            for fingerprint in _written(request):  # read ahead, then written: read it again after
                self._ahead.pop(fingerprint, None)
            return method(**request)

        return write


class DynamoReadAhead:
    """What each step reads ahead (``shared.logic.ports.ReadAhead``), as the repositories' keys."""

    def __init__(self, client: ReadAheadClient, table_name: str):
        self._client = client
        self._table = table_name

    def for_schedule(
        self, clinic_id: str, phone_number: str, idempotency_key: str | None
    ) -> contextlib.AbstractContextManager[None]:
        keys = [settings_key(clinic_id), do_not_call_key(clinic_id, phone_number)]
        if idempotency_key:
            keys.append(idempotency_record_key(clinic_id, idempotency_key))
        return self._client.read_ahead(self._table, keys)

    def for_dial(self, clinic_id: str, phone_number: str) -> contextlib.AbstractContextManager[None]:
        keys = [
            settings_key(clinic_id),
            do_not_call_key(clinic_id, phone_number),
            account_breaker_key(),
            number_dials_key(clinic_id, phone_number),
        ]
        return self._client.read_ahead(self._table, keys)

    def for_call_end(self, clinic_id: str, call_id: str) -> contextlib.AbstractContextManager[None]:
        return self._client.read_ahead(self._table, [call_key(call_id), settings_key(clinic_id)])
