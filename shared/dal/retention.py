"""What the retention purge and an erasure read and remove in DynamoDB, through sparse indexes only (never a scan).

* the clinics: the settings items in the open-work index's ``CLINICS`` partition (one query, a row a clinic);
* a clinic's final calls past a time, at one stage (``shared.domain.retention.PurgeStage``): one query of the
  clinic's ``TEXTS#`` or ``KEPT#`` partition of the open-work index, whose sort key begins with ``finalAt``, so
  the answer holds only what falls due under the clinic's current setting, whatever the size of the table;
* a clinic's calls to one number: one query of the number index (``gsi4``) by the number's digest;
* removing a call: a delete on the condition that it is still the version read (a call that changed meanwhile is
  looked at again on the next run).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.dal.items import from_item, to_attribute, to_item
from shared.dal.table_design import (
    NUMBER_INDEX,
    NUMBER_PARTITION_KEY,
    OPEN_WORK_INDEX,
    OPEN_WORK_PARTITION_KEY,
    OPEN_WORK_SORT_KEY,
    call_id_of,
    call_key,
    clinics_partition,
    kept_partition,
    number_partition,
    texts_due_partition,
)
from shared.domain.retention import PurgeStage
from shared.models.base import format_utc
from shared.models.call import Call
from shared.models.queries import CallRef


def stage_partition(clinic_id: str, stage: PurgeStage) -> str:
    return texts_due_partition(clinic_id) if stage == PurgeStage.TEXTS else kept_partition(clinic_id)


class RetentionRepository:
    def __init__(self, client: Any, table_name: str):
        self._client = client
        self._table = table_name

    def clinics(self) -> list[str]:
        return [
            str(values["clinicId"])
            for values in self._query(OPEN_WORK_INDEX, OPEN_WORK_PARTITION_KEY, clinics_partition())
        ]

    def final_before(self, clinic_id: str, stage: PurgeStage, before: datetime, limit: int) -> list[CallRef]:
        response = self._client.query(
            TableName=self._table,
            IndexName=OPEN_WORK_INDEX,
            KeyConditionExpression="#pk = :pk AND #sk <= :before",
            ExpressionAttributeNames={"#pk": OPEN_WORK_PARTITION_KEY, "#sk": OPEN_WORK_SORT_KEY},
            ExpressionAttributeValues={
                ":pk": to_attribute(stage_partition(clinic_id, stage)),
                ":before": to_attribute(format_utc(before) + "#\uffff"),
            },
            Limit=limit,
        )
        return [CallRef(clinic_id, call_id_of(from_item(item))) for item in response.get("Items", [])]

    def calls_to_number(self, clinic_id: str, number_digest: str) -> list[CallRef]:
        items = self._query(NUMBER_INDEX, NUMBER_PARTITION_KEY, number_partition(clinic_id, number_digest))
        return [CallRef(clinic_id, call_id_of(values)) for values in items]

    def remove(self, call: Call) -> bool:
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=to_item(call_key(call.call_id)),
                ConditionExpression="#version = :version AND #clinic = :clinic",
                ExpressionAttributeNames={"#version": "version", "#clinic": "clinicId"},
                ExpressionAttributeValues={
                    ":version": to_attribute(call.version),
                    ":clinic": to_attribute(call.clinic_id),
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def _query(self, index: str, partition_key: str, partition: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": partition_key},
            "ExpressionAttributeValues": {":pk": to_attribute(partition)},
        }
        while True:
            response = self._client.query(**request)
            found.extend(from_item(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
