"""Best time: the hour inside a window where this clinic's owners are most likely to answer.

The candidates are the owner's local hours that overlap the window and the call's ``DialWindow`` (the clinic's
business hours and the owner's calling hours): each at its first open instant inside the window (the hour's start,
or later when the window or the opening starts mid-hour). Each is worth the expected answer rate of its cell
(``AnswerRateModel``: the clinic's counts over every clinic's over a prior); the highest wins, the earliest on a
tie. When every candidate is worth the same (nothing known that tells them apart) the earliest is taken and says
so (``earliest_open``). A window with no open time at all places the call at the next open time after it, as a
``scheduledFor`` outside the hours is moved (the caller marks it ``rescheduled``).

A retry after no answer may move to a better hour (``retry.moveToBestHour``): never sooner than its backoff, at
most ``RETRY_MOVE_LIMIT`` later, and only for a gain of ``RETRY_MOVE_MIN_GAIN`` or more in expected answer rate,
so a retry is not delayed for noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.domain.answer_rates import AnswerRateModel, cell_of
from shared.domain.business_hours import Calendar

MAX_WINDOW = timedelta(days=7)
"""The longest window a call may be given (the contract's)."""
RETRY_MOVE_LIMIT = timedelta(hours=24)
"""How much later than its backoff a retry may be moved: one day reaches every hour of the owner's day once."""
RETRY_MOVE_MIN_GAIN = 0.05
"""A retry moves only to an hour this much likelier to be answered (absolute) than the hour its backoff gives."""
_HOUR = timedelta(hours=1)


class ChosenReason(StrEnum):
    BEST_ANSWER_RATE = "best_answer_rate"
    EARLIEST_OPEN = "earliest_open"


@dataclass(frozen=True)
class BestTime:
    at: datetime
    reason: ChosenReason
    expected_answer_rate: float
    inside_window: bool  # False: no open time in the window; ``at`` is the next open time after it


def next_local_hour(instant: datetime, zone: ZoneInfo) -> datetime:
    """The start of the owner's next local hour after ``instant`` (in UTC). Offsets are whole minutes, so the local
    hour starts where the local minutes and seconds are zero."""
    local = instant.astimezone(zone)
    into_hour = timedelta(minutes=local.minute, seconds=local.second, microseconds=local.microsecond)
    return (instant - into_hour + _HOUR).astimezone(UTC)


def candidates(start: datetime, end: datetime, calendar: Calendar, zone: ZoneInfo) -> list[datetime]:
    """The first open instant of each of the owner's local hours within ``[start, end)``, earliest first."""
    found: list[datetime] = []
    at = calendar.next_open_slot(start)
    while at < end:
        found.append(at)
        at = calendar.next_open_slot(next_local_hour(at, zone))
    return found


def choose(start: datetime, end: datetime, calendar: Calendar, zone: ZoneInfo, model: AnswerRateModel) -> BestTime:
    """The time in ``[start, end)`` to place the call at (``zone``: the owner's, where the cells are counted)."""
    found = candidates(start, end, calendar, zone)
    if not found:
        after = calendar.next_open_slot(end)
        return BestTime(after, ChosenReason.EARLIEST_OPEN, model.rate(cell_of(after, zone)), False)
    rates = [model.rate(cell_of(at, zone)) for at in found]
    best = max(range(len(found)), key=lambda index: (rates[index], -index))
    reason = ChosenReason.EARLIEST_OPEN if max(rates) == min(rates) else ChosenReason.BEST_ANSWER_RATE
    return BestTime(found[best], reason, rates[best], True)


def moved_retry(at: datetime, calendar: Calendar, zone: ZoneInfo, model: AnswerRateModel) -> datetime:
    """When a retry due at ``at`` (already inside ``calendar``) goes: ``at``, or a later hour that is worth it."""
    due_rate = model.rate(cell_of(at, zone))
    best = choose(at, at + RETRY_MOVE_LIMIT, calendar, zone, model)
    if best.inside_window and best.expected_answer_rate >= due_rate + RETRY_MOVE_MIN_GAIN:
        return best.at
    return at
