"""The retention purge's cost per run as the table grows (``make bench``): DynamoDB requests, Retell deletions and
time of one purge with 1,000 and 10,000 final calls stored (half of them without texts already, kept until
``callDays``), of which the same five are past the clinic's ``transcriptDays``. The purge reads only the clinic's
retention partitions of the open-work index, so the requests must not grow with the table. In-process moto over the
repositories the reconciler uses; moto's own time does grow (it scans to answer an index query), DynamoDB's does not.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

TABLE_SIZES = tuple(int(size) for size in os.environ.get("BENCH_RETENTION_SIZES", "1000,10000").split(","))
DUE = 5
CLINIC = "bench"


class _CountingRetell:
    """Retell's delete-call (and delete-chat), counted (the purge asks it once per dial of a purged call)."""

    def __init__(self) -> None:
        self.deleted: list[str] = []

    def delete_call(self, retell_call_id: str) -> None:
        self.deleted.append(retell_call_id)

    def delete_chat(self, chat_id: str) -> None:
        self.deleted.append(chat_id)


def _final_call_items(count: int, ended: datetime, prefix: str, *, texts_removed: bool = False) -> list[dict[str, Any]]:
    from bench.reconciler import answered_call
    from shared.dal.call_repository import _call_document
    from shared.dal.items import to_item

    template = answered_call(f"{prefix}-0", CLINIC, ended).model_copy(
        update={"transcript": "Agent: Hello. User: Luna is fine.", "final_at": ended}
    )
    if texts_removed:
        template = template.model_copy(update={"transcript": None, "analysis": None, "texts_removed_at": ended})
    return [
        to_item(
            _call_document(
                template.model_copy(
                    update={
                        "call_id": f"{prefix}-{i}",
                        "retell_call_id": f"call_{prefix}_{i}",
                        "attempts": [template.attempts[0].model_copy(update={"retell_call_id": f"call_{prefix}_{i}"})],
                    }
                )
            )
        )
        for i in range(count)
    ]


def _one_size(stored: int) -> dict[str, Any]:
    import boto3

    from bench.run import counting_aws_calls
    from scripts.invoke import sandbox
    from shared.bootstrap.common import build_common, dynamo_stores, no_page_tokens
    from shared.config import FunctionConfig, from_environment
    from shared.logic.retention import RetentionPurge
    from shared.models.settings import ClinicSettings

    now = datetime(2031, 3, 3, 18, 0, tzinfo=UTC)
    with sandbox(clock=lambda: now), contextlib.redirect_stdout(io.StringIO()):
        config = from_environment(FunctionConfig)
        dynamodb = boto3.client("dynamodb")
        stores = dynamo_stores(
            config, dynamodb=dynamodb, scheduler_client=boto3.client("scheduler"), page_token_key=no_page_tokens
        )
        stores.settings.put(CLINIC, ClinicSettings(), updated_by="bench", now=now)
        # Half the calls past their transcriptDays already (texts removed, kept until callDays), half not yet
        recent = _final_call_items((stored - DUE) // 2, now - timedelta(days=10), "recent")
        kept = _final_call_items(stored - DUE - len(recent), now - timedelta(days=200), "kept", texts_removed=True)
        due = _final_call_items(DUE, now - timedelta(days=91), "due")
        for items in (recent, kept, due):
            for offset in range(0, len(items), 25):
                batch = [{"PutRequest": {"Item": item}} for item in items[offset : offset + 25]]
                dynamodb.batch_write_item(RequestItems={config.table_name: batch})
        retell = _CountingRetell()
        common = build_common(config, stores, lambda: now)
        purge = RetentionPurge(common.access, stores.retention, lambda: retell, clock=lambda: now)
        calls: Counter[str] = Counter()
        began = time.perf_counter()
        with counting_aws_calls(calls):
            report = purge.run()
        elapsed = time.perf_counter() - began
    dynamo = {name.split(".", 1)[1]: count for name, count in calls.items() if name.startswith("dynamodb.")}
    return {"stored": stored, "report": report, "dynamo": dynamo, "seconds": elapsed, "deleted": len(retell.deleted)}


def retention_cost() -> None:
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    print(f"\nRetention purge: one run's requests as the table grows ({DUE} calls past transcriptDays)")
    print(f"  {'calls stored':>12}  {'purged':>6}  {'Retell':>6}  {'Query':>5}  {'GetItem':>7}  {'writes':>6}  moto s")
    for size in TABLE_SIZES:
        row = _one_size(size)
        dynamo = row["dynamo"]
        writes = sum(dynamo.get(name, 0) for name in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"))
        print(
            f"  {row['stored']:>12,}  {row['report'].texts_removed:>6}  {row['deleted']:>6}"
            f"  {dynamo.get('Query', 0):>5}"
            f"  {dynamo.get('GetItem', 0):>7}  {writes:>6}  {row['seconds']:6.2f}"
        )
    print("  (Query: the clinics, then three a clinic, whatever the size; reads, writes and deletions: per call due)")


if __name__ == "__main__":
    retention_cost()
