"""A whole system in one test process: the API and webhook handlers behind the local gateway, moto for AWS, the
local scheduler firing schedules into the execute handler, and the simulated Retell over real HTTP."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

from shared.config import RetellConfig, from_environment
from shared.logic.ports import ExecuteInvoker
from standins.aws_stand_ins import REGION, RETELL_TEST_KEY
from standins.event_filters import notices_stream_filters
from standins.gateway import LocalGateway
from standins.iam_harness import acting_as
from standins.invokers import AsynchronousInvocation, queue_destination
from standins.notice_outbox import LocalOutbox
from standins.retell_sim import RetellSimulator
from standins.scheduler_loop import Fired, LocalScheduler, fire_time
from standins.stack import LocalFunctions
from standins.stream_feed import StreamFeed
from tests.conftest import GROUP, TABLE, ApiClient, AwsStandIns, FrozenClock
from tests.support.graph import SPAY_FOLLOW_UP

TERMINAL = {"completed", "failed", "cancelled"}


@dataclass
class Stand:
    api: ApiClient
    aws: AwsStandIns
    clock: FrozenClock
    sim: RetellSimulator
    gateway: LocalGateway
    scheduler: LocalScheduler
    functions: LocalFunctions
    stream: StreamFeed

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        """Run a function's handler over the stand's graphs."""
        return self.functions.invoke(function, event)

    def rebuild(self, *, invoker: ExecuteInvoker | None = None, **retell: Any) -> None:
        """Build the functions' graphs again (as new containers would start), with ``invoker`` for "call now" or
        Retell settings changed from the environment's (``retell_concurrency_limit=1``)."""
        config = from_environment(RetellConfig).model_copy(update=retell)
        self.functions = _functions(self.clock, invoker=invoker, retell=config, outbox=self.functions.outbox)

    def feed_stream(self) -> int:
        """Feed the table's stream to the notices function until it is drained (as its event source would); the
        number of records handed over."""
        total = 0
        while fed := self.stream.feed_once(lambda event: self.invoke("notices", event)):
            total += fed
        return total

    def stream_events(self) -> list[dict[str, Any]]:
        """The table's stream from its start, as the notices function would receive it (nothing is invoked)."""
        events: list[dict[str, Any]] = []

        def keep(event: dict[str, Any]) -> dict[str, Any]:
            events.append(event)
            return {}

        feed = StreamFeed(self.aws.dynamodb, streams_client(), TABLE, filters=notices_stream_filters())
        while feed.feed_once(keep):
            pass
        return events

    def outbox(self) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.gateway.url}/local/outbox", timeout=5)
        assert response.status_code == 200, response.text
        return list(response.json())

    def schedule(self, **overrides: Any) -> dict[str, Any]:
        response = self.api.post("/calls/schedule", {**SPAY_FOLLOW_UP, **overrides})
        assert response.status == 201, response.text
        return dict(response.data)

    def call(self, call_id: str) -> dict[str, Any]:
        response = self.api.get(f"/calls/{call_id}")
        assert response.status == 200, response.text
        return dict(response.data)

    def next_fire_time(self) -> datetime | None:
        times = [fire_time(s["ScheduleExpression"]) for s in self.aws.schedules()]
        return min((t for t in times if t is not None), default=None)

    def fire_due(self) -> list[Fired]:
        return self.scheduler.fire_due(self.clock.now)

    def advance_and_fire(self) -> list[Fired]:
        """Move the clock to the next schedule's time and fire what is due then."""
        at = self.next_fire_time()
        assert at is not None, "no schedule is waiting"
        self.clock.now = max(self.clock.now, at)
        return self.fire_due()

    def run_to_the_end(self, call_id: str, max_rounds: int = 30) -> dict[str, Any]:
        """Fire schedules and deliver webhooks until the call is terminal."""
        for _ in range(max_rounds):
            assert all(status == 204 for status in self.sim.flush())
            call = self.call(call_id)
            if call["status"] in TERMINAL:
                return call
            if call["status"] == "scheduled":
                self.advance_and_fire()
        raise AssertionError(f"call {call_id} did not finish: {self.call(call_id)}")

    def dials(self) -> int:
        return len(self.sim.placed_call_ids())


def streams_client() -> Any:
    """DynamoDB Streams in moto: without account-based endpoints (``<account>.streams-ddb...``), which moto's
    in-process router does not know."""
    return boto3.client("dynamodbstreams", region_name=REGION, config=Config(account_id_endpoint_mode="disabled"))


def _functions(
    clock: FrozenClock,
    invoker: ExecuteInvoker | None = None,
    retell: RetellConfig | None = None,
    outbox: LocalOutbox | None = None,
) -> LocalFunctions:
    """The graphs over moto and the simulated Retell, with the frozen clock; "call now" runs execute in-process."""
    return LocalFunctions.from_environment(clock=clock, background=False, invoker=invoker, retell=retell, outbox=outbox)


@pytest.fixture
def stand(
    aws: AwsStandIns, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Stand]:
    stands: list[Stand] = []  # the gateway and the scheduler run the handlers over the stand's current graphs
    sim = RetellSimulator(RETELL_TEST_KEY, clock=clock, auto_deliver=False)
    gateway = LocalGateway(
        lambda function, event: stands[0].invoke(function, event),
        outbox=lambda: stands[0].functions.outbox.entries(),
    )
    sim.webhook_url = f"{gateway.url}/webhooks/retell"
    monkeypatch.setenv("RETELL_BASE_URL", sim.url)
    monkeypatch.setenv("RETELL_TIMEOUT_SECONDS", "0.5")
    # Scheduler invokes execute asynchronously, once: a function error goes to its on-failure queue, not back to
    # Scheduler's retries (run in the foreground here, so a test reads the answer).
    with acting_as("execute"):  # Lambda sends a function's destinations with the function's role
        destinations = boto3.client("sqs", region_name=REGION)
    execute = AsynchronousInvocation(
        "execute",
        lambda payload: stands[0].invoke("execute", payload),
        queue_destination(destinations, os.environ["EXECUTE_FAILURES_QUEUE_ARN"]),
        background=False,
    )
    scheduler = LocalScheduler(aws.scheduler, GROUP, target=execute, sqs=aws.sqs)
    api = ApiClient(lambda: stands[0].functions.api)
    with acting_as("notices"):  # the stream's event source reads with the notices function's role
        streams = streams_client()
    stream = StreamFeed(aws.dynamodb, streams, TABLE, filters=notices_stream_filters())
    stands.append(Stand(api, aws, clock, sim, gateway, scheduler, _functions(clock), stream))
    with sim.running(), gateway.running():
        yield stands[0]
        _record_dials(request.node.nodeid, stands[0])


def _record_dials(test: str, stand: Stand) -> None:
    """For ``make bench``: the calls a test scheduled and the dials Retell saw (``DIAL_LEDGER`` names the file)."""
    ledger = os.environ.get("DIAL_LEDGER")
    if not ledger:
        return
    scheduled = sum(1 for item in stand.aws.items() if item["sk"] == "CALL")
    row = {"test": test, "scheduled": scheduled, "dials": stand.dials(), "requests": len(stand.sim.requests())}
    with open(ledger, "a") as file:
        file.write(json.dumps(row) + "\n")
