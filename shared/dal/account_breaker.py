"""The Retell account's breaker in DynamoDB: one item, ``BREAKER#RETELL`` / ``BREAKER``, present while open.

Every write is conditional, so of many executes that see the account refuse at once one opens the breaker (and
raises the alarm), and of many that find a probe due one dials.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.dal.items import from_item, put_if_absent, to_attribute, to_item
from shared.dal.table_design import PARTITION_KEY, account_breaker_key
from shared.logic.ports import CLOSED_BREAKER, BreakerState
from shared.models.base import format_utc, parse_utc


class DynamoAccountBreaker:
    def __init__(self, client: Any, table_name: str):
        self._client = client
        self._table = table_name
        self._key = to_item(account_breaker_key())

    def state(self) -> BreakerState:
        item = self._client.get_item(TableName=self._table, Key=self._key, ConsistentRead=True).get("Item")
        if item is None:
            return CLOSED_BREAKER
        values = from_item(item)
        return BreakerState(
            open=True,
            reason=values.get("reason"),
            opened_at=parse_utc(values["openedAt"]),
            probe_at=parse_utc(values["probeAt"]),
        )

    def trip(self, reason: str, now: datetime, probe_at: datetime) -> bool:
        item = {
            **account_breaker_key(),
            "reason": reason[:300],
            "openedAt": format_utc(now),
            "probeAt": format_utc(probe_at),
        }
        return put_if_absent(self._client, self._table, item)

    def take_probe(self, now: datetime, next_probe_at: datetime) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key,
                UpdateExpression="SET probeAt = :next",
                ConditionExpression="attribute_exists(#pk) AND probeAt <= :now",
                ExpressionAttributeNames={"#pk": PARTITION_KEY},
                ExpressionAttributeValues={
                    ":next": to_attribute(format_utc(next_probe_at)),
                    ":now": to_attribute(format_utc(now)),
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def reset(self) -> None:
        self._client.delete_item(TableName=self._table, Key=self._key)
