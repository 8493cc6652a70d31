"""Dialing leases: at most ``maxConcurrentCalls`` calls of a clinic, and at most the Retell workspace's limit across
all clinics, are in flight at once.

A clinic's pool is one item holding a map ``callId -> [lease expiry (epoch seconds), workspace shard, attempt]``.
The workspace's pool is split into shards of at most ``SHARD_LEASES`` leases, one item each, holding the same
leases: a single item would grow with the workspace's limit (a 1,000-call limit makes a ~45 KB item, so every
dial would cost ~45 write units twice over, and one item takes only ~1,000 write units a second), while a shard stays
under 1 KB (one write unit) and the shards spread the writes of a burst over many partitions.

Taking a lease sets the call's lease in one shard, then in the clinic's map, each on the condition that the pool
either holds the call already (a retried claim, or the lease of the call's previous attempt) or has room. The shard
tried first follows from the call and attempt, so a retried claim goes to the same shard; a full shard sends the call
to the others. Two conditional writes rather than one transaction, which would bill both twice: the workspace's
first, as it is the pool a burst fills; a shard's lease taken for a call its clinic then refuses is given back.

Nothing is written when a call ends: a lease is in use only while the attempt that took it is claimed or connected
(``lifecycle.holds_dialing_lease``, read from the call itself) and has not expired (a call stuck on a lost webhook).
When a pool looks full, the leases of attempts that are over are dropped, and the call takes the room: as many a write
as DynamoDB's expression limits let one condition name (``removal_batches``: about 150, so a 1,000-call pool is
cleaned in seven writes), each on the condition that its leases were not taken again meanwhile. A pool "looks full"
at its limit or, sooner, at ``cleanAt``: ``ROOM_AHEAD`` leases past those in use at its last cleaning, so a pool stays
about as large as the calls in flight rather than its limit.
Ending a call thus costs no request for its leases, and a pool is only cleaned when its room is wanted. A lost race
(a missing pool created by another dial, a lease taken by another dial in between) is retried: only pools whose every
lease is in use make a call wait.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.dal.items import batch_get, from_item, put_if_absent, to_attribute, to_item
from shared.dal.table_design import PARTITION_KEY, clinic_leases_key, workspace_leases_key
from shared.logic.ports import LeaseLimits

LEASES = "leases"
SHARD_LEASES = 16
"""Leases per workspace shard: 16 call ids with their expiries and attempts keep a shard under 1 KB, one write unit."""
MAX_ROUNDS = 12
"""Writes one acquire may try: a shard, then the clinic's pool, each after making room or creating the pool."""
SHARDS_CHECKED = 4
"""When the first shard tried has no free lease, at most this many other full shards have their calls read to find
a lease whose attempt is over: enough to find one a moment after calls start ending, bounded at a large limit."""

CLEAN_AT = "cleanAt"
"""A pool's size at which it is cleaned next."""
ROOM_AHEAD = 32
"""Leases a pool takes past those in use at its last cleaning before it is cleaned again. Without it a pool filled up
to its limit with leases whose calls had ended: a 500-call clinic's item grew to ~25 KB, so every dial's write cost
~25 write units (and streamed two images of it); now a pool holds about the calls in flight plus 32 (3 KB at most
above them), for one cleaning (a read of the pool and its calls, a write or two) every ~32 dials."""
MAX_EXPRESSION_BYTES = 4096
"""DynamoDB refuses an expression longer than 4 KB (Service quotas, "Expression parameters")."""
MAX_OPERATORS = 300
"""... or one with more than 300 operators and functions (a comparator, ``AND``, a function call each count one)."""

LiveAttempts = Callable[[dict[str, int | None]], set[str]]
"""Of the calls given (call id -> the attempt that took the lease, ``None`` if the lease predates attempts), those
whose attempt still holds its lease (``CallRepository.live_attempts``)."""


def shard_sizes(workspace_limit: int) -> list[int]:
    """The leases of each workspace shard: ``workspace_limit`` split as evenly as shards of ``SHARD_LEASES`` allow."""
    count = -(-workspace_limit // SHARD_LEASES)
    return [workspace_limit // count + (1 if index < workspace_limit % count else 0) for index in range(count)]


def _expiry(held: Any) -> int:
    """A lease is a list starting with its expiry; one written before leases were lists is a bare expiry."""
    return int(held[0] if isinstance(held, list) else held)


def _shard(held: Any) -> int:
    """The workspace shard a clinic's lease names (0 before the workspace's pool had shards)."""
    return int(held[1]) if isinstance(held, list) and len(held) > 1 else 0


def _attempt(held: Any) -> int | None:
    """The attempt that took the lease (``None`` in one written before leases named it)."""
    return int(held[2]) if isinstance(held, list) and len(held) > 2 else None


class DynamoDialLeases:
    def __init__(self, client: Any, table_name: str, live: LiveAttempts):
        self._client = client
        self._table = table_name
        self._live = live

    def acquire(self, clinic_id: str, call_id: str, attempt: int, limits: LeaseLimits, now: datetime) -> bool:
        """Take a workspace shard's lease, then the clinic's, for ``call_id``'s ``attempt``; ``False`` if every lease
        of either pool is in use. Two conditional writes, not a transaction (which bills each write twice); a shard's
        lease taken for a call the clinic then refuses is given back."""
        expires = int((now + limits.duration).timestamp())
        now_epoch = int(now.timestamp())
        sizes = shard_sizes(limits.workspace)
        start = zlib.crc32(f"{call_id}#{attempt}".encode()) % len(sizes)
        shards = [(start + offset) % len(sizes) for offset in range(len(sizes))]
        clinic_key = clinic_leases_key(clinic_id)
        taken: int | None = None
        for _ in range(MAX_ROUNDS):
            if taken is None:
                if not shards:
                    return False
                key = workspace_leases_key(shards[0])
                if self._take(key, call_id, sizes[shards[0]], [expires, shards[0], attempt]):
                    taken = shards[0]
                elif not self._make_room(key, sizes[shards[0]], now_epoch):
                    shards = self._shards_with_room(shards[1:], sizes, now_epoch)  # every lease in use: the others
                continue
            if self._take(clinic_key, call_id, limits.clinic, [expires, taken, attempt]):
                return True
            if not self._make_room(clinic_key, limits.clinic, now_epoch):
                break
        if taken is not None:  # the clinic refused: the shard's lease goes back at once, for another clinic's call
            self._remove_held(workspace_leases_key(taken), call_id)
        return False

    def release(self, clinic_id: str, call_id: str) -> None:
        """Return the call's leases at once (a claimed call that was not dialed after all). Optional: a lease whose
        attempt is over is free anyway. Releasing one not held is fine."""
        clinic = self._remove_held(clinic_leases_key(clinic_id), call_id)
        if clinic is not None:
            self._remove_held(workspace_leases_key(_shard(clinic[LEASES].get(call_id))), call_id)

    def held(self, clinic_id: str) -> dict[str, int]:
        """The clinic's leases whose attempt still holds them (call id -> expiry), expired or not; for tests and
        operators."""
        pool = self._pool(clinic_leases_key(clinic_id), consistent=False) or {}
        return self._in_use(pool, None)

    def held_in_workspace(self, workspace_limit: int) -> dict[str, int]:
        """The same across the workspace's shards; for the bench and operators."""
        leases: dict[str, Any] = {}
        for shard in range(len(shard_sizes(workspace_limit))):
            leases.update(self._pool(workspace_leases_key(shard), consistent=False) or {})
        return self._in_use(leases, None)

    # -- internals -----------------------------------------------------------------------------------------------

    def _take(self, key: dict[str, str], call_id: str, limit: int, value: list[int]) -> bool:
        """Set the call's lease in the pool at ``key`` if the pool holds the call already or has room."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item(key),
                UpdateExpression="SET #leases.#call = :value",
                # Room: under the limit, and under the size at which the pool is to be cleaned again (cleanAt).
                ConditionExpression=(
                    "attribute_exists(#leases) AND (attribute_exists(#leases.#call)"
                    " OR (size(#leases) < :limit AND size(#leases) < #cleanAt))"
                ),
                ExpressionAttributeNames={"#leases": LEASES, "#call": call_id, "#cleanAt": CLEAN_AT},
                ExpressionAttributeValues={":value": to_attribute(value), ":limit": to_attribute(limit)},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def _in_use(self, leases: dict[str, Any], now_epoch: int | None) -> dict[str, int]:
        """Of ``leases``, those not expired at ``now_epoch`` (``None``: not checked) whose attempt still holds its
        lease (call id -> expiry)."""
        current = {call_id: held for call_id, held in leases.items() if now_epoch is None or _expiry(held) > now_epoch}
        live = self._live({call_id: _attempt(held) for call_id, held in current.items()}) if current else set()
        return {call_id: _expiry(held) for call_id, held in current.items() if call_id in live}

    def _make_room(self, key: dict[str, str], limit: int, now_epoch: int) -> bool:
        """Whether the pool at ``key`` can take one more call: create it if it is missing; if it is full (at its
        limit, or at its ``cleanAt``), drop the leases not in use (expired, or their attempt is over), as many a
        write as DynamoDB's limits allow, and set the size at which it is cleaned next."""
        item = self._pool_item(key)
        if item is None:
            # Created meanwhile by another dial is fine.
            put_if_absent(self._client, self._table, {**key, LEASES: {}, CLEAN_AT: min(limit, ROOM_AHEAD)})
            return True
        leases = dict(item.get(LEASES, {}))
        clean_at = item.get(CLEAN_AT)  # absent in a pool from before it was kept: set by this cleaning
        if clean_at is not None and len(leases) < min(limit, int(clean_at)):
            return True
        in_use = self._in_use(leases, now_epoch)
        over = {call_id: held for call_id, held in leases.items() if call_id not in in_use}
        if not over and len(leases) >= limit:
            return False
        removed = sum(len(batch) for batch in removal_batches(list(over)) if self._drop(key, batch, over))
        next_at = min(limit, len(leases) - removed + ROOM_AHEAD)
        if next_at != clean_at:
            self._client.update_item(
                TableName=self._table,
                Key=to_item(key),
                UpdateExpression="SET #cleanAt = :at",
                ExpressionAttributeNames={"#cleanAt": CLEAN_AT},
                ExpressionAttributeValues={":at": to_attribute(next_at)},
            )
        return True  # dropped, room below the limit, or the pool changed meanwhile: worth another try either way

    def _drop(self, key: dict[str, str], batch: list[str], over: dict[str, Any]) -> bool:
        """Remove the leases of ``batch`` (``removal_batches``) if none was taken again meanwhile."""
        names = {f"#c{index}": call_id for index, call_id in enumerate(batch)}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item(key),
                UpdateExpression=_removal(len(batch)),
                # Only leases not taken again meanwhile (by the next attempt of the same call).
                ConditionExpression=_unchanged(len(batch)),
                ExpressionAttributeNames={"#leases": LEASES, **names},
                ExpressionAttributeValues={f":h{i}": to_attribute(over[call]) for i, call in enumerate(batch)},
            )
        except ClientError as error:
            # A lease of this batch was taken again: its batch stays for the next cleaning, the others go on.
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def _remove_held(self, key: dict[str, str], call_id: str) -> dict[str, Any] | None:
        """Remove the call's lease from the pool at ``key`` if it holds one: the pool's item as it was (the clinic's
        names the call's shard), or ``None`` when the pool did not hold the call."""
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=to_item(key),
                UpdateExpression="REMOVE #leases.#call",
                ConditionExpression="attribute_exists(#leases.#call)",
                ExpressionAttributeNames={"#leases": LEASES, "#call": call_id},
                ReturnValues="ALL_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return from_item(response.get("Attributes", {}))

    def _pool(self, key: dict[str, str], *, consistent: bool = True) -> dict[str, Any] | None:
        """The pool's leases, or ``None`` if the pool has no item yet."""
        item = self._pool_item(key, consistent=consistent)
        return None if item is None else dict(item.get(LEASES, {}))

    def _pool_item(self, key: dict[str, str], *, consistent: bool = True) -> dict[str, Any] | None:
        response = self._client.get_item(TableName=self._table, Key=to_item(key), ConsistentRead=consistent)
        return from_item(response["Item"]) if "Item" in response else None

    def _shards_with_room(self, shards: list[int], sizes: list[int], now_epoch: int) -> list[int]:
        """Of ``shards``, in their order, those that may take a call: missing, not full, or (of the first
        ``SHARDS_CHECKED`` full ones) holding a lease not in use. One batch read of the shards, one of the calls."""
        keys = [to_item(workspace_leases_key(shard)) for shard in shards]
        pools = {
            str(pool[PARTITION_KEY]): dict(pool.get(LEASES, {}))
            for pool in map(from_item, batch_get(self._client, self._table, keys, consistent=True))
        }
        full = {
            shard: leases
            for shard in shards
            if (leases := pools.get(workspace_leases_key(shard)[PARTITION_KEY])) is not None
            and len(leases) >= sizes[shard]
        }
        checked = dict(list(full.items())[:SHARDS_CHECKED])
        held = {call_id: lease for leases in checked.values() for call_id, lease in leases.items()}
        in_use = self._in_use(held, now_epoch)
        return [
            shard
            for shard in shards
            if shard not in full or (shard in checked and any(call_id not in in_use for call_id in checked[shard]))
        ]


def _removal(count: int) -> str:
    """The update expression dropping ``count`` leases, named ``#c0``, ``#c1``, ... ."""
    return "REMOVE " + ", ".join(f"#leases.#c{index}" for index in range(count))


def _unchanged(count: int) -> str:
    """The condition that each of ``count`` leases still holds the value read (``:h0``, ``:h1``, ...)."""
    return " AND ".join(f"#leases.#c{index} = :h{index}" for index in range(count))


def removal_batches(call_ids: list[str]) -> Iterator[list[str]]:
    """``call_ids`` in batches whose removal fits in one write (``largest_removal``)."""
    size = largest_removal()
    for first in range(0, len(call_ids), size):
        yield call_ids[first : first + size]


@functools.cache
def largest_removal() -> int:
    """The most leases one write may drop: its update and its condition each within ``MAX_EXPRESSION_BYTES``, the
    condition within ``MAX_OPERATORS`` (each lease's ``=`` and, after the first, an ``AND``; ``REMOVE`` has none).
    Measured on the expressions themselves, as their placeholders lengthen with the count."""
    count = 1
    while _fits(count + 1):
        count += 1
    return count


def _fits(count: int) -> bool:
    return (
        len(_removal(count).encode()) <= MAX_EXPRESSION_BYTES
        and len(_unchanged(count).encode()) <= MAX_EXPRESSION_BYTES
        and 2 * count - 1 <= MAX_OPERATORS
    )
