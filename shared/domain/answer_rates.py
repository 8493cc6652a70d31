"""Answer rates: when a clinic's owners pick up, by the owner's local weekday and hour (a **cell**).

Counted as attempts end, never by reading calls: the write that ends an attempt (or corrects its outcome) is
compared with the call it replaced (``tally``), and each dial whose outcome changed there adds to its cell's
``dials`` and, when the owner spoke (``REACHED_OUTCOMES``: not a voicemail), to ``answered``. A dial that never rang
anyone (Retell refused it, had no capacity, the account could not pay, the number cannot be reached, the dial was
lost) counts nothing: it says nothing about when the owner answers.

The cell is the dial's time on the owner's clock: the first zone of the number (``phone_time_zones``), else the
call's zone. Counts are kept per UTC day of the dial (``day``), so a period of any length in days can be read.

The expected answer rate of a cell blends the clinic's counts with every clinic's (``blended_rate``): a
Beta-binomial shrinkage in two steps, so an hour with few dials leans on what is known more widely and an hour
with many dials speaks for itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.models.call import REACHED_OUTCOMES, Call, CallAttempt, CallOutcome, is_erased_number
from shared.models.phone import phone_time_zones

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

RANG_OUTCOMES = REACHED_OUTCOMES | frozenset(
    {CallOutcome.VOICEMAIL, CallOutcome.NO_ANSWER, CallOutcome.BUSY, CallOutcome.DECLINED, CallOutcome.IVR}
)
"""The outcomes of a dial that reached the owner's phone: whether a person spoke says something about the hour."""

PRIOR_RATE = 0.5
"""What is assumed of an hour before anything is known anywhere. Above the answer rate of most hours, on purpose: an
hour nobody has dialed looks worth trying until its dials show otherwise, so the choice explores the hours instead of
keeping to the first one it tried (which an all-hours mean, made of that hour's own dials, would never beat)."""
ALL_CLINICS_WEIGHT = 20.0
"""Pseudo-dials of ``PRIOR_RATE`` in an all-clinics cell: a cell needs about this many dials anywhere before its own
rate outweighs the prior."""
CLINIC_WEIGHT = 10.0
"""Pseudo-dials of the all-clinics cell in the clinic's cell: a clinic's own hour outweighs every clinic's once it
has more dials than this."""
MIN_DIALS_FOR_BEST = 5
"""An hour is among a clinic's ``best`` only with at least this many dials in the period."""
BEST_LISTED = 3

Cell = tuple[int, int]
"""(weekday, Monday 0, hour 0-23) on the owner's clock."""


@dataclass(frozen=True)
class CellCounts:
    dials: int = 0
    answered: int = 0

    def __add__(self, other: CellCounts) -> CellCounts:
        return CellCounts(self.dials + other.dials, self.answered + other.answered)


AnswerHistory = Mapping[Cell, CellCounts]
"""The counts of some period, by cell (cells with no dial may be absent)."""


@dataclass(frozen=True)
class AnswerTally:
    """What one write adds to one cell of one day (an outcome corrected later subtracts)."""

    day: date
    cell: Cell
    dials: int
    answered: int


def owner_zone(phone_number: str, fallback_zone: str) -> ZoneInfo:
    """The zone a number's cells are counted in: its first zone, or ``fallback_zone`` if it tells no place."""
    zones = () if is_erased_number(phone_number) else phone_time_zones(phone_number)
    return ZoneInfo(zones[0] if zones else fallback_zone)


def cell_of(instant: datetime, zone: ZoneInfo) -> Cell:
    local = instant.astimezone(zone)
    return local.weekday(), local.hour


def _rang(outcome: CallOutcome | None) -> int:
    return 1 if outcome in RANG_OUTCOMES else 0


def _reached(outcome: CallOutcome | None) -> int:
    return 1 if outcome in REACHED_OUTCOMES else 0


def _dialed_at(entry: CallAttempt, fallback: datetime) -> datetime:
    return entry.dialed_at or entry.claimed_at or entry.started_at or entry.ended_at or fallback


def tally(before: Call, after: Call, now: datetime) -> list[AnswerTally]:
    """What the write of ``after`` over ``before`` adds to the counts: each dial whose outcome it set or changed.

    Entries are compared by position: a write only appends to a call's history or changes its entries in place (the
    one entry it may drop, a claim that never dialed, has no outcome)."""
    tallies: list[AnswerTally] = []
    zone: ZoneInfo | None = None
    for index, entry in enumerate(after.attempts):
        earlier = before.attempts[index].outcome if index < len(before.attempts) else None
        dials = _rang(entry.outcome) - _rang(earlier)
        answered = _reached(entry.outcome) - _reached(earlier)
        if not dials and not answered:
            continue
        zone = zone or owner_zone(after.phone_number, after.timezone)
        at = _dialed_at(entry, now)
        tallies.append(AnswerTally(at.astimezone(UTC).date(), cell_of(at, zone), dials, answered))
    return tallies


def first_day(now: datetime, days: int) -> date:
    """The first UTC day of the last ``days`` days, today included."""
    return now.astimezone(UTC).date() - timedelta(days=days - 1)


def summed(days: Iterable[Mapping[Cell, CellCounts]]) -> dict[Cell, CellCounts]:
    total: dict[Cell, CellCounts] = {}
    for counts in days:
        for cell, cell_counts in counts.items():
            total[cell] = total.get(cell, CellCounts()) + cell_counts
    return total


# -- expected answer rates ---------------------------------------------------------------------------------------


def shrunk(answered: float, dials: float, toward: float, weight: float) -> float:
    """The rate ``answered / dials`` pulled toward ``toward`` as if ``weight`` more dials had answered at that rate."""
    return (answered + weight * toward) / (dials + weight)


@dataclass(frozen=True)
class AnswerRateModel:
    """Expected answer rates of one clinic's cells: its own counts, over every clinic's, over a prior."""

    clinic: AnswerHistory
    all_clinics: AnswerHistory

    def rate(self, cell: Cell) -> float:
        """The expected answer rate of ``cell``."""
        everyone = self.all_clinics.get(cell, CellCounts())
        everyone_rate = shrunk(everyone.answered, everyone.dials, PRIOR_RATE, ALL_CLINICS_WEIGHT)
        own = self.clinic.get(cell, CellCounts())
        return shrunk(own.answered, own.dials, everyone_rate, CLINIC_WEIGHT)


def best_cells(history: AnswerHistory, *, limit: int = BEST_LISTED) -> list[tuple[Cell, float]]:
    """The clinic's hours with the highest answer rate (answered / dials), among those with ``MIN_DIALS_FOR_BEST``
    dials or more: highest first, then the earlier in the week."""
    rated = [
        (cell, counts.answered / counts.dials) for cell, counts in history.items() if counts.dials >= MIN_DIALS_FOR_BEST
    ]
    rated.sort(key=lambda item: (-item[1], item[0]))
    return rated[:limit]
