"""The reconciler's cost per run as the table grows (``make bench``): DynamoDB requests and items read by one run
with 10, 1,000 and 100,000 calls stored, of which the same five need repair (their webhooks were lost). It reads
only the open-work index, so the figures must not grow with the table. In-process moto; moto's own time does grow
(it scans to answer an index query), DynamoDB's does not.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.models.call import Call

TABLE_SIZES = tuple(int(size) for size in os.environ.get("BENCH_RECONCILER_SIZES", "10,1000,100000").split(","))
NEEDING_REPAIR = 5


def answered_call(call_id: str, clinic_id: str, ended: datetime) -> Call:
    """A completed, analysed call that ended at ``ended``: the history that fills a table (the benches' filler)."""
    from shared.models.call import Call, CallAnalysis, CallAttempt, CallOutcome, CallStatus

    return Call(
        call_id=call_id,
        clinic_id=clinic_id,
        status=CallStatus.COMPLETED,
        phone_number="+14155550100",
        pet_name="Luna",
        owner_name="Sarah",
        requested_for=ended,
        scheduled_for=ended,
        timezone="America/Los_Angeles",
        rescheduled=False,
        max_attempts=4,
        outcome=CallOutcome.ANSWERED,
        analysis=CallAnalysis(summary="recovering well", successful=True),
        attempts=[
            CallAttempt(
                number=1,
                retell_call_id="call_x",
                started_at=ended,
                ended_at=ended,
                outcome=CallOutcome.ANSWERED,
                analysis=CallAnalysis(summary="recovering well", successful=True),
            )
        ],
        created_at=ended,
        updated_at=ended,
        created_by="bench",
    )


def _finished_call_items(count: int, now: datetime) -> list[dict[str, Any]]:
    """``count`` completed, analysed calls: the history that fills a table and needs nothing."""
    from shared.dal.call_repository import _call_document
    from shared.dal.items import to_item

    template = answered_call("bench-0", "bench", now - timedelta(days=1))
    return [to_item(_call_document(template.model_copy(update={"call_id": f"bench-{i}"}))) for i in range(count)]


def _one_size(stored: int) -> dict[str, Any]:
    from bench.run import counting_aws_calls
    from scripts.invoke import sandbox
    from standins.apigw import claims_for, http_event

    start = datetime(2030, 12, 2, 18, 0, tzinfo=UTC)  # a Monday, 10:00 in Los Angeles
    now = [start]
    with sandbox(clock=lambda: now[0]) as functions, contextlib.redirect_stdout(io.StringIO()):
        import boto3

        dynamodb = boto3.client("dynamodb")
        table = os.environ["TABLE_NAME"]
        items = _finished_call_items(stored, start)
        for offset in range(0, len(items), 25):
            batch = [{"PutRequest": {"Item": item}} for item in items[offset : offset + 25]]
            dynamodb.batch_write_item(RequestItems={table: batch})
        claims = claims_for("bench", "admin")
        for index in range(NEEDING_REPAIR):
            body = {
                "phoneNumber": "+14155550100",
                "petName": "Luna",
                "ownerName": "Sarah",
                "clinicName": "Paws & Claws",
                "clinicPhone": "+14155559876",
                "consent": {"given": True},
                "metadata": {"consultation_id": f"repair-{index}"},
            }
            created = functions.invoke("api", http_event("POST", "/calls/schedule", body=body, claims=claims))
            assert created["statusCode"] == 201, created
        fire_at = start + timedelta(minutes=2)
        now[0] = fire_at
        from standins.scheduler_loop import LocalScheduler

        scheduler = LocalScheduler(
            boto3.client("scheduler"),
            os.environ["SCHEDULE_GROUP_NAME"],
            target=lambda p: functions.invoke("execute", p),
        )
        for schedule in scheduler.due(fire_at):
            scheduler.fire(schedule, fire_at)
        # The simulated Retell placed the calls and never delivers their webhooks (auto_deliver is off): lost.
        now[0] = fire_at + timedelta(minutes=11)
        calls: Counter[str] = Counter()
        began = time.perf_counter()
        with counting_aws_calls(calls):
            result = functions.invoke("reconcile", {"source": "bench"})
        elapsed = time.perf_counter() - began
    dynamo = {name.split(".", 1)[1]: count for name, count in calls.items() if name.startswith("dynamodb.")}
    # The sandbox seeds one sample call of its own, scheduled for now: it was dialed and lost its webhooks too.
    return {"stored": stored + NEEDING_REPAIR + 1, "result": result, "dynamo": dynamo, "seconds": elapsed}


def reconciler_cost() -> None:
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    print(f"\nReconciler: one run's DynamoDB requests as the table grows ({NEEDING_REPAIR + 1} calls need repair)")
    print(
        f"  {'calls stored':>12}  {'checked':>7}  {'repaired':>8}  {'Query':>5}  {'GetItem':>7}  {'writes':>6}  moto s"
    )
    for size in TABLE_SIZES:
        row = _one_size(size)
        dynamo = row["dynamo"]
        writes = sum(dynamo.get(name, 0) for name in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"))
        repaired = sum(count for name, count in row["result"]["repairs"].items() if name not in {"nothing", "waiting"})
        print(
            f"  {row['stored']:>12,}  {row['result']['checked']:>7}  {repaired:>8}  {dynamo.get('Query', 0):>5}"
            f"  {dynamo.get('GetItem', 0):>7}  {writes:>6}  {row['seconds']:6.2f}"
        )
    print("  (Query: one per open-work shard, whatever the size; GetItem and writes: per call repaired)")


if __name__ == "__main__":
    reconciler_cost()
