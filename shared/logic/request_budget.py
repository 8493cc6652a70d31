"""Each clinic's share of the API: at most ``requests`` authenticated requests per fixed ``window``.

API Gateway's stage throttle is one bucket for every clinic (an HTTP API has no usage plans), so one clinic's
script or runaway page could take it all. The budget is charged once per authenticated request, before any route
runs, with one atomic counter per clinic and window (``ClinicRequestCounters``): a window's counter is one item,
so a busy clinic writes only its own item and no key is shared between clinics.

A fixed window lets a clinic make up to twice its budget across a window's boundary (the end of one window and
the start of the next); over any longer span its rate is the budget's. A token bucket would smooth that, at the
price of a read-modify-write per request instead of one conditional ``ADD``.

When the counters cannot be reached the request is served (and a warning logged): the budget guards the API, it
must never be the reason the API is down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.logic.ports import ClinicRequestCounters, Clock, CountersUnavailable
from shared.models.errors import ClinicRateLimited
from shared.observability import logger

COUNTER_KEPT_FOR = timedelta(minutes=5)
"""A window's counter expires (DynamoDB TTL) this long after its window ends: nothing reads it after the end, and
TTL deletes lazily anyway."""


@dataclass(frozen=True)
class RequestBudgetLimits:
    requests_per_second: int
    window_seconds: int

    @property
    def requests_per_window(self) -> int:
        return self.requests_per_second * self.window_seconds


class ClinicRequestBudget:
    def __init__(self, counters: ClinicRequestCounters, limits: RequestBudgetLimits, clock: Clock):
        self._counters = counters
        self._limits = limits
        self._clock = clock

    @property
    def limits(self) -> RequestBudgetLimits:
        return self._limits

    def charge(self, clinic_id: str) -> None:
        """Count one request of the clinic; ``ClinicRateLimited`` (nothing counted) if its window is used up."""
        now = self._clock()
        seconds = self._limits.window_seconds
        start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)
        end = start + timedelta(seconds=seconds)
        limit = self._limits.requests_per_window
        try:
            counted = self._counters.count(clinic_id, start, limit, end + COUNTER_KEPT_FOR)
        except CountersUnavailable:
            logger.warning("request budget not checked: the counters are unavailable", extra={"clinic_id": clinic_id})
            return
        if not counted:
            logger.info("clinic over its request budget", extra={"clinic_id": clinic_id, "limit": limit})
            raise ClinicRateLimited(end, now, limit, seconds)
