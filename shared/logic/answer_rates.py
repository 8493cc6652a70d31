"""Answer rates: what ``GET /clinic/answer-rates`` answers, and the expected rates best time chooses by.

The counts are kept as dials end (``CallWriter`` adds them after the write that ended the attempt:
``shared.domain.answer_rates.tally``); this service only reads them. Every clinic's counts change slowly and are read
for every best-time choice, so a container keeps them for ``ALL_CLINICS_CACHED_FOR``; a clinic's own are read each
time (one query).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.domain.answer_rates import (
    WEEKDAY_NAMES,
    AnswerRateModel,
    Cell,
    CellCounts,
    best_cells,
    first_day,
)
from shared.logic.ports import AnswerCounters, Clock
from shared.models.answer_rates import (
    ANSWER_RATE_DAYS_MAX,
    ANSWER_RATE_DAYS_MIN,
    AnswerRateCell,
    AnswerRates,
    BestHour,
)
from shared.models.errors import ValidationFailed
from shared.models.principal import Principal

BEST_TIME_DAYS = 90
"""The period best time chooses by: the answer-rates page's default, so the clinic sees what the choice sees."""
ALL_CLINICS_CACHED_FOR = timedelta(minutes=10)


class AnswerRateService:
    def __init__(self, counters: AnswerCounters, clock: Clock):
        self._counters = counters
        self._clock = clock
        self._all_clinics: tuple[datetime, dict[Cell, CellCounts]] | None = None

    def rates(self, principal: Principal, days: int) -> AnswerRates:
        if not ANSWER_RATE_DAYS_MIN <= days <= ANSWER_RATE_DAYS_MAX:
            raise ValidationFailed(
                f"days must be from {ANSWER_RATE_DAYS_MIN} to {ANSWER_RATE_DAYS_MAX}.",
                details=[{"location": "query", "field": "days"}],
            )
        history = self._counters.history(principal.clinic_id, first_day(self._clock(), days))
        cells = [
            AnswerRateCell(weekday=WEEKDAY_NAMES[cell[0]], hour=cell[1], dials=counts.dials, answered=counts.answered)
            for cell, counts in sorted(history.items())
            if counts.dials > 0
        ]
        best = [
            BestHour(weekday=WEEKDAY_NAMES[cell[0]], hour=cell[1], rate=round(rate, 4))
            for cell, rate in best_cells(history)
        ]
        return AnswerRates(days=days, cells=cells, best=best)

    def model(self, clinic_id: str) -> AnswerRateModel:
        """The expected answer rates of the clinic's cells over the last ``BEST_TIME_DAYS``."""
        now = self._clock()
        since = first_day(now, BEST_TIME_DAYS)
        cached = self._all_clinics
        if cached is None or not cached[0] <= now < cached[0] + ALL_CLINICS_CACHED_FOR:
            cached = (now, self._counters.history(None, since))
            self._all_clinics = cached
        return AnswerRateModel(clinic=self._counters.history(clinic_id, since), all_clinics=cached[1])
