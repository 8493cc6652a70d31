"""Dialing slots: at most ``maxConcurrentCalls`` calls of a clinic, and at most the Retell workspace's limit across
all clinics, are in flight at once.

Each pool is one item holding a map ``callId -> lease expiry (epoch seconds)``. Taking a slot is one transaction
that adds the call to both maps, on the condition that each has room (``size(leases) < limit``) or already holds
the call (a retry of the same claim keeps its slot). A lease is returned when the call ends; one that is never
returned (a lost webhook) expires, and expired leases are pruned the next time a pool looks full. A lost race (a
missing pool created by another dial, two dials writing one pool at once) is retried: only a pool that is really
full makes a call wait.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from shared.dal.items import from_item, to_attribute, to_item
from shared.dal.table_design import PARTITION_KEY, clinic_leases_key, workspace_leases_key
from shared.logic.ports import LeaseLimits

LEASES = "leases"
MAX_ROUNDS = 8
BACKOFF_SECONDS = 0.02
"""Contention on a pool item (a burst of dials due together) is retried after a short jittered pause, not taken for a
full pool: DynamoDB takes about 1,000 writes a second on one item, far more than a workspace dials."""


class DialLeases:
    def __init__(self, client: Any, table_name: str):
        self._client = client
        self._table = table_name

    def acquire(self, clinic_id: str, call_id: str, limits: LeaseLimits, now: datetime) -> bool:
        """Take a slot in the clinic's pool and the workspace's pool for ``call_id``; ``False`` if either is full."""
        expires = int((now + limits.duration).timestamp())
        pools = ((clinic_leases_key(clinic_id), limits.clinic), (workspace_leases_key(), limits.workspace))
        for round_number in range(MAX_ROUNDS):
            try:
                self._client.transact_write_items(
                    TransactItems=[self._take(key, call_id, limit, expires) for key, limit in pools]
                )
                return True
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
            if "TransactionConflict" in reasons:  # another dial wrote a pool at the same instant: not full, go again
                time.sleep(random.uniform(0, BACKOFF_SECONDS * (round_number + 1)))
                continue
            # A condition failed: a pool is full, missing, or changed since. Only a pool that is full now, with no
            # expired lease to drop, makes the call wait; anything else was a race, and the next round may win.
            if not all([self._has_room(key, call_id, limit, int(now.timestamp())) for key, limit in pools]):
                return False
        return False

    def renew(self, clinic_id: str, call_id: str, duration: timedelta, now: datetime) -> None:
        """Extend a held lease (a connected call may run longer than the lease); a lease not held is not taken."""
        for key in (clinic_leases_key(clinic_id), workspace_leases_key()):
            self._update_held(key, call_id, "SET #leases.#call = :expires", int((now + duration).timestamp()))

    def release(self, clinic_id: str, call_id: str) -> None:
        """Return the call's slots. Releasing one not held is fine (webhooks repeat)."""
        for key in (clinic_leases_key(clinic_id), workspace_leases_key()):
            self._update_held(key, call_id, "REMOVE #leases.#call", None)

    def held(self, clinic_id: str) -> dict[str, int]:
        """The clinic's leases (call id -> expiry); for tests and operators."""
        response = self._client.get_item(TableName=self._table, Key=to_item(clinic_leases_key(clinic_id)))
        return dict(from_item(response.get("Item", {})).get(LEASES, {}))

    # -- internals -----------------------------------------------------------------------------------------------

    def _take(self, key: dict[str, str], call_id: str, limit: int, expires: int) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_item(key),
                "UpdateExpression": "SET #leases.#call = :expires",
                "ConditionExpression": "attribute_exists(#leases) AND "
                "(attribute_exists(#leases.#call) OR size(#leases) < :limit)",
                "ExpressionAttributeNames": {"#leases": LEASES, "#call": call_id},
                "ExpressionAttributeValues": {":expires": to_attribute(expires), ":limit": to_attribute(limit)},
            }
        }

    def _update_held(self, key: dict[str, str], call_id: str, expression: str, expires: int | None) -> None:
        values = {":expires": to_attribute(expires)} if expires is not None else {}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item(key),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(#leases.#call)",
                ExpressionAttributeNames={"#leases": LEASES, "#call": call_id},
                **({"ExpressionAttributeValues": values} if values else {}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def _has_room(self, key: dict[str, str], call_id: str, limit: int, now_epoch: int) -> bool:
        """Whether the pool can take ``call_id`` now: create it if it is missing, drop its expired leases if full."""
        response = self._client.get_item(TableName=self._table, Key=to_item(key), ConsistentRead=True)
        if "Item" not in response:
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item=to_item({**key, LEASES: {}}),
                    ConditionExpression="attribute_not_exists(#pk)",
                    ExpressionAttributeNames={"#pk": PARTITION_KEY},
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
            return True
        leases: dict[str, int] = from_item(response["Item"]).get(LEASES, {})
        if call_id in leases or len(leases) < limit:
            return True
        freed = False
        for held_call, expiry in leases.items():
            if expiry > now_epoch:
                continue
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=to_item(key),
                    UpdateExpression="REMOVE #leases.#call",
                    ConditionExpression="#leases.#call = :expiry",  # not renewed meanwhile
                    ExpressionAttributeNames={"#leases": LEASES, "#call": held_call},
                    ExpressionAttributeValues={":expiry": to_attribute(expiry)},
                )
                freed = True
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
        return freed
