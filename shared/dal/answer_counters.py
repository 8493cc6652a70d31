"""Answer counts in DynamoDB (``shared.domain.answer_rates``): one item per clinic and UTC day, and one per UTC day
for every clinic together, each holding a counter pair per owner-local cell (``d{weekday}{hh}`` dials,
``a{weekday}{hh}`` answered).

Adding is one ``UpdateItem`` per item (``ADD`` on the cells' counters, no read first, no condition), so concurrent
ends of dials are all counted, by DynamoDB. Reading a period is one ``Query`` of the partition from its first day
on (a day's item holds the cells its dials fell in: a few dozen counters, well under 1 KB, so a year of a busy
clinic is about 60 read units' worth of bytes, eventually consistent, in one or two pages).

Every clinic's items take a write for every counted dial of the deployment: one partition, far under DynamoDB's
1,000 writes a second of one partition at any concurrency Retell allows a workspace.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from shared.dal.items import to_attribute, to_item
from shared.dal.table_design import (
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
    answer_counts_day,
    answer_counts_partition,
)
from shared.domain.answer_rates import AnswerTally, Cell, CellCounts

KEEP_FOR = timedelta(days=400)
"""A day's counts outlive the longest period asked for (365 days) by this margin, then TTL removes them."""


def _name(kind: str, cell: Cell) -> str:
    weekday, hour = cell
    return f"{kind}{weekday}{hour:02d}"


def _cell(name: str) -> Cell | None:
    if len(name) != 4 or name[0] not in "da" or not name[1:].isdigit():
        return None
    weekday, hour = int(name[1]), int(name[2:])
    return (weekday, hour) if weekday < 7 and hour < 24 else None


class DynamoAnswerCounters:
    def __init__(self, client: Any, table_name: str):
        self._client = client
        self._table = table_name

    def add(self, clinic_id: str, tallies: list[AnswerTally]) -> None:
        by_day: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for tally in tallies:
            by_day[tally.day][_name("d", tally.cell)] += tally.dials
            by_day[tally.day][_name("a", tally.cell)] += tally.answered
        for day, counters in by_day.items():
            counters = {name: value for name, value in counters.items() if value}
            if not counters:
                continue
            for partition in (answer_counts_partition(clinic_id), answer_counts_partition(None)):
                self._add(partition, day, counters)

    def _add(self, partition: str, day: date, counters: dict[str, int]) -> None:
        names = {f"#c{index}": name for index, name in enumerate(counters)}
        values = {f":c{index}": to_attribute(value) for index, value in enumerate(counters.values())}
        additions = ", ".join(f"#c{index} :c{index}" for index in range(len(counters)))
        expires = int((datetime.combine(day, time(), UTC) + KEEP_FOR).timestamp())
        self._client.update_item(
            TableName=self._table,
            Key=to_item({PARTITION_KEY: partition, SORT_KEY: answer_counts_day(day.isoformat())}),
            UpdateExpression=f"ADD {additions} SET #ttl = :ttl",
            ExpressionAttributeNames={**names, "#ttl": TTL_ATTRIBUTE},
            ExpressionAttributeValues={**values, ":ttl": to_attribute(expires)},
        )

    def history(self, clinic_id: str | None, since: date) -> dict[Cell, CellCounts]:
        dials: dict[Cell, int] = defaultdict(int)
        answered: dict[Cell, int] = defaultdict(int)
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#pk = :pk AND #sk >= :since",
            "ExpressionAttributeNames": {"#pk": PARTITION_KEY, "#sk": SORT_KEY},
            "ExpressionAttributeValues": {
                ":pk": to_attribute(answer_counts_partition(clinic_id)),
                ":since": to_attribute(answer_counts_day(since.isoformat())),
            },
        }
        while True:
            page = self._client.query(**request)
            for item in page.get("Items", []):
                for name, value in item.items():
                    cell = _cell(name)
                    if cell is None:
                        continue
                    (dials if name[0] == "d" else answered)[cell] += int(value["N"])
            last = page.get("LastEvaluatedKey")
            if not last:
                break
            request["ExclusiveStartKey"] = last
        return {cell: CellCounts(dials[cell], answered[cell]) for cell in set(dials) | set(answered) if dials[cell] > 0}
