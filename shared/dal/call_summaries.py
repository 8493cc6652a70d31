"""The clinic's calls in a time window, reduced to what the overview reads: a query of the clinic index (``gsi1``,
by ``scheduledFor``) with a projection, never a scan, bounded by a count. The index tells only terminal statuses
apart (``LIST_STATUS``); the statuses of the window's open calls (today's still to come, for the most part) are read
from the calls themselves, in one batch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.dal.items import batch_get, from_item, to_attribute
from shared.dal.table_design import (
    CLINIC_CALLS_ATTRIBUTES,
    CLINIC_CALLS_INDEX,
    CLINIC_CALLS_PARTITION_KEY,
    CLINIC_CALLS_SORT_KEY,
    LIST_STATUS,
    OPEN_LIST_STATUS,
    PARTITION_KEY,
    SORT_KEY,
    call_id_of,
    clinic_calls_partition,
    scheduled_for_of,
)
from shared.logic.ports import CallSummary
from shared.models.base import format_utc
from shared.models.call import CallOutcome, CallStatus

PROJECTED = CLINIC_CALLS_ATTRIBUTES


def _summary(item: dict[str, Any], open_statuses: dict[str, CallStatus]) -> CallSummary:
    values = from_item(item)
    outcome = values.get("outcome")
    call_id = values.get("callId") or call_id_of(values)
    listed = values[LIST_STATUS]
    return CallSummary(
        call_id=call_id,
        pet_name=values["petName"],
        owner_name=values["ownerName"],
        scheduled_for=datetime.fromisoformat(scheduled_for_of(values)),
        # An open call gone between the two reads (it cannot be: calls are never deleted) would count as scheduled.
        status=open_statuses.get(call_id, CallStatus.SCHEDULED) if listed == OPEN_LIST_STATUS else CallStatus(listed),
        outcome=CallOutcome(outcome) if outcome else None,
        status_reason=values.get("statusReason"),
        attempt=int(values.get("attempt", 1)),
        max_attempts=int(values.get("maxAttempts", 1)),
    )


class CallSummaryReader:
    def __init__(self, client: Any, table_name: str):
        self._client = client
        self._table = table_name

    def between(self, clinic_id: str, start: datetime, end: datetime, limit: int) -> tuple[list[CallSummary], bool]:
        # The table's key holds the call id, and reads the open calls' statuses.
        names = {f"#a{i}": name for i, name in enumerate((*PROJECTED, PARTITION_KEY, SORT_KEY, CLINIC_CALLS_SORT_KEY))}
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": CLINIC_CALLS_INDEX,
            # Sort keys are "{scheduledFor}#{callId}": every key of an instant before `end` sorts below "{end}".
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :low AND :high",
            "ProjectionExpression": ", ".join([*names, "#sk"]),  # the index's sort key holds scheduledFor
            "ExpressionAttributeNames": {"#pk": CLINIC_CALLS_PARTITION_KEY, "#sk": CLINIC_CALLS_SORT_KEY, **names},
            "ExpressionAttributeValues": {
                ":pk": to_attribute(clinic_calls_partition(clinic_id)),
                ":low": to_attribute(format_utc(start)),
                ":high": to_attribute(format_utc(end)),
            },
        }
        entries: list[dict[str, Any]] = []
        more = False
        while True:
            request["Limit"] = min(limit - len(entries) + 1, 5_000)  # one more than wanted tells "there is more"
            response = self._client.query(**request)
            entries += response.get("Items", [])
            if len(entries) > limit:
                entries, more = entries[:limit], True
                break
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        open_statuses = self._statuses(
            [entry for entry in entries if from_item(entry)[LIST_STATUS] == OPEN_LIST_STATUS]
        )
        return [_summary(entry, open_statuses) for entry in entries], more

    def _statuses(self, entries: list[dict[str, Any]]) -> dict[str, CallStatus]:
        """The status of each call the entries name (call id -> status), from the calls."""
        keys = [{PARTITION_KEY: entry[PARTITION_KEY], SORT_KEY: entry[SORT_KEY]} for entry in entries]
        items = batch_get(self._client, self._table, keys, consistent=False, projection=(PARTITION_KEY, "status"))
        return {call_id_of(from_item(item)): CallStatus(from_item(item)["status"]) for item in items}
