"""Calling people safely, as pure rules: the owner's own calling hours, the cap on dials to one number, consent and
the clinic's identity on every call.

*When a call may be dialed* is the intersection of two kinds of calendar: the clinic's business hours (in the
clinic's zone) and the owner's calling hours (08:00-20:00 at the widest, the clinic may narrow them) in **each**
zone the owner's number may be in. A number whose area code spans zones (``+1907``: Anchorage and Adak) is
dialed only when every one of its zones is inside the hours: the strictest reading, the window all of them share.
A number that tells no place (toll-free, unknown) is taken to be in the clinic's zone.

``DialWindow.next_open_slot`` finds the first instant every calendar accepts by moving a candidate forward to
each calendar's next open instant in turn until all accept it (each calendar's answer is the earliest it
accepts, so the first candidate all accept is the earliest common one); windows that never meet raise
``NoOpenSlot`` once the candidate passes the search horizon.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.domain.business_hours import SEARCH_HORIZON_DAYS, BusinessCalendar
from shared.models.errors import NoOpenSlot
from shared.models.phone import phone_time_zones
from shared.models.settings import ClinicSettings, OwnerCallingHours, minutes_of

DIAL_CAP_WINDOW = timedelta(hours=24)
"""The cap counts the dials to one number in any window of this length (a sliding one, not a calendar day)."""


def owner_zones(phone_number: str, fallback_zone: str) -> tuple[str, ...]:
    """The zones the owner of ``phone_number`` may be in; the clinic's zone when the number tells no place."""
    return phone_time_zones(phone_number) or (fallback_zone,)


def owner_calendars(zones: Iterable[str], hours: OwnerCallingHours) -> tuple[BusinessCalendar, ...]:
    """One calendar per zone: every day, ``[start, end)`` local time."""
    window = ((minutes_of(hours.start), minutes_of(hours.end)),)
    return tuple(
        BusinessCalendar(zone=ZoneInfo(zone), windows=dict.fromkeys(range(7), window), closed=frozenset())
        for zone in dict.fromkeys(zones)
    )


@dataclass(frozen=True)
class DialWindow:
    """When one call may be dialed: the clinic is open and the owner is inside calling hours in all their zones.
    Quacks like ``BusinessCalendar`` (``is_open``, ``next_open_slot``), so the lifecycle takes either."""

    clinic: BusinessCalendar
    owner: tuple[BusinessCalendar, ...]
    owner_zones: tuple[str, ...]
    owner_hours: OwnerCallingHours

    @classmethod
    def for_call(cls, settings: ClinicSettings, phone_number: str) -> DialWindow:
        zones = owner_zones(phone_number, settings.timezone)
        return cls(
            clinic=BusinessCalendar.from_settings(settings),
            owner=owner_calendars(zones, settings.owner_calling_hours),
            owner_zones=zones,
            owner_hours=settings.owner_calling_hours,
        )

    def owner_allows(self, instant: datetime) -> bool:
        return all(calendar.is_open(instant) for calendar in self.owner)

    def is_open(self, instant: datetime) -> bool:
        return self.clinic.is_open(instant) and self.owner_allows(instant)

    def next_open_slot(self, at: datetime) -> datetime:
        """The first instant at or after ``at`` inside both the clinic's and the owner's hours (in UTC)."""
        at = at.astimezone(UTC)
        horizon = at + timedelta(days=SEARCH_HORIZON_DAYS)
        candidate = at
        calendars = (self.clinic, *self.owner)
        while candidate <= horizon:
            for calendar in calendars:
                candidate = calendar.next_open_slot(candidate)
            if all(calendar.is_open(candidate) for calendar in calendars):
                return candidate
        raise NoOpenSlot(
            f"No time in the next {SEARCH_HORIZON_DAYS} days is both inside the clinic's business hours and inside "
            f"the owner's calling hours ({self.describe_owner_hours()})."
        )

    def owner_hours_moved(self, requested: datetime, slot: datetime) -> bool:
        """The owner's hours, not only the clinic's, moved ``requested`` to ``slot``."""
        return slot != requested and slot != self.clinic.next_open_slot(requested)

    def describe_owner_hours(self) -> str:
        return f"{self.owner_hours.start}-{self.owner_hours.end} in {', '.join(self.owner_zones)}"


# -- at most N dials to one number in any 24 hours -------------------------------------------------------------


def dial_cap_frees_at(
    dial_times: Iterable[datetime], now: datetime, limit: int, window: timedelta = DIAL_CAP_WINDOW
) -> datetime | None:
    """``None`` if one more dial at ``now`` keeps the number within ``limit`` dials in any ``window``; otherwise
    the first instant at which it would (when enough of the recent dials have left the window).

    A dial at ``t`` counts until ``t + window``. A dial stamped later than ``now`` (another function's clock a
    little ahead) counts too."""
    recent = sorted(t for t in dial_times if t > now - window)
    if len(recent) < limit:
        return None
    return recent[len(recent) - limit] + window


def recent_dials(dials: dict[str, datetime], now: datetime, window: timedelta = DIAL_CAP_WINDOW) -> dict[str, datetime]:
    """The dials that still count at ``now`` (older ones can be forgotten)."""
    return {key: at for key, at in dials.items() if at > now - window}


# -- who is calling --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClinicIdentity:
    name: str | None
    phone: str | None

    @property
    def missing(self) -> list[str]:
        return [field for field, value in (("clinicName", self.name), ("clinicPhone", self.phone)) if not value]


def clinic_identity(call_name: str | None, call_phone: str | None, settings: ClinicSettings) -> ClinicIdentity:
    """What the agent says is calling and where to call back: the call's own, else the clinic's settings."""
    return ClinicIdentity(name=call_name or settings.clinic_name, phone=call_phone or settings.clinic_phone)
