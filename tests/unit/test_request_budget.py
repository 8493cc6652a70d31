"""Each clinic's request budget: counted per clinic and fixed window, refused with ``429 clinic_rate_limited`` and
``Retry-After`` once used up, before any route runs; public routes are not charged; an outage of the counters
serves the request."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from api.handler import handle
from shared.bootstrap.api import ApiServices, build_api
from shared.config import ApiConfig
from shared.logic.request_budget import ClinicRequestBudget, RequestBudgetLimits
from shared.models.errors import ClinicRateLimited
from standins.apigw import claims_for, http_event
from standins.gateway import LambdaContext
from tests.support.fakes import FakeClock, InMemoryCallSummaries, InMemoryClinicRequestCounters
from tests.support.graph import CONFIG, build_graph

SMALL = RequestBudgetLimits(requests_per_second=2, window_seconds=5)  # 10 requests a window


def _budget(clock: FakeClock, counters: InMemoryClinicRequestCounters) -> ClinicRequestBudget:
    return ClinicRequestBudget(counters, SMALL, clock=clock)


class TestTheBudget:
    def test_a_clinic_has_rate_times_window_requests_a_window_then_is_told_when_to_come_back(self) -> None:
        clock, counters = FakeClock("2026-11-23T17:30:01+00:00"), InMemoryClinicRequestCounters()
        budget = _budget(clock, counters)
        for _ in range(10):
            budget.charge("clinic-a")
        clock.advance(seconds=1.5)
        with pytest.raises(ClinicRateLimited) as refused:
            budget.charge("clinic-a")
        # the window is 17:30:00-17:30:05 (windows start at multiples of 5 s); now is 17:30:02.5
        assert refused.value.retry_after_seconds == 3
        assert refused.value.headers() == {"Retry-After": "3"}
        assert refused.value.details == [
            {"retryAfterSeconds": 3, "retryAt": "2026-11-23T17:30:05Z", "limit": 10, "windowSeconds": 5}
        ]
        assert counters.counts == {("clinic-a", datetime(2026, 11, 23, 17, 30, tzinfo=UTC)): 10}  # no 11th counted

    def test_other_clinics_keep_their_own_budget_and_the_next_window_starts_afresh(self) -> None:
        clock, counters = FakeClock("2026-11-23T17:30:00+00:00"), InMemoryClinicRequestCounters()
        budget = _budget(clock, counters)
        for _ in range(10):
            budget.charge("clinic-a")
        with pytest.raises(ClinicRateLimited):
            budget.charge("clinic-a")
        budget.charge("clinic-b")
        clock.advance(seconds=5)
        budget.charge("clinic-a")
        assert len(counters.counts) == 3  # one counter per clinic and window: no key is shared

    def test_each_counter_expires_a_while_after_its_window(self) -> None:
        clock, counters = FakeClock("2026-11-23T17:30:00+00:00"), InMemoryClinicRequestCounters()
        _budget(clock, counters).charge("clinic-a")
        ((_, expires_at),) = counters.expiries.items()
        assert datetime(2026, 11, 23, 17, 30, 5, tzinfo=UTC) < expires_at <= datetime(2026, 11, 23, 18, tzinfo=UTC)

    def test_counters_that_cannot_be_reached_serve_the_request(self) -> None:
        clock, counters = FakeClock(), InMemoryClinicRequestCounters()
        counters.down = True
        budget = _budget(clock, counters)
        for _ in range(20):
            budget.charge("clinic-a")  # no refusal: the budget must never be why the API is down

    def test_the_default_is_twenty_a_second_over_ten_seconds(self) -> None:
        assert (CONFIG.clinic_requests_per_second, CONFIG.clinic_budget_window_seconds) == (20, 10)
        defaults = RequestBudgetLimits(CONFIG.clinic_requests_per_second, CONFIG.clinic_budget_window_seconds)
        assert defaults.requests_per_window == 200


# -- through the API's handler ---------------------------------------------------------------------------------------


def _services(requests_per_second: int = 2, window_seconds: int = 5) -> tuple[ApiServices, FakeClock]:
    graph = build_graph()
    config = ApiConfig.model_validate(
        {
            **CONFIG.model_dump(),
            "clinic_requests_per_second": requests_per_second,
            "clinic_budget_window_seconds": window_seconds,
        }
    )
    services = build_api(
        config,
        stores=graph.stores,
        summaries=InMemoryCallSummaries(graph.calls),
        counters=graph.request_counters,
        invoker=graph.invoker,
        retell=lambda: graph.dialer,
        copies=lambda: graph.dialer,
        number_digest=lambda number: number,
        clock=graph.clock,
    )
    return services, graph.clock


def _ask(services: ApiServices, method: str, path: str, clinic: str | None = "clinic-a", **kwargs: Any) -> Any:
    claims = claims_for(clinic, "staff") if clinic else None
    return handle(http_event(method, path, claims=claims, **kwargs), LambdaContext("api"), services=services)


class TestTheHandlerCharges:
    def test_over_the_budget_every_route_is_a_typed_429_with_retry_after_and_no_service_runs(self) -> None:
        services, _ = _services()
        answers = [_ask(services, "GET", "/clinic/settings")["statusCode"] for _ in range(10)]
        assert answers == [200] * 10
        refused = _ask(services, "GET", "/calls")
        assert refused["statusCode"] == 429
        assert refused["headers"]["Retry-After"].isdigit()
        body = json.loads(refused["body"])
        assert body["success"] is False
        assert body["error"]["code"] == "clinic_rate_limited"
        assert body["error"]["details"][0]["retryAfterSeconds"] == int(refused["headers"]["Retry-After"])
        # refused before any parsing: a broken body gets the 429 too, not a 400
        broken = _ask(services, "POST", "/calls/abc/follow-up", raw_body="{not json")
        assert broken["statusCode"] == 429

    def test_the_next_window_serves_again_and_other_clinics_are_not_affected(self) -> None:
        services, clock = _services(requests_per_second=1, window_seconds=2)
        assert [_ask(services, "GET", "/clinic/settings")["statusCode"] for _ in range(3)] == [200, 200, 429]
        assert _ask(services, "GET", "/clinic/settings", clinic="clinic-b")["statusCode"] == 200
        clock.advance(seconds=2)
        assert _ask(services, "GET", "/clinic/settings")["statusCode"] == 200

    def test_health_and_refused_tokens_are_not_charged(self) -> None:
        services, _ = _services(requests_per_second=1, window_seconds=1)
        for _ in range(5):
            assert _ask(services, "GET", "/health", clinic=None)["statusCode"] == 200
            assert _ask(services, "GET", "/calls", clinic=None)["statusCode"] == 401
        assert _ask(services, "GET", "/clinic/settings")["statusCode"] == 200
        assert _ask(services, "GET", "/clinic/settings")["statusCode"] == 429
