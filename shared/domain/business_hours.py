"""When a clinic is open, and the first open instant at or after a given one.

An instant is *open* when its wall-clock time in the clinic's timezone falls on a date that is not closed and inside
one of that weekday's ``[start, end)`` windows. That definition is on instants, so it stays exact across DST: a
local time that doesn't exist (spring forward) is never anybody's wall time, and one that exists twice (fall back)
is open both times.

``next_open_slot`` only has to look at a few candidate instants: openness can switch on only where the wall time
reaches a window's start (continuously, at exactly that wall time) or jumps (a UTC offset change, which includes a
DST transition that skips over a window's start). The answer is ``at`` itself or the earliest open candidate.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from shared.models.errors import NoOpenSlot
from shared.models.settings import WEEKDAYS, ClinicSettings, minutes_of

SEARCH_HORIZON_DAYS = 400
"""How far ahead an open slot is looked for; further than any sensible closure, short enough to fail fast."""


class Calendar(Protocol):
    """When something may happen: ``BusinessCalendar``, or a call's ``DialWindow`` (``shared.domain.calling_safety``:
    the clinic's hours and the owner's together)."""

    def is_open(self, instant: datetime) -> bool: ...

    def next_open_slot(self, at: datetime) -> datetime: ...


@dataclass(frozen=True)
class BusinessCalendar:
    """The opening rules of one clinic, ready for instant-by-instant checks."""

    zone: ZoneInfo
    windows: dict[int, tuple[tuple[int, int], ...]]  # weekday (Mon=0) -> [(start_minute, end_minute))
    closed: frozenset[date]

    @classmethod
    def from_settings(cls, settings: ClinicSettings) -> BusinessCalendar:
        windows = {
            index: tuple((minutes_of(start), minutes_of(end)) for start, end in settings.business_hours[day])
            for index, day in enumerate(WEEKDAYS)
        }
        return cls(zone=ZoneInfo(settings.timezone), windows=windows, closed=frozenset(settings.closed_dates))

    def is_open(self, instant: datetime) -> bool:
        local = instant.astimezone(self.zone)
        if local.date() in self.closed:
            return False
        seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return any(start * 60 <= seconds < end * 60 for start, end in self.windows[local.weekday()])

    def next_open_slot(self, at: datetime) -> datetime:
        """The first open instant at or after ``at`` (returned in UTC). Raises ``NoOpenSlot`` if none is near."""
        at = at.astimezone(UTC)
        if self.is_open(at):
            return at
        first_day = at.astimezone(self.zone).date() - timedelta(days=1)
        best: datetime | None = None
        for offset in range(SEARCH_HORIZON_DAYS + 2):
            day = first_day + timedelta(days=offset)
            # Local dates are not quite monotonic in UTC (a fall-back at midnight revisits the previous date), so
            # keep looking one more day after the first hit before trusting it.
            if best is not None and day > best.astimezone(self.zone).date() + timedelta(days=1):
                return best
            for candidate in self._candidates_on(day):
                if candidate > at and (best is None or candidate < best) and self.is_open(candidate):
                    best = candidate
        if best is not None:
            return best
        raise NoOpenSlot(f"The clinic has no open business hours in the next {SEARCH_HORIZON_DAYS} days.")

    def _candidates_on(self, day: date) -> Iterator[datetime]:
        if day not in self.closed:
            for start, _ in self.windows[day.weekday()]:
                yield from _instants_with_wall_time(day, time(start // 60, start % 60), self.zone)
        yield from _offset_changes_on(day, self.zone)


def _instants_with_wall_time(day: date, wall: time, zone: ZoneInfo) -> Iterator[datetime]:
    """The UTC instants whose local wall time is ``day wall``: none in a DST gap, two in a DST fold."""
    naive = datetime.combine(day, wall)
    seen: set[datetime] = set()
    for fold in (0, 1):
        instant = naive.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == naive and instant not in seen:
            seen.add(instant)
            yield instant


def _offset_changes_on(day: date, zone: ZoneInfo) -> Iterator[datetime]:
    """The instant the UTC offset changes around local ``day``, found by bisection on whole seconds."""
    low = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC) - timedelta(hours=3)
    high = low + timedelta(hours=30)
    if low.astimezone(zone).utcoffset() == high.astimezone(zone).utcoffset():
        return
    low_offset = low.astimezone(zone).utcoffset()
    lo, hi = 0, int((high - low).total_seconds())  # offset(lo) == low_offset, offset(hi) differs
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (low + timedelta(seconds=mid)).astimezone(zone).utcoffset() == low_offset:
            lo = mid
        else:
            hi = mid
    yield low + timedelta(seconds=hi)
