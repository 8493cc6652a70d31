"""The clinic's calls in a time window, reduced to what the overview reads: a query of the clinic index (``gsi1``,
by ``scheduledFor``) with a projection, never a scan, bounded by a count."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.dal.items import from_item, to_attribute
from shared.dal.table_design import (
    CLINIC_CALLS_ATTRIBUTES,
    CLINIC_CALLS_INDEX,
    CLINIC_CALLS_PARTITION_KEY,
    CLINIC_CALLS_SORT_KEY,
    PARTITION_KEY,
    call_id_of,
    clinic_calls_partition,
)
from shared.logic.overview import CallSummary
from shared.models.base import format_utc
from shared.models.call import CallOutcome, CallStatus

PROJECTED = CLINIC_CALLS_ATTRIBUTES


def _summary(item: dict[str, Any]) -> CallSummary:
    values = from_item(item)
    outcome = values.get("outcome")
    return CallSummary(
        call_id=values.get("callId") or call_id_of(values),
        pet_name=values["petName"],
        owner_name=values["ownerName"],
        scheduled_for=datetime.fromisoformat(values["scheduledFor"]),
        status=CallStatus(values["status"]),
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
        names = {f"#a{i}": name for i, name in enumerate((*PROJECTED, PARTITION_KEY))}  # the key holds the call id
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": CLINIC_CALLS_INDEX,
            # Sort keys are "{scheduledFor}#{callId}": every key of an instant before `end` sorts below "{end}".
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :low AND :high",
            "ProjectionExpression": ", ".join(names),
            "ExpressionAttributeNames": {"#pk": CLINIC_CALLS_PARTITION_KEY, "#sk": CLINIC_CALLS_SORT_KEY, **names},
            "ExpressionAttributeValues": {
                ":pk": to_attribute(clinic_calls_partition(clinic_id)),
                ":low": to_attribute(format_utc(start)),
                ":high": to_attribute(format_utc(end)),
            },
        }
        summaries: list[CallSummary] = []
        while True:
            request["Limit"] = min(limit - len(summaries) + 1, 5_000)  # one more than wanted tells "there is more"
            response = self._client.query(**request)
            summaries += [_summary(item) for item in response.get("Items", [])]
            if len(summaries) > limit:
                return summaries[:limit], True
            if "LastEvaluatedKey" not in response:
                return summaries, False
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
