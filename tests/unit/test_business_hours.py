"""Business hours: examples a clinic would recognise, then properties over random settings, zones and instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.domain.business_hours import BusinessCalendar
from shared.models.errors import NoOpenSlot
from shared.models.settings import WEEKDAYS, ClinicSettings


def calendar(**overrides: object) -> BusinessCalendar:
    return BusinessCalendar.from_settings(ClinicSettings.model_validate(overrides))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


class TestExamples:
    def test_open_time_is_returned_unchanged(self) -> None:
        # Given a Tuesday 10:00 in Los Angeles (18:00 UTC)
        # When & Then: the clinic is open, so that is the slot
        assert calendar().next_open_slot(utc("2026-12-01T18:00:00Z")) == utc("2026-12-01T18:00:00Z")

    def test_saturday_moves_to_monday_morning_local_time(self) -> None:
        assert calendar().next_open_slot(utc("2026-11-21T20:00:00Z")) == utc("2026-11-23T09:00:00-08:00")

    def test_end_of_window_is_closed(self) -> None:
        # 17:00 local is the end of [09:00, 17:00): closed, so the next morning
        assert calendar().next_open_slot(utc("2026-12-01T17:00:00-08:00")) == utc("2026-12-02T09:00:00-08:00")

    def test_local_evening_is_not_confused_with_utc_hours(self) -> None:
        # 16:30 LA is 00:30 UTC the next day: still open (the seed code's bug was to read UTC hours)
        assert calendar().is_open(utc("2026-12-02T00:30:00Z"))

    def test_closed_dates_are_skipped(self) -> None:
        cal = calendar(closedDates=["2026-12-25"])
        assert cal.next_open_slot(utc("2026-12-24T17:30:00-08:00")) == utc("2026-12-28T09:00:00-08:00")

    def test_several_windows_and_midnight_end(self) -> None:
        cal = calendar(
            timezone="Europe/London",
            businessHours={"mon": [["08:00", "12:00"], ["13:00", "24:00"]], "tue": [["00:00", "01:00"]]},
        )
        assert cal.next_open_slot(utc("2026-11-23T12:15:00Z")) == utc("2026-11-23T13:00:00Z")
        assert cal.is_open(utc("2026-11-23T23:59:59Z"))
        assert cal.is_open(utc("2026-11-24T00:30:00Z"))
        assert cal.next_open_slot(utc("2026-11-24T01:00:00Z")) == utc("2026-11-30T08:00:00Z")

    def test_window_starting_inside_spring_forward_gap_opens_at_the_transition(self) -> None:
        # 2026-03-08 02:00 EST jumps to 03:00 EDT; a window [02:30, 04:00) opens at the jump (07:00 UTC)
        cal = calendar(timezone="America/New_York", businessHours={"sun": [["02:30", "04:00"]]})
        assert cal.next_open_slot(utc("2026-03-08T05:00:00Z")) == utc("2026-03-08T07:00:00Z")

    def test_fall_back_hour_is_open_both_times(self) -> None:
        # 2026-11-01 01:00-02:00 happens twice in New York; [01:30, 01:45) is open in both passes
        cal = calendar(timezone="America/New_York", businessHours={"sun": [["01:30", "01:45"]]})
        first = cal.next_open_slot(utc("2026-11-01T05:00:00Z"))
        assert first == utc("2026-11-01T05:30:00Z")
        assert cal.next_open_slot(utc("2026-11-01T05:45:00Z")) == utc("2026-11-01T06:30:00Z")

    def test_no_open_slot_within_horizon_is_a_clear_error(self) -> None:
        every_day = [(date(2026, 11, 23) + timedelta(days=i)).isoformat() for i in range(400)]
        cal = calendar(closedDates=every_day)
        with pytest.raises(NoOpenSlot):
            cal.next_open_slot(utc("2026-11-23T00:00:00Z"))


ZONES = [
    "UTC",
    "America/Los_Angeles",
    "America/New_York",
    "America/St_Johns",  # half-hour offset
    "America/Santiago",  # DST transitions at midnight
    "Europe/London",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Asia/Kathmandu",  # 5:45 offset
    "Pacific/Apia",  # skipped a whole day in 2011
    "Asia/Tokyo",
]


@st.composite
def clinic_settings(draw: st.DrawFn) -> ClinicSettings:
    hours: dict[str, list[tuple[str, str]]] = {}
    for day in WEEKDAYS:
        # Quarter hours (96 = 24:00), biased towards 00:00-04:00, where DST transitions and their gaps lie.
        cuts = sorted(draw(st.sets(st.one_of(st.integers(0, 16), st.integers(0, 96)), max_size=6)))
        pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
        hours[day] = [(_clock(start), _clock(end)) for start, end in pairs]
    if not any(hours.values()):
        hours["wed"] = [("09:00", "17:00")]
    base = date(2026, 1, 1)
    closed = draw(st.lists(st.integers(0, 800), max_size=20))
    return ClinicSettings.model_validate(
        {
            "timezone": draw(st.sampled_from(ZONES)),
            "businessHours": hours,
            "closedDates": [(base + timedelta(days=d)).isoformat() for d in closed],
        }
    )


def _clock(quarter: int) -> str:
    return f"{quarter // 4:02d}:{quarter % 4 * 15:02d}"


@cache
def _transitions(zone_name: str, year: int) -> tuple[datetime, ...]:
    """The instants in ``year`` where ``zone_name`` changes its UTC offset (to the day; the test jitters them)."""
    zone = ZoneInfo(zone_name)
    day = datetime(year, 1, 1, tzinfo=UTC)
    found: list[datetime] = []
    while day.year == year:
        if day.astimezone(zone).utcoffset() != (day + timedelta(days=1)).astimezone(zone).utcoffset():
            found.append(day)
        day += timedelta(days=1)
    return tuple(found)


@st.composite
def instants_for(draw: st.DrawFn, zone_name: str) -> datetime:
    """Any instant, or (half the time) one in the two days around one of the zone's DST transitions."""
    transitions = _transitions(zone_name, draw(st.integers(2025, 2027)))
    near_transition = draw(st.booleans())
    if transitions and near_transition:
        around = draw(st.sampled_from(transitions))
        return around + timedelta(seconds=draw(st.integers(-2 * 86_400, 2 * 86_400)))
    return draw(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)))


@st.composite
def calendars_and_instants(draw: st.DrawFn) -> tuple[BusinessCalendar, datetime]:
    settings_ = draw(clinic_settings())
    return BusinessCalendar.from_settings(settings_), draw(instants_for(settings_.timezone))


def _slot_or_none(cal: BusinessCalendar, at: datetime) -> datetime | None:
    try:
        return cal.next_open_slot(at)
    except NoOpenSlot:
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=calendars_and_instants())
def test_next_open_slot_is_open_not_earlier_and_first(case: tuple[BusinessCalendar, datetime]) -> None:
    cal, at = case
    slot = _slot_or_none(cal, at)
    if slot is None:
        return
    assert slot >= at
    assert cal.is_open(slot)
    # No earlier open instant: openness only changes on whole minutes here (windows on quarter hours, offsets on
    # whole minutes), so checking the minute grid between `at` and `slot` is exhaustive.
    probe = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    checked = 0
    while probe < slot and checked < 30 * 24 * 60:
        assert not cal.is_open(probe), f"{probe} is open and earlier than {slot}"
        probe += timedelta(minutes=1)
        checked += 1


@settings(max_examples=200, deadline=None)
@given(case=calendars_and_instants())
def test_next_open_slot_is_idempotent(case: tuple[BusinessCalendar, datetime]) -> None:
    cal, at = case
    slot = _slot_or_none(cal, at)
    if slot is not None:
        assert cal.next_open_slot(slot) == slot
