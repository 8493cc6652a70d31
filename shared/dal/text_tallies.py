"""The clinics' text tallies in DynamoDB: one small item per clinic and clinic-local day, counted with ``ADD`` (no
read first) when a text goes out and when its owner replies, and read for the overview and the digest in one
``BatchGetItem`` (30 days at most). An item expires a little over a year after its day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from shared.dal.items import batch_get, from_item, to_attribute, to_item
from shared.dal.table_design import TTL_ATTRIBUTE, text_tally_key

KEPT_FOR = timedelta(days=400)


class DynamoTextTallies:
    def __init__(self, client: Any, table_name: str):
        self._client = client
        self._table = table_name

    def add(self, clinic_id: str, day: date, *, sent: int, replied: int) -> None:
        expires = datetime.combine(day, time()) + KEPT_FOR
        self._client.update_item(
            TableName=self._table,
            Key=to_item(text_tally_key(clinic_id, day.isoformat())),
            UpdateExpression="ADD #sent :sent, #replied :replied SET #ttl = :expires",
            ExpressionAttributeNames={"#sent": "sent", "#replied": "replied", "#ttl": TTL_ATTRIBUTE},
            ExpressionAttributeValues={
                ":sent": to_attribute(sent),
                ":replied": to_attribute(replied),
                ":expires": to_attribute(int(expires.timestamp())),
            },
        )

    def totals(self, clinic_id: str, days: Sequence[date]) -> tuple[int, int]:
        keys = [to_item(text_tally_key(clinic_id, day.isoformat())) for day in days]
        items = batch_get(self._client, self._table, keys, consistent=False) if keys else []
        values = [from_item(item) for item in items]
        return sum(int(v.get("sent", 0)) for v in values), sum(int(v.get("replied", 0)) for v in values)
