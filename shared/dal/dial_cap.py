"""The cap on dials to one number (``shared.domain.calling_safety.dial_cap_frees_at``), atomic in DynamoDB.

One item per clinic and number holds the last 24 hours' dials (dial key -> epoch second) and a ``version``.
Counting a dial is a read and a conditional put on the version read: of two executions racing for the last dial
of the window, one writes and the other reads again and finds the window full. A repeat of the same dial key
(the same dial asked again) counts once. The item expires through TTL a day after its latest dial.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from shared.dal.items import from_item, to_attribute, to_item
from shared.dal.table_design import TTL_ATTRIBUTE, number_dials_key
from shared.domain.calling_safety import DIAL_CAP_WINDOW, dial_cap_frees_at, recent_dials

DIALS = "dials"
VERSION = "version"
ROUNDS = 5
CONTENDED_WAIT = timedelta(seconds=30)
"""If the item keeps changing under us (many executions dialing one number at once), wait this long and try again
rather than dial uncounted."""


class DialCapRepository:
    def __init__(self, client: Any, table_name: str):
        self._client = client
        self._table = table_name

    def take(self, clinic_id: str, phone_number: str, dial_key: str, limit: int, now: datetime) -> datetime | None:
        key = number_dials_key(clinic_id, phone_number)
        for _ in range(ROUNDS):
            response = self._client.get_item(TableName=self._table, Key=to_item(key), ConsistentRead=True)
            stored = from_item(response.get("Item", {}))
            dials = {k: datetime.fromtimestamp(v, UTC) for k, v in stored.get(DIALS, {}).items()}
            if dial_key in dials:
                return None
            kept = recent_dials(dials, now)
            frees_at = dial_cap_frees_at(kept.values(), now, limit)
            if frees_at is not None:
                return frees_at
            kept[dial_key] = now
            version = stored.get(VERSION)
            document = {
                **key,
                DIALS: {k: int(at.timestamp()) for k, at in kept.items()},
                VERSION: (version or 0) + 1,
                TTL_ATTRIBUTE: int((max(kept.values()) + DIAL_CAP_WINDOW + timedelta(hours=1)).timestamp()),
            }
            condition = (
                {"ConditionExpression": "attribute_not_exists(#v)"}
                if version is None
                else {"ConditionExpression": "#v = :v", "ExpressionAttributeValues": {":v": to_attribute(version)}}
            )
            try:
                self._client.put_item(
                    TableName=self._table, Item=to_item(document), ExpressionAttributeNames={"#v": VERSION}, **condition
                )
                return None
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
        return now + CONTENDED_WAIT

    def give_back(self, clinic_id: str, phone_number: str, dial_key: str) -> None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item(number_dials_key(clinic_id, phone_number)),
                UpdateExpression="REMOVE #dials.#key ADD #v :one",
                ConditionExpression="attribute_exists(#dials.#key)",
                ExpressionAttributeNames={"#dials": DIALS, "#key": dial_key, "#v": VERSION},
                ExpressionAttributeValues={":one": to_attribute(1)},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def dials(self, clinic_id: str, phone_number: str) -> dict[str, int]:
        """The counted dials (dial key -> epoch second); for tests and operators."""
        response = self._client.get_item(TableName=self._table, Key=to_item(number_dials_key(clinic_id, phone_number)))
        return dict(from_item(response.get("Item", {})).get(DIALS, {}))
