"""Fixtures shared by every test: AWS stand-ins (moto) shaped by the synthesized stack, and an API client."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from shared.bootstrap.api import ApiServices, api_from_environment
from standins import iam_harness
from standins.apigw import claims_for, http_event
from standins.aws_stand_ins import FAKE_CREDENTIALS, REGION, create_stand_ins
from standins.gateway import LambdaContext
from standins.iam_harness import acting_as
from standins.moto_atomic import make_moto_dynamodb_atomic

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "discharge-call-scheduler-test")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "DischargeCallScheduler")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

TABLE = "calls-test"
GROUP = "discharge-calls-test"
IAM_TALLY = Path(__file__).resolve().parents[1] / ".build" / "iam-requests.json"
"""Every AWS request the functions made in the last session that checked any, by function and action, and the
grants they used (``make iam-report`` reads it)."""

# Every AWS request a function's client makes is checked against its role's policy (standins/iam_harness.py).
iam_harness.install()


@pytest.fixture(autouse=True)
def _iam_refusals() -> Iterator[None]:
    """A request the function's role may not make fails the test, even where the product code caught it."""
    before = len(iam_harness.refusals())
    yield
    refused = iam_harness.refusals()[before:]
    if refused:
        pytest.fail("\n".join(str(refusal) for refusal in refused), pytrace=False)


def pytest_sessionfinish(session: pytest.Session) -> None:
    recorded = iam_harness.tally()
    if recorded["requests"]:
        iam_harness.write_tally(IAM_TALLY)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    recorded = iam_harness.tally()
    if recorded["requests"]:
        terminalreporter.write_line(f"{iam_harness.summary(recorded)}; tally in {IAM_TALLY.relative_to(Path.cwd())}")


@dataclass
class AwsStandIns:
    dynamodb: Any
    scheduler: Any
    sqs: Any
    dlq_arn: str

    def schedules(self) -> list[dict[str, Any]]:
        names = [s["Name"] for s in self.scheduler.list_schedules(GroupName=GROUP)["Schedules"]]
        return [self.scheduler.get_schedule(Name=name, GroupName=GROUP) for name in sorted(names)]

    def items(self, *, request_counters: bool = False) -> list[dict[str, Any]]:
        """The table's items; without the clinics' request counters unless asked (every authenticated request
        counts itself against its clinic's budget, so "nothing was stored" means nothing else)."""
        from shared.dal.items import from_item

        items = [from_item(item) for item in self.dynamodb.scan(TableName=TABLE)["Items"]]
        return [item for item in items if request_counters or not str(item["pk"]).startswith("BUDGET#")]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsStandIns]:
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    make_moto_dynamodb_atomic()
    with mock_aws():
        for name, value in create_stand_ins(TABLE, GROUP).items():
            monkeypatch.setenv(name, value)
        yield AwsStandIns(
            dynamodb=boto3.client("dynamodb", region_name=REGION),
            scheduler=boto3.client("scheduler", region_name=REGION),
            sqs=boto3.client("sqs", region_name=REGION),
            dlq_arn=os.environ["SCHEDULER_DLQ_ARN"],
        )


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def data(self) -> Any:
        body = self.json
        assert body["success"] is True, body
        return body["data"]

    @property
    def error(self) -> dict[str, Any]:
        body = self.json
        assert body["success"] is False, body
        return dict(body["error"])


class ApiClient:
    """Calls the schedule function's handler with API Gateway v2 events, as a given user of a given clinic, over
    the API graph ``services`` returns."""

    def __init__(
        self,
        services: Callable[[], ApiServices],
        clinic_id: str = "clinic-a",
        role: str = "admin",
        user: str = "user-1",
    ):
        self._services = services
        self.claims: dict[str, Any] | None = claims_for(clinic_id, role, user)

    @property
    def services(self) -> ApiServices:
        return self._services()

    def as_(self, clinic_id: str, role: str = "admin", user: str = "user-2") -> ApiClient:
        return ApiClient(self._services, clinic_id, role, user)

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        """The handler's answer to a raw event."""
        from api.handler import handle

        with acting_as("api"):  # clients made on the way (the secrets provider, "call now"'s) are the API's
            return dict(handle(event, LambdaContext("api"), services=self.services))

    def request(self, method: str, path: str, **kwargs: Any) -> ApiResponse:
        kwargs.setdefault("claims", self.claims)
        result = self.handle(http_event(method, path, **kwargs))
        return ApiResponse(status=result["statusCode"], headers=result.get("headers", {}), text=result.get("body", ""))

    def get(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        return self.request("POST", path, body=body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        return self.request("PATCH", path, body=body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        return self.request("PUT", path, body=body, **kwargs)


class FrozenClock:
    """A settable ``now`` for the services, so tests don't depend on the day they run."""

    def __init__(self, now: str):
        from datetime import datetime

        self.now = datetime.fromisoformat(now)

    def __call__(self) -> Any:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FrozenClock:
    """Monday 2026-11-23 08:00 in Los Angeles (16:00 UTC): an hour before the default clinic opens."""
    return FrozenClock("2026-11-23T16:00:00+00:00")


@pytest.fixture
def api(aws: AwsStandIns, clock: FrozenClock) -> ApiClient:
    """The API over moto with the frozen clock ("call now" goes to Lambda, which moto does not run)."""
    with acting_as("api"):
        services = api_from_environment(clock=clock)
    return ApiClient(lambda: services)
