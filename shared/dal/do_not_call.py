"""The clinic's do-not-call list in DynamoDB: one item per number in the clinic's own partition."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from shared.dal.items import from_item, to_attribute, to_item
from shared.dal.table_design import PARTITION_KEY, do_not_call_key, do_not_call_partition
from shared.models.safety import DoNotCallEntry

FIELDS = ("phoneNumber", "reason", "addedAt", "addedBy", "source")


class DoNotCallRepository:
    def __init__(self, client: Any, table_name: str):
        self._client = client
        self._table = table_name

    def get(self, clinic_id: str, phone_number: str) -> DoNotCallEntry | None:
        response = self._client.get_item(
            TableName=self._table, Key=to_item(do_not_call_key(clinic_id, phone_number)), ConsistentRead=True
        )
        return _entry(response["Item"]) if "Item" in response else None

    def list(self, clinic_id: str) -> list[DoNotCallEntry]:
        entries: list[DoNotCallEntry] = []
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
            "ExpressionAttributeValues": {":pk": to_attribute(do_not_call_partition(clinic_id))},
        }
        while True:
            response = self._client.query(**arguments)
            entries.extend(_entry(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return entries
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def add(self, clinic_id: str, entry: DoNotCallEntry, *, replace: bool) -> bool:
        document = entry.model_dump(mode="json", by_alias=True)
        item = to_item({**do_not_call_key(clinic_id, entry.phone_number), **document, "clinicId": clinic_id})
        condition = {} if replace else {"ConditionExpression": "attribute_not_exists(#pk)"}
        names = {} if replace else {"ExpressionAttributeNames": {"#pk": PARTITION_KEY}}
        try:
            self._client.put_item(TableName=self._table, Item=item, **condition, **names)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def remove(self, clinic_id: str, phone_number: str) -> bool:
        response = self._client.delete_item(
            TableName=self._table, Key=to_item(do_not_call_key(clinic_id, phone_number)), ReturnValues="ALL_OLD"
        )
        return "Attributes" in response


def _entry(item: dict[str, Any]) -> DoNotCallEntry:
    document = from_item(item)
    return DoNotCallEntry.model_validate({field: document.get(field) for field in FIELDS})
