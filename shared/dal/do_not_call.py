"""The clinic's do-not-call list in DynamoDB: one item per number in the clinic's own partition, listed a page at a
time in the order of the numbers (the sort key), resumed after an authenticated ``nextToken``."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from shared.dal.items import from_item, to_attribute, to_item
from shared.dal.pagination import PageTokens
from shared.dal.table_design import PARTITION_KEY, SORT_KEY, do_not_call_key, do_not_call_partition
from shared.models.errors import InvalidNextToken
from shared.models.safety import DoNotCallEntry

FIELDS = ("phoneNumber", "reason", "addedAt", "addedBy", "source")
KEY_FIELDS = (PARTITION_KEY, SORT_KEY)


class DoNotCallRepository:
    def __init__(self, client: Any, table_name: str, page_tokens: PageTokens):
        self._client = client
        self._table = table_name
        self._page_tokens = page_tokens

    def get(self, clinic_id: str, phone_number: str) -> DoNotCallEntry | None:
        response = self._client.get_item(
            TableName=self._table, Key=to_item(do_not_call_key(clinic_id, phone_number)), ConsistentRead=True
        )
        return _entry(response["Item"]) if "Item" in response else None

    def page(self, clinic_id: str, limit: int, next_token: str | None) -> tuple[list[DoNotCallEntry], str | None]:
        binding = f"{clinic_id}\ndo-not-call"
        partition = do_not_call_partition(clinic_id)
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
            "ExpressionAttributeValues": {":pk": to_attribute(partition)},
        }
        if next_token:
            start = self._page_tokens.decode(next_token, binding, KEY_FIELDS)
            if start[PARTITION_KEY] != partition:
                raise InvalidNextToken  # cannot happen while the tag binds the clinic; kept as a second lock
            request["ExclusiveStartKey"] = to_item(start)
        items: list[dict[str, Any]] = []
        while True:
            # One more than asked for tells whether a next page exists, so the last page has no token.
            request["Limit"] = limit + 1 - len(items)
            response = self._client.query(**request)
            items += response.get("Items", [])
            if len(items) > limit:
                last = from_item({name: items[limit - 1][name] for name in KEY_FIELDS})
                return [_entry(item) for item in items[:limit]], self._page_tokens.encode(last, binding, KEY_FIELDS)
            if "LastEvaluatedKey" not in response:
                return [_entry(item) for item in items], None
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

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
