"""The Monday-09:00 burst (``make bench``): many clinics' calls all due in the same minute, driven through the real
execute and webhook handlers in this process (moto, the local scheduler, the simulated Retell over HTTP), on a
simulated clock that moves a minute at a time.

Each due schedule fires on one of ``LAMBDA_CONCURRENCY`` threads (Lambda runs executes side by side); each answered
call's ``call_started`` webhook arrives at once and its ``call_ended``/``call_analyzed`` ``CALL_MINUTES`` later,
which is when its dialing lease is returned. Dialing is bounded by the Retell workspace's concurrency
(``RETELL_CONCURRENCY_LIMIT``) and each clinic's ``maxConcurrentCalls``: with calls of ``CALL_MINUTES``, the steady
ceiling is ``min(workspace, clinics x per clinic) / CALL_MINUTES`` dials a minute.

Printed: dials per minute achieved against that ceiling, how many executes were re-queued as "all dialing leases taken"
and how many of those were false (a lease was free in both pools after that minute's executes: only webhooks give
leases back, so a pool not full at the end of the minute was never full during it), minutes until every call is
final, and DynamoDB writes and AWS API calls per call.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.capacity import Units, item_size, metering_capacity
from bench.simulated import call_request

START = datetime(2030, 12, 2, 17, 0, tzinfo=UTC)  # a Monday, 09:00 in Los Angeles (the default clinic's zone)
AREA_CODES = (
    *("415", "212", "312", "303", "206", "213", "617", "305", "404", "512", "602", "702"),
    *("214", "713", "215", "202", "503", "612", "313", "816", "619", "720", "971", "904"),
)
"""Owners in the four mainland US zones, all inside 08:00-20:00 at 09:00-12:00 Los Angeles time; one number per
call of a clinic (the answering scenario, ``555-0100``), so no number meets the 3-dials-a-day cap."""
TERMINAL = {"completed", "failed", "cancelled"}
PHASES = ("schedule", "execute", "webhooks")


@dataclass
class Burst:
    clinics: int
    calls_per_clinic: int
    workspace_limit: int
    clinic_limit: int = 20
    call_minutes: int = 3
    lambda_concurrency: int = 8

    @property
    def calls(self) -> int:
        return self.clinics * self.calls_per_clinic

    @property
    def leases(self) -> int:
        return min(self.workspace_limit, self.clinics * min(self.clinic_limit, self.calls_per_clinic))

    @property
    def ceiling_per_minute(self) -> float:
        return self.leases / self.call_minutes

    @property
    def ideal_last_dial_minute(self) -> int:
        """With every lease reused the moment it is returned: waves of ``leases`` dials, ``call_minutes`` apart."""
        waves = -(-self.calls // self.leases)
        return (waves - 1) * self.call_minutes


@dataclass
class Tally:
    dials_by_minute: list[int] = field(default_factory=list)
    results: Counter[str] = field(default_factory=Counter)
    false_requeues: int = 0
    phases: dict[str, Counter[str]] = field(default_factory=lambda: {phase: Counter() for phase in PHASES})

    units: dict[str, Units] = field(default_factory=lambda: {phase: Units() for phase in PHASES})

    @property
    def write_units(self) -> float:
        return sum(units.write for units in self.units.values())

    @property
    def aws_calls(self) -> Counter[str]:
        """Every AWS request the calls made, whatever the phase."""
        return sum(self.phases.values(), Counter())

    minutes_to_final: int | None = None
    execute_seconds: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    largest_pool_item: int = 0  # bytes, as DynamoDB sizes items, at the moment most leases were held


_SCHEDULER_ITSELF: list[Any] = []
"""The local scheduler's client: its listing and its deletes after a fire are EventBridge Scheduler's own work."""
_OBSERVING: list[bool] = []
"""Non-empty while the bench itself looks at the table (not counted as the calls' own work)."""


@contextlib.contextmanager
def _observing() -> Iterator[None]:
    _OBSERVING.append(True)
    try:
        yield
    finally:
        _OBSERVING.pop()


@contextlib.contextmanager
def _counting_aws_calls(tally: Tally, phase: list[str]) -> Iterator[None]:
    """Count every AWS request, and the DynamoDB write and read units, into the phase ``phase[0]`` names (switched
    as the burst goes from one phase to the next)."""
    from botocore.client import BaseClient

    discarded = Units()  # what the bench's own looks at the table cost
    with metering_capacity(lambda: discarded if _OBSERVING else tally.units[phase[0]]):
        original = BaseClient._make_api_call

        def counting(self: Any, operation: str, params: Any) -> Any:
            if not _OBSERVING and self not in _SCHEDULER_ITSELF:
                tally.phases[phase[0]][f"{self.meta.service_model.service_name}.{operation}"] += 1
            return original(self, operation, params)

        BaseClient._make_api_call = counting
        try:
            yield
        finally:
            BaseClient._make_api_call = original


def _schedule_all(burst: Burst, invoke: Callable[[str, dict[str, Any]], Any]) -> dict[str, str]:
    """Schedule every call for 09:00; call id -> clinic id."""
    from standins.apigw import claims_for, http_event

    owners: dict[str, str] = {}
    for clinic in range(burst.clinics):
        clinic_id = f"burst-{clinic:05d}"
        claims = claims_for(clinic_id)
        settings = {"maxConcurrentCalls": burst.clinic_limit}
        invoke("api", http_event("PUT", "/clinic/settings", body=settings, claims=claims))
        for index in range(burst.calls_per_clinic):
            body = call_request(f"+1{AREA_CODES[index % len(AREA_CODES)]}5550100", START)
            created = invoke("api", http_event("POST", "/calls/schedule", body=body, claims=claims))
            if created["statusCode"] != 201:
                raise RuntimeError(f"scheduling failed: {created['body']}")
            owners[json.loads(created["body"])["data"]["callId"]] = clinic_id
    return owners


def run_burst(burst: Burst) -> Tally:
    if burst.calls_per_clinic > len(AREA_CODES):
        raise ValueError(f"at most {len(AREA_CODES)} calls a clinic (one number each)")
    from bench.simulated import simulated_stack
    from shared.dal.dial_leases import DynamoDialLeases

    os.environ["RETELL_CONCURRENCY_LIMIT"] = str(burst.workspace_limit)
    # Metrics are one object per process, and this process runs many handlers at once on threads (Lambda runs one
    # per container): one handler's flush would take another's metrics. They cost no AWS call (EMF in the logs).
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    now = [START - timedelta(hours=1)]
    clock: Callable[[], datetime] = lambda: now[0]  # noqa: E731
    tally = Tally()
    with simulated_stack(clock) as stack, ThreadPoolExecutor(burst.lambda_concurrency) as pool:
        functions, scheduler, sim = stack.functions, stack.scheduler, stack.sim
        _SCHEDULER_ITSELF[:] = [scheduler.scheduler]
        phase = ["schedule"]
        with _counting_aws_calls(tally, phase):
            owners = _schedule_all(burst, functions.invoke)
        leases = functions.execute.leases
        assert isinstance(leases, DynamoDialLeases)  # the pools as DynamoDB holds them, to count what is held
        endings: dict[datetime, list[Any]] = defaultdict(list)
        open_calls = set(owners)
        counted: set[str] = set(sim.placed_call_ids())  # Retell call ids already looked at
        now[0] = START
        with _counting_aws_calls(tally, phase):
            for minute in range(600):
                with _observing():  # listing due schedules is Scheduler's own work in AWS
                    due = scheduler.due(now[0])

                def fire(schedule: dict[str, Any]) -> Any:
                    began = time.perf_counter()
                    fired = scheduler.fire(schedule, now[0])
                    tally.execute_seconds.append(time.perf_counter() - began)
                    return fired

                phase[0] = "execute"
                fired = list(pool.map(fire, due))
                phase[0] = "webhooks"
                requeued_by_clinic: Counter[str] = Counter()
                for one in fired:
                    result = (one.result or {}).get("result", "error") if one.error is None else "error"
                    tally.results[result] += 1
                    if one.error is not None:
                        tally.errors[one.error[:160]] += 1
                    if result == "requeued":
                        requeued_by_clinic[one.payload.get("clinicId", "")] += 1
                if requeued_by_clinic:
                    with _observing():
                        workspace_full = len(leases.held_in_workspace(burst.workspace_limit)) >= burst.workspace_limit
                        for clinic_id, count in requeued_by_clinic.items():
                            if not workspace_full and len(leases.held(clinic_id)) < burst.clinic_limit:
                                tally.false_requeues += count
                if minute == 0:
                    with _observing():
                        tally.largest_pool_item = _largest_pool_item()
                new = [placed for placed in sim.placed_call_ids() if placed not in counted]
                counted.update(new)
                # Only the burst's own calls: the sandbox seeds a sample call of another clinic, due at 09:00 too.
                ours = [placed for placed in new if (sim.call(placed).get("metadata") or {}).get("call_id") in owners]
                tally.dials_by_minute.append(len(ours))
                for webhook in sim.take_pending():
                    if webhook.event == "call_started":
                        sim.deliver(webhook.body, url=webhook.url)
                    else:
                        endings[now[0] + timedelta(minutes=burst.call_minutes)].append(webhook)
                now[0] += timedelta(minutes=1)
                for webhook in endings.pop(now[0], []):
                    sim.deliver(webhook.body, url=webhook.url)
                if minute % 5 == 4 or not due:
                    with _observing():
                        open_calls = {c for c in open_calls if _status(functions, c, owners[c]) not in TERMINAL}
                    if not open_calls and not endings:
                        tally.minutes_to_final = minute + 1
                        break
    return tally


def _largest_pool_item() -> int:
    """The largest lease pool item (a clinic's pool or the workspace's, or a shard of it), in bytes."""
    import boto3

    client = boto3.client("dynamodb")
    largest, request = 0, {"TableName": os.environ["TABLE_NAME"]}
    while True:
        page = client.scan(**request)
        for item in page["Items"]:
            if item.get("pk", {}).get("S", "").startswith("LEASES#"):
                largest = max(largest, item_size(item))
        if "LastEvaluatedKey" not in page:
            return largest
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _status(functions: Any, call_id: str, clinic_id: str) -> str:
    from standins.apigw import claims_for, http_event

    got = functions.invoke("api", http_event("GET", f"/calls/{call_id}", claims=claims_for(clinic_id)))
    return str(json.loads(got["body"])["data"]["status"])


def burst_figures(bursts: tuple[Burst, ...] | None = None) -> None:
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    bursts = bursts or (
        Burst(clinics=50, calls_per_clinic=20, workspace_limit=1000),  # a burst with room: contention only
        Burst(clinics=10, calls_per_clinic=20, workspace_limit=20),  # Retell's default limit: ten waves
    )
    print("\nMonday-09:00 burst: every call due in one minute, through execute and the webhooks (simulated minutes,")
    print(f"  calls of {bursts[0].call_minutes} min; a lease is free again when the call ends)")
    print(
        f"  {'calls':>5} {'clinics':>7} {'Retell limit':>12} {'1st-min dials':>13} {'dials/min':>9} "
        f"{'ceiling':>7} {'last dial (ideal)':>17} {'re-queued':>9} {'false':>5} {'all final':>9} "
        f"{'WRU/call':>11} {'AWS calls/call':>14}"
    )
    for burst in bursts:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            tally = run_burst(burst)
        dialed = [minute for minute, count in enumerate(tally.dials_by_minute) if count]
        last = dialed[-1] if dialed else 0
        dials = sum(tally.dials_by_minute)
        rate = dials / (last + burst.call_minutes)
        calls = tally.aws_calls
        total = sum(calls.values())
        final = f"{tally.minutes_to_final} min" if tally.minutes_to_final else "-"
        print(
            f"  {burst.calls:>5} {burst.clinics:>7} {burst.workspace_limit:>12} {tally.dials_by_minute[0]:>13} "
            f"{rate:>9.0f} {burst.ceiling_per_minute:>7.0f} {f'{last} ({burst.ideal_last_dial_minute})':>17} "
            f"{tally.results['requeued']:>9} {tally.false_requeues:>5} {final:>9} "
            f"{tally.write_units / burst.calls:>11.1f} {total / burst.calls:>14.1f}"
        )
        units = -(-tally.largest_pool_item // 1024)
        print(
            f"    largest lease pool item {tally.largest_pool_item / 1024:.1f} KB: {units} write unit(s) per write"
            f" ({2 * units} in a transaction); one item takes ~1,000 write units/s, so ~{1000 // (2 * units)} dials/s"
        )
        for error, count in tally.errors.items():
            print(f"    execute failed {count}x (Scheduler retries it): {error}")
        seconds = sorted(tally.execute_seconds)
        print(
            f"    executes {dict(tally.results)}; one execute in-process (moto, {burst.lambda_concurrency} threads) "
            f"p50 {seconds[len(seconds) // 2] * 1000:.0f} ms, p95 {seconds[int(len(seconds) * 0.95)] * 1000:.0f} ms"
        )
    print(
        "  dials/min: every dial over the minutes from the first dial until the last call ended; ceiling: leases over"
    )
    print("  a call's length. 'false': re-queued though both pools had a lease free. Write units (WRU) and AWS calls")
    print("  count the schedule request, every execute (re-queues too) and the webhooks.")


if __name__ == "__main__":
    import sys

    if len(sys.argv) > 1:
        clinics, per_clinic, limit = (int(value) for value in sys.argv[1:4])
        burst_figures((Burst(clinics=clinics, calls_per_clinic=per_clinic, workspace_limit=limit),))
    else:
        burst_figures()
