"""The tests' daytime numbers: at any hour of any day, a number with the same simulated scenario whose owner is
inside calling hours now (and until the call is due), so tests against the real clock pass at 03:00 as at noon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from shared.models.phone import normalise_phone, phone_time_zones
from standins.daytime import daytime_number
from standins.retell_sim import scenarios

instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2031, 1, 1), timezones=st.just(UTC))


@given(now=instants, ahead=st.integers(min_value=0, max_value=62), scenario=st.sampled_from(["0100", "0101", "0114"]))
def test_any_hour_has_a_number_in_daytime_with_the_same_scenario(now: datetime, ahead: int, scenario: str) -> None:
    until = now + timedelta(minutes=ahead)
    number = daytime_number(f"+1415555{scenario}", now, until=until)
    assert normalise_phone(number) == number
    assert scenarios.scenario_key(number) == f"555{scenario}"
    zones = phone_time_zones(number)
    assert zones
    for zone in zones:
        for instant in (now, until):
            local = instant.astimezone(ZoneInfo(zone))
            assert 8 <= local.hour < 20, (number, zone, local)


def test_los_angeles_by_day_and_guam_or_london_by_the_american_night() -> None:
    assert daytime_number("+14155550101", datetime(2026, 12, 1, 19, 0, tzinfo=UTC)) == "+14155550101"  # 11:00 LA
    assert daytime_number("+14155550101", datetime(2026, 12, 1, 11, 0, tzinfo=UTC)) == "+442075550101"  # 03:00 LA
    assert daytime_number("+14155550101", datetime(2026, 12, 1, 7, 0, tzinfo=UTC)) == "+16715550101"  # 23:00 LA
