"""Clinic settings in DynamoDB: one item per clinic, the validated settings as a JSON document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.dal.items import from_item, to_attribute, to_item
from shared.dal.table_design import (
    FOLLOW_UP_INDEX,
    FOLLOW_UP_PARTITION_KEY,
    FOLLOW_UP_SORT_KEY,
    OPEN_WORK_PARTITION_KEY,
    OPEN_WORK_SORT_KEY,
    clinics_partition,
    clinics_with_recipients_partition,
    settings_key,
)
from shared.models.base import format_utc
from shared.models.call import STORED_CONTEXT
from shared.models.settings import ClinicSettings


class SettingsRepository:
    def __init__(self, client: Any, table_name: str):
        self._client = client
        self._table = table_name

    def get(self, clinic_id: str) -> ClinicSettings | None:
        response = self._client.get_item(TableName=self._table, Key=to_item(settings_key(clinic_id)))
        item = response.get("Item")
        return ClinicSettings.model_validate_json(from_item(item)["settings"], context=STORED_CONTEXT) if item else None

    def put(self, clinic_id: str, settings: ClinicSettings, *, updated_by: str, now: datetime) -> None:
        item = {
            **settings_key(clinic_id),
            "clinicId": clinic_id,
            "settings": settings.model_dump_json(),
            "updatedBy": updated_by,
            "updatedAt": format_utc(now),
            # Every clinic's settings are in this partition: the clinics the retention purge goes through.
            OPEN_WORK_PARTITION_KEY: clinics_partition(),
            OPEN_WORK_SORT_KEY: clinic_id,
        }
        if settings.notifications.emails or settings.notifications.webhook_url:
            # In the sparse index while the clinic names someone to tell: the daily digest reads only these.
            item[FOLLOW_UP_PARTITION_KEY] = clinics_with_recipients_partition()
            item[FOLLOW_UP_SORT_KEY] = clinic_id
        self._client.put_item(TableName=self._table, Item=to_item(item))

    def clinics_with_recipients(self) -> list[str]:
        clinics: list[str] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": FOLLOW_UP_INDEX,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": FOLLOW_UP_PARTITION_KEY},
            "ExpressionAttributeValues": {":pk": to_attribute(clinics_with_recipients_partition())},
        }
        while True:
            response = self._client.query(**request)
            clinics.extend(str(from_item(item)["clinicId"]) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return clinics
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
