"""The clinics' request counters in DynamoDB (``shared.logic.request_budget``): one item per clinic and window.

Counting is one ``UpdateItem``: ``ADD`` one to the window's count, on the condition that the count is below the
limit (or absent: the window's first request creates the item). Concurrent requests of one clinic are counted
exactly, by DynamoDB, with no read first; a request over the limit writes nothing (a failed condition), so the
count stops at the limit. Each write also sets the item's TTL, so old windows disappear by themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.dal.items import to_attribute, to_item
from shared.dal.table_design import TTL_ATTRIBUTE, request_budget_key
from shared.logic.ports import CountersUnavailable

COUNT = "requests"


class DynamoClinicRequestCounters:
    def __init__(self, client: Any, table_name: str):
        self._client = client
        self._table = table_name

    def count(self, clinic_id: str, window_start: datetime, limit: int, expires_at: datetime) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item(request_budget_key(clinic_id, int(window_start.timestamp()))),
                UpdateExpression="ADD #count :one SET #ttl = :expires",
                ConditionExpression="attribute_not_exists(#count) OR #count < :limit",
                ExpressionAttributeNames={"#count": COUNT, "#ttl": TTL_ATTRIBUTE},
                ExpressionAttributeValues={
                    ":one": to_attribute(1),
                    ":limit": to_attribute(limit),
                    ":expires": to_attribute(int(expires_at.timestamp())),
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise CountersUnavailable(error.response["Error"]["Code"]) from error
        except BotoCoreError as error:
            raise CountersUnavailable(type(error).__name__) from error
        return True

    def counted(self, clinic_id: str, window_start: datetime) -> int:
        """The requests counted in the window; for tests and operators."""
        key = to_item(request_budget_key(clinic_id, int(window_start.timestamp())))
        item = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item", {})
        return int(item.get(COUNT, {}).get("N", "0"))
