"""One answered call end to end in the sandbox (moto, the simulated Retell), measured by phase (``make bench``).

The phases are what AWS bills per call: the schedule request (API), the attempt its schedule fires (execute), and
Retell's three webhooks (``call_started``, ``call_ended``, ``call_analyzed``). For each: the AWS API calls the
functions make (counted only inside a handler, so the local scheduler's own bookkeeping, e.g. deleting a schedule
after it fired as ``ActionAfterCompletion=DELETE`` does in AWS, is not counted), the DynamoDB write and read units
(``bench.capacity``), the handler's wall time, the part of it spent waiting on moto, and its peak Python heap.
Secrets Manager is read once per container (cached five minutes): reported, not counted per call.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from unittest import mock

from bench.capacity import Units, metering_capacity

PER_CONTAINER = {"secretsmanager.GetSecretValue"}
PHASES = ("schedule", "execute", "webhooks")
DISCHARGE_SUMMARY = (
    "Luna, 4-year-old spayed female Labrador, was seen for vomiting and lethargy. Bloodwork normal; abdominal "
    "radiographs showed no obstruction. Treated with subcutaneous fluids and maropitant. Discharged on a bland "
    "diet (boiled chicken and rice) for three days, then a gradual return to her usual food over four days. "
    "Maropitant 24 mg by mouth once daily for 3 more days. Call if vomiting recurs, she refuses food for more "
    "than a day, or she seems painful or weak. Recheck in 10 days if not fully back to normal."
)


@dataclass
class Phase:
    calls: Counter[str] = field(default_factory=Counter)
    per_container: Counter[str] = field(default_factory=Counter)
    units: Units = field(default_factory=Units)
    invocations: int = 0
    wall_seconds: float = 0.0
    aws_seconds: float = 0.0  # of the wall time, waiting on moto
    peak_bytes: int = 0
    log_bytes: int = 0  # what the handlers print (JSON logs at INFO, EMF metrics): CloudWatch Logs ingests it


@dataclass
class AnsweredCall:
    phases: dict[str, Phase]
    result: str
    statuses: list[int]

    @property
    def aws_calls(self) -> int:
        return sum(sum(phase.calls.values()) for phase in self.phases.values())

    @property
    def write_units(self) -> float:
        return sum(phase.units.write for phase in self.phases.values())

    @property
    def read_units(self) -> float:
        return sum(phase.units.read for phase in self.phases.values())


class _Recorder:
    """Counts AWS calls, and times them, only while a handler runs (``inside``)."""

    def __init__(self) -> None:
        self.phase: Phase | None = None
        self.depth = 0

    @contextlib.contextmanager
    def inside(self, phase: Phase) -> Iterator[None]:
        self.phase, self.depth = phase, self.depth + 1
        tracemalloc.start()
        start = time.perf_counter()
        try:
            yield
        finally:
            phase.wall_seconds += time.perf_counter() - start
            phase.peak_bytes = max(phase.peak_bytes, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            phase.invocations += 1
            self.depth -= 1

    @contextlib.contextmanager
    def counting(self) -> Iterator[None]:
        import botocore.client

        original = botocore.client.BaseClient._make_api_call
        recorder = self

        def counted(client: Any, operation: str, params: Any) -> Any:
            phase = recorder.phase if recorder.depth else None
            if phase is None:
                return original(client, operation, params)
            name = f"{client.meta.service_model.service_name}.{operation}"
            (phase.per_container if name in PER_CONTAINER else phase.calls)[name] += 1
            start = time.perf_counter()
            try:
                return original(client, operation, params)
            finally:
                phase.aws_seconds += time.perf_counter() - start

        with mock.patch.object(botocore.client.BaseClient, "_make_api_call", counted):
            yield


def answered_call() -> AnsweredCall:
    from scripts.invoke import sandbox
    from standins.apigw import claims_for, http_event
    from standins.gateway import LocalGateway
    from standins.scheduler_loop import LocalScheduler
    from standins.stack import LocalFunctions

    phases = {name: Phase() for name in PHASES}
    recorder = _Recorder()
    units_now: list[Units] = []  # the phase's units, swapped per phase

    monday_10am_la = datetime(2030, 12, 2, 18, 0, tzinfo=UTC)
    from shared.observability import logger

    logger.setLevel("INFO")  # as deployed, so that the log volume is the real one
    with (
        sandbox(clock=lambda: monday_10am_la) as sandboxed,
        contextlib.redirect_stdout(io.StringIO()),
    ):
        import boto3

        from standins.aws_stand_ins import RETELL_TEST_KEY
        from standins.retell_sim import RetellSimulator

        body = {
            "phoneNumber": "+14155550100",
            "petName": "Luna",
            "ownerName": "Sarah",
            "vetName": "Dr. Patel",
            "clinicName": "Paws & Claws",
            "clinicPhone": "+14155559876",
            "dischargeSummary": DISCHARGE_SUMMARY,
            "metadata": {"consultation_id": "c-1001", "source": "idexx"},
            "consent": {"given": True},
        }
        claims = claims_for("bench", "admin")
        group = os.environ["SCHEDULE_GROUP_NAME"]
        functions: list[LocalFunctions] = []  # built again once this simulated Retell is up

        def run(phase: str, function: str, event: dict[str, Any], invoke: Callable[..., Any]) -> Any:
            printed = io.StringIO()
            try:
                with recorder.inside(phases[phase]), contextlib.redirect_stdout(printed):
                    units_now[:] = [phases[phase].units]
                    return invoke(function, event)
            finally:
                phases[phase].log_bytes += len(printed.getvalue().encode())

        def forward() -> Units:
            return units_now[0] if units_now else Units()

        # A clinic's first call creates its lease pools; measure a call of a clinic that is already dialing.
        warm_up = sandboxed.invoke(
            "api", http_event("POST", "/calls/schedule", body={**body, "metadata": {}}, claims=claims)
        )
        assert warm_up["statusCode"] == 201, warm_up
        with metering_capacity(forward), recorder.counting():
            created = run(
                "schedule",
                "api",
                # As the extension sends it: with an Idempotency-Key, so a retry after a lost answer creates nothing.
                http_event(
                    "POST", "/calls/schedule", body=body, claims=claims, headers={"Idempotency-Key": "bench-c-1001"}
                ),
                sandboxed.invoke,
            )
        call_id = json.loads(created["body"])["data"]["callId"]
        scheduler = LocalScheduler(
            boto3.client("scheduler"), group, target=lambda p: run("execute", "execute", p, functions[0].invoke)
        )
        with (
            LocalGateway(
                lambda function, event: run("webhooks", function, event, functions[0].invoke)
            ).running() as gateway,
            RetellSimulator(
                RETELL_TEST_KEY, f"{gateway.url}/webhooks/retell", clock=lambda: monday_10am_la, auto_deliver=False
            ).running() as sim,
        ):
            os.environ["RETELL_BASE_URL"] = sim.url
            functions.append(LocalFunctions.from_environment(clock=lambda: monday_10am_la, background=False))
            fire_at = monday_10am_la.replace(minute=1)
            for schedule in scheduler.due(fire_at):  # the warm-up call first: it makes the pools
                if call_id not in schedule["Name"]:
                    scheduler.fire(schedule, fire_at)
            sim.flush()
            _every_workspace_shard(boto3.client("dynamodb"))
            phases["execute"] = Phase()  # forget the warm-up call's attempt
            phases["webhooks"] = Phase()
            with metering_capacity(forward), recorder.counting():
                (schedule,) = [s for s in scheduler.due(fire_at) if call_id in s["Name"]]
                fired = scheduler.fire(schedule, fire_at)
                statuses = sim.flush()
    return AnsweredCall(phases, str(fired.result["result"]), list(statuses))


def _every_workspace_shard(dynamodb: Any) -> None:
    """A workspace that has dialed a while has every shard of its pool; the warm-up call made only the one it took,
    and the call measured may take another (the shard follows from the call id)."""
    from shared.config import RetellConfig, from_environment
    from shared.dal.dial_leases import LEASES, shard_sizes
    from shared.dal.items import put_if_absent
    from shared.dal.table_design import workspace_leases_key

    for shard in range(len(shard_sizes(from_environment(RetellConfig).retell_concurrency_limit))):
        put_if_absent(dynamodb, os.environ["TABLE_NAME"], {**workspace_leases_key(shard), LEASES: {}})
