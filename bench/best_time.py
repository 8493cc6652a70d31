"""Best time against fixed-time scheduling (``make bench``; ``python -m bench.best_time``).

A simulated month of discharge calls from a few clinics whose owners answer at different hours: daytime workers
(at work until 17:00), retirees (mornings), shift workers (asleep until mid-afternoon). Each strategy schedules the
same calls to the same owners, with the same random draws per (call, attempt, hour):

* **fixed time**: every call the next day at 10:00, as clinics usually set them;
* **best time**: a window of the next day (08:00-20:00), placed by ``shared.domain.best_time.choose`` on the counts
  the month's earlier dials left (the clinic's, every clinic's, a prior: ``AnswerRateModel``), counted as dials end;
* **best time + moveToBestHour**: the same, and a retry after no answer moved to a likelier hour
  (``best_time.moved_retry``).

Retries follow the default policy (3 retries, 5, 10 and 20 minutes after), inside the clinic's and the owner's
hours (``DialWindow``). The month starts with no counts at all: best time learns as it goes. Printed: the share of
first attempts answered, attempts per reached owner and the share of owners reached, for the whole month and for its
last week (once the counts have filled).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.domain import best_time
from shared.domain.answer_rates import AnswerRateModel, Cell, CellCounts, cell_of, summed
from shared.domain.calling_safety import DialWindow
from shared.models.settings import ClinicSettings

ZONE = ZoneInfo("America/Los_Angeles")
PHONE = "+14155550100"  # every owner in the clinics' zone: the hours below are theirs
FIRST_DAY = date(2026, 10, 5)  # a Monday
DAYS = 28
CALLS_PER_CLINIC_DAY = 20
HISTORY_DAYS = 90
FIXED_HOUR = time(10)
WINDOW = (time(8), time(20))
SEED = 7

AnswerCurve = Callable[[int], float]
"""An owner's chance of answering at a local hour."""


def daytime_worker(hour: int) -> float:
    return 0.75 if 17 <= hour < 20 else 0.45 if hour == 8 else 0.12


def retiree(hour: int) -> float:
    return 0.8 if 9 <= hour < 12 else 0.55 if 12 <= hour < 17 else 0.45


def shift_worker(hour: int) -> float:
    return 0.1 if hour < 14 else 0.7


OWNERS: dict[str, AnswerCurve] = {"daytime worker": daytime_worker, "retiree": retiree, "shift worker": shift_worker}
CLINICS: dict[str, dict[str, float]] = {
    "commuter town": {"daytime worker": 0.7, "retiree": 0.15, "shift worker": 0.15},
    "retirement area": {"daytime worker": 0.15, "retiree": 0.75, "shift worker": 0.1},
    "hospital district": {"daytime worker": 0.2, "retiree": 0.2, "shift worker": 0.6},
    "mixed": {"daytime worker": 0.4, "retiree": 0.3, "shift worker": 0.3},
}
SETTINGS = ClinicSettings.model_validate(
    {
        "timezone": "America/Los_Angeles",
        "businessHours": {day: [["08:00", "20:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
        | {"sun": []},
    }
)


@dataclass
class Counts:
    """In-memory answer counts: (clinic or ``None`` for every clinic) -> UTC day -> cell -> counts."""

    days: dict[str | None, dict[date, dict[Cell, CellCounts]]]

    def add(self, clinic: str, at: datetime, answered: bool) -> None:
        for owner in (clinic, None):
            cells = self.days.setdefault(owner, {}).setdefault(at.astimezone(UTC).date(), {})
            cell = cell_of(at, ZONE)
            cells[cell] = cells.get(cell, CellCounts()) + CellCounts(1, int(answered))

    def model(self, clinic: str, today: date) -> AnswerRateModel:
        since = today - timedelta(days=HISTORY_DAYS - 1)

        def history(owner: str | None) -> dict[Cell, CellCounts]:
            return summed(cells for day, cells in self.days.get(owner, {}).items() if day >= since)

        return AnswerRateModel(clinic=history(clinic), all_clinics=history(None))


@dataclass
class Tally:
    first_attempts: int = 0
    first_answered: int = 0
    attempts_of_reached: int = 0
    reached: int = 0
    calls: int = 0

    def line(self) -> str:
        first = self.first_answered / self.first_attempts
        per_reached = self.attempts_of_reached / self.reached
        return f"{first:6.1%} first attempts answered, {per_reached:4.2f} attempts per reached owner, " + (
            f"{self.reached / self.calls:6.1%} reached"
        )


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, ZONE).astimezone(UTC)


def simulate(strategy: str) -> tuple[Tally, Tally]:
    """The month under one strategy: its figures for the whole month and for the last week."""
    rng = random.Random(SEED)
    window = DialWindow.for_call(SETTINGS, PHONE)
    counts = Counts({})
    month, last_week = Tally(), Tally()
    policy = SETTINGS.retry
    for offset in range(DAYS):
        discharged = FIRST_DAY + timedelta(days=offset)
        day = discharged + timedelta(days=1)
        for clinic, mix in CLINICS.items():
            model = counts.model(clinic, discharged)
            for number in range(CALLS_PER_CLINIC_DAY):
                owner = OWNERS[rng.choices(list(mix), weights=list(mix.values()))[0]]
                draws = random.Random(f"{offset}-{clinic}-{number}")  # the same owner's luck under every strategy
                luck = [draws.random() for _ in range(policy.max_retries + 1)]
                if strategy == "fixed time":
                    at = window.next_open_slot(_local(day, FIXED_HOUR))
                else:
                    at = best_time.choose(_local(day, WINDOW[0]), _local(day, WINDOW[1]), window, ZONE, model).at
                reached_on = None
                for attempt in range(policy.max_retries + 1):
                    answered = luck[attempt] < owner(at.astimezone(ZONE).hour)
                    counts.add(clinic, at, answered)
                    if answered:
                        reached_on = attempt + 1
                        break
                    at = window.next_open_slot(at + timedelta(seconds=policy.delay_before_retry(attempt + 1)))
                    if strategy == "best time + moveToBestHour":
                        at = best_time.moved_retry(at, window, ZONE, model)
                for tally in (month, last_week) if offset >= DAYS - 7 else (month,):
                    tally.calls += 1
                    tally.first_attempts += 1
                    tally.first_answered += reached_on == 1
                    if reached_on is not None:
                        tally.reached += 1
                        tally.attempts_of_reached += reached_on
    return month, last_week


STRATEGIES = ("fixed time", "best time", "best time + moveToBestHour")
BUSY_CLINIC_DIALS_A_DAY = 60


class _CountingQueries:
    """A DynamoDB client that notes each ``Query``'s items (for their size) and passes everything on."""

    def __init__(self, client: Any):
        self._client = client
        self.pages: list[list[dict[str, Any]]] = []

    def query(self, **request: Any) -> Any:
        answer = self._client.query(**request)
        self.pages.append(answer.get("Items", []))
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def answer_counts_reads() -> None:
    """What reading the counts costs: a busy clinic's year of daily items in moto, read for 90 and 365 days."""
    import os

    import boto3

    from bench.capacity import item_size
    from scripts.invoke import sandbox
    from shared.dal.answer_counters import DynamoAnswerCounters
    from shared.domain.answer_rates import AnswerTally

    rng = random.Random(SEED)
    today = date(2026, 12, 6)
    with sandbox():
        client = _CountingQueries(boto3.client("dynamodb"))
        counters = DynamoAnswerCounters(client, os.environ["TABLE_NAME"])
        for back in range(366):
            day = today - timedelta(days=back)
            tallies = []
            for _ in range(BUSY_CLINIC_DIALS_A_DAY):
                at = _local(day, time(rng.randrange(8, 20), rng.randrange(60)))
                tallies.append(AnswerTally(at.astimezone(UTC).date(), cell_of(at, ZONE), 1, int(rng.random() < 0.5)))
            counters.add("busy-clinic", tallies)
        print(f"\nAnswer counts read (a clinic's {BUSY_CLINIC_DIALS_A_DAY} dials a day for a year, moto in process)")
        for days in (7, 90, 365):
            client.pages.clear()
            counters.history("busy-clinic", today - timedelta(days=days - 1))
            sizes = [sum(item_size(item) for item in page) for page in client.pages]
            units = sum(-(-size // 4096) / 2 for size in sizes)  # eventually consistent: half a unit per 4 KB
            items = sum(len(page) for page in client.pages)
            print(
                f"  days={days:<4} {len(client.pages)} Query ({items} items, {sum(sizes) / 1024:.1f} KB): "
                f"{units:.1f} read units"
            )


def best_time_figures() -> None:
    calls = DAYS * CALLS_PER_CLINIC_DAY * len(CLINICS)
    print(
        f"\nBest time ({calls} calls over {DAYS} days, {len(CLINICS)} clinics open 08:00-20:00 Mon-Sat, "
        "3 retries 5/10/20 min; starting with no counts)"
    )
    results = {strategy: simulate(strategy) for strategy in STRATEGIES}
    for label, index in (("the month", 0), ("its last week", 1)):
        print(f"  {label}:")
        for strategy in STRATEGIES:
            print(f"    {strategy:<28} {results[strategy][index].line()}")
    answer_counts_reads()


if __name__ == "__main__":
    best_time_figures()
