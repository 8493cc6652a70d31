"""Dialing slots: at most ``maxConcurrentCalls`` calls of a clinic, and at most the Retell workspace's limit across
all clinics, are in flight at once.

A clinic's pool is one item holding a map ``callId -> [lease expiry (epoch seconds), workspace shard]``. The
workspace's pool is split into shards of at most ``SHARD_SLOTS`` leases, one item each (``callId -> expiry``):
a single item would grow with the workspace's limit (a 1,000-call limit makes a ~45 KB item, so every dial and
every hang-up would cost ~45 write units twice over, and one item takes only ~1,000 write units a second), while
a shard stays under 1 KB (one write unit) and the shards spread the writes of a burst over many partitions.

Taking a slot is one transaction that adds the call to the clinic's map and to one shard, on the condition that
each has room and the clinic's map does not hold the call yet; a call the clinic already holds (a retry of the
same claim) keeps its slot and its shard. A shard that is full sends the call to the next one, in an order that
starts at a random shard, so a burst spreads out. A lease is returned when the call ends; one that is never
returned (a lost webhook) expires, and expired leases are pruned the next time a pool looks full. A lost race (a
missing pool created by another dial, two dials writing one pool at once) is retried: only pools that are really
full make a call wait.
"""

from __future__ import annotations

import random
import time
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.dal.items import from_item, put_if_absent, to_attribute, to_item
from shared.dal.table_design import PARTITION_KEY, clinic_leases_key, workspace_leases_key
from shared.logic.ports import LeaseLimits

LEASES = "leases"
SHARD_SLOTS = 16
"""Leases per workspace shard: 16 call ids with their expiries keep a shard under 1 KB, one write unit."""
MAX_ROUNDS = 8
BACKOFF_SECONDS = 0.02
"""Contention on a pool item (a burst of dials due together) is retried after a short jittered pause, not taken for a
full pool: DynamoDB takes about 1,000 writes a second on one item, far more than a workspace dials."""


def shard_sizes(workspace_limit: int) -> list[int]:
    """The slots of each workspace shard: ``workspace_limit`` split as evenly as shards of ``SHARD_SLOTS`` allow."""
    count = -(-workspace_limit // SHARD_SLOTS)
    return [workspace_limit // count + (1 if index < workspace_limit % count else 0) for index in range(count)]


def _expiry(held: Any) -> int:
    """A clinic lease is ``[expiry, shard]``; one written before the workspace pool had shards is a bare expiry."""
    return int(held[0] if isinstance(held, list) else held)


def _shard(held: Any) -> int:
    return int(held[1]) if isinstance(held, list) and len(held) > 1 else 0


class DialLeases:
    def __init__(self, client: Any, table_name: str, rng: random.Random | None = None):
        self._client = client
        self._table = table_name
        self._rng = rng or random.Random()

    def acquire(self, clinic_id: str, call_id: str, limits: LeaseLimits, now: datetime) -> bool:
        """Take a slot in the clinic's pool and a workspace shard for ``call_id``; ``False`` if either is full."""
        expires = int((now + limits.duration).timestamp())
        now_epoch = int(now.timestamp())
        sizes = shard_sizes(limits.workspace)
        start = self._rng.randrange(len(sizes))
        shards = [(start + offset) % len(sizes) for offset in range(len(sizes))]
        clinic_key = clinic_leases_key(clinic_id)
        rounds = 0
        while shards and rounds < MAX_ROUNDS + len(sizes):
            rounds += 1
            shard = shards[0]
            try:
                self._client.transact_write_items(
                    TransactItems=[
                        self._take(clinic_key, call_id, limits.clinic, [expires, shard], new_only=True),
                        self._take(workspace_leases_key(shard), call_id, sizes[shard], expires, new_only=False),
                    ]
                )
                return True
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                clinic_reason, shard_reason = (
                    reason.get("Code") for reason in error.response.get("CancellationReasons", [{}, {}])
                )
            if "TransactionConflict" in (clinic_reason, shard_reason):  # another dial wrote a pool at this instant
                time.sleep(self._rng.uniform(0, BACKOFF_SECONDS * rounds))
                continue
            if clinic_reason == "ConditionalCheckFailed":
                clinic = self._pool(clinic_key)
                if clinic is not None and call_id in clinic:
                    return True  # a retry of the same claim: it keeps its slot and its shard
                if not self._has_room(clinic_key, clinic, limits.clinic, now_epoch):
                    return False
            if shard_reason == "ConditionalCheckFailed":
                key = workspace_leases_key(shard)
                if not self._has_room(key, self._pool(key), sizes[shard], now_epoch):
                    shards = self._shards_with_room(shards[1:], sizes, now_epoch)  # really full: the others
        return False

    def release(self, clinic_id: str, call_id: str) -> None:
        """Return the call's slots. Releasing one not held is fine (webhooks repeat)."""
        clinic = self._remove_held(clinic_leases_key(clinic_id), call_id)
        if clinic is not None:
            self._remove_held(workspace_leases_key(_shard(clinic[LEASES].get(call_id))), call_id)

    def held(self, clinic_id: str) -> dict[str, int]:
        """The clinic's leases (call id -> expiry); for tests and operators."""
        pool = self._pool(clinic_leases_key(clinic_id), consistent=False) or {}
        return {call_id: _expiry(held) for call_id, held in pool.items()}

    def held_in_workspace(self, workspace_limit: int) -> dict[str, int]:
        """Every lease in the workspace's shards (call id -> expiry); for the bench and operators."""
        leases: dict[str, int] = {}
        for shard in range(len(shard_sizes(workspace_limit))):
            leases.update(self._pool(workspace_leases_key(shard), consistent=False) or {})
        return leases

    # -- internals -----------------------------------------------------------------------------------------------

    def _take(self, key: dict[str, str], call_id: str, limit: int, value: Any, *, new_only: bool) -> dict[str, Any]:
        """Add the call to the pool at ``key`` if it has room; with ``new_only``, only if it does not hold the call
        (the clinic's pool: a call it holds has its shard already), else also when it does (the shard: the same)."""
        if new_only:
            condition = "attribute_exists(#leases) AND attribute_not_exists(#leases.#call) AND size(#leases) < :limit"
        else:
            condition = "attribute_exists(#leases) AND (attribute_exists(#leases.#call) OR size(#leases) < :limit)"
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_item(key),
                "UpdateExpression": "SET #leases.#call = :value",
                "ConditionExpression": condition,
                "ExpressionAttributeNames": {"#leases": LEASES, "#call": call_id},
                "ExpressionAttributeValues": {":value": to_attribute(value), ":limit": to_attribute(limit)},
            }
        }

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
        response = self._client.get_item(TableName=self._table, Key=to_item(key), ConsistentRead=consistent)
        if "Item" not in response:
            return None
        return dict(from_item(response["Item"]).get(LEASES, {}))

    def _shards_with_room(self, shards: list[int], sizes: list[int], now_epoch: int) -> list[int]:
        """Of ``shards``, in their order, those that may take a call: missing, not full, or holding an expired lease.
        One batch read instead of a failed transaction per full shard when the workspace is busy."""
        pools: dict[str, dict[str, Any]] = {}
        for first in range(0, len(shards), 100):
            keys: list[dict[str, Any]] = [to_item(workspace_leases_key(shard)) for shard in shards[first : first + 100]]
            request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    pool = from_item(item)
                    pools[pool[PARTITION_KEY]] = dict(pool.get(LEASES, {}))
                request = response.get("UnprocessedKeys") or {}

        def may_take(shard: int) -> bool:
            leases = pools.get(workspace_leases_key(shard)[PARTITION_KEY])
            if leases is None or len(leases) < sizes[shard]:
                return True
            return any(_expiry(held) <= now_epoch for held in leases.values())

        return [shard for shard in shards if may_take(shard)]

    def _has_room(self, key: dict[str, str], leases: dict[str, Any] | None, limit: int, now_epoch: int) -> bool:
        """Whether the pool (``leases`` as just read) can take one more call: create it if it is missing, drop its
        expired leases if it is full."""
        if leases is None:
            put_if_absent(self._client, self._table, {**key, LEASES: {}})  # created meanwhile by another dial is fine
            return True
        if len(leases) < limit:
            return True
        freed = False
        for held_call, held in leases.items():
            if _expiry(held) > now_epoch:
                continue
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=to_item(key),
                    UpdateExpression="REMOVE #leases.#call",
                    ConditionExpression="#leases.#call = :held",  # not taken again meanwhile (a retried claim)
                    ExpressionAttributeNames={"#leases": LEASES, "#call": held_call},
                    ExpressionAttributeValues={":held": to_attribute(held)},
                )
                freed = True
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
        return freed
