"""E-mails counted against the notices' rate limits in DynamoDB: one counter item per clinic and UTC hour, one per
recipient and UTC day, each taken with one ``UpdateItem`` (``ADD count 1`` on the condition that it is below the
limit), so concurrent deliverers can never pass a limit together; the items expire through TTL after their window.

The recipient's counter is taken first: if the clinic's then refuses, the recipient's keeps the e-mail it did not
get (the limits err toward fewer e-mails, never more)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from shared.dal.items import to_attribute, to_item
from shared.dal.table_design import TTL_ATTRIBUTE, clinic_emails_key, recipient_emails_key

EMAILS_PER_CLINIC_HOUR = 60
EMAILS_PER_RECIPIENT_DAY = 30
KEEP_COUNTS_FOR = timedelta(days=2)
"""A counter's item outlives its window by this (TTL deletes late; a counter read after its window is never used)."""


def next_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def next_day(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


class DynamoEmailRateLimits:
    def __init__(
        self,
        client: Any,
        table_name: str,
        *,
        per_clinic_hour: int = EMAILS_PER_CLINIC_HOUR,
        per_recipient_day: int = EMAILS_PER_RECIPIENT_DAY,
    ):
        self._client = client
        self._table = table_name
        self._per_clinic_hour = per_clinic_hour
        self._per_recipient_day = per_recipient_day

    def take(self, clinic_id: str, recipient_id: str, now: datetime) -> datetime | None:
        day_ends, hour_ends = next_day(now), next_hour(now)
        recipient = recipient_emails_key(clinic_id, recipient_id, now.strftime("%Y%m%d"))
        if not self._count(recipient, self._per_recipient_day, day_ends):
            return day_ends
        if not self._count(clinic_emails_key(clinic_id, now.strftime("%Y%m%d%H")), self._per_clinic_hour, hour_ends):
            return hour_ends
        return None

    def _count(self, key: dict[str, str], limit: int, window_ends: datetime) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item(key),
                UpdateExpression="ADD #count :one SET #ttl = :ttl",
                ConditionExpression="attribute_not_exists(#count) OR #count < :limit",
                ExpressionAttributeNames={"#count": "count", "#ttl": TTL_ATTRIBUTE},
                ExpressionAttributeValues={
                    ":one": to_attribute(1),
                    ":limit": to_attribute(limit),
                    ":ttl": to_attribute(int((window_ends + KEEP_COUNTS_FOR).timestamp())),
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
