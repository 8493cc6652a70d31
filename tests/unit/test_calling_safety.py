"""Calling safety's pure rules: the owner's calling hours with the clinic's (zones, DST, numbers in several zones,
windows that never open), the cap on dials to one number, and who the agent says is calling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.domain.business_hours import BusinessCalendar
from shared.domain.calling_safety import (
    DialWindow,
    clinic_identity,
    dial_cap_frees_at,
    owner_calendars,
    owner_zones,
    recent_dials,
)
from shared.models.errors import NoOpenSlot
from shared.models.phone import phone_time_zones
from shared.models.settings import WEEKDAYS, ClinicSettings, OwnerCallingHours

LOS_ANGELES = "+14155550100"
NEW_YORK = "+12125550100"
ALASKA = "+19075550100"  # Anchorage (UTC-9) and Adak (UTC-10)
IDAHO = "+12085550100"  # Boise (Mountain) and Los Angeles (Pacific)
GUAM = "+16715550100"
HONOLULU = "+18085550100"
PHOENIX = "+16025550100"  # no DST
LONDON = "+442075550100"
TOLL_FREE = "+18005550100"
NUMBERS = [LOS_ANGELES, NEW_YORK, ALASKA, IDAHO, GUAM, HONOLULU, PHOENIX, LONDON, TOLL_FREE]
ALWAYS_OPEN = {day: [["00:00", "24:00"]] for day in WEEKDAYS}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def window(number: str, **settings: object) -> DialWindow:
    return DialWindow.for_call(ClinicSettings.model_validate(settings), number)


def local_minutes(instant: datetime, zone: str) -> int:
    local = instant.astimezone(ZoneInfo(zone))
    return local.hour * 60 + local.minute


class TestZones:
    def test_a_number_gives_the_zones_its_owner_may_be_in(self) -> None:
        assert phone_time_zones(LOS_ANGELES) == ("America/Los_Angeles",)
        assert phone_time_zones(NEW_YORK) == ("America/New_York",)
        assert set(phone_time_zones(ALASKA)) == {"America/Anchorage", "America/Adak"}
        assert phone_time_zones(GUAM) == ("Pacific/Guam",)
        assert phone_time_zones(LONDON) == ("Europe/London",)

    def test_a_number_that_tells_no_place_is_taken_to_be_in_the_clinics_zone(self) -> None:
        assert phone_time_zones(TOLL_FREE) == ()
        assert owner_zones(TOLL_FREE, "America/Chicago") == ("America/Chicago",)
        assert owner_zones(NEW_YORK, "America/Chicago") == ("America/New_York",)


class TestOwnersHours:
    def test_a_new_york_owner_is_not_called_at_0600_their_time_when_a_los_angeles_clinic_opens(self) -> None:
        # Tuesday 09:00 in Los Angeles is 12:00 in New York: fine. But 17:30 in LA is 20:30 in New York.
        late = utc("2026-12-01T17:30:00-08:00")
        slot = window(NEW_YORK, businessHours=ALWAYS_OPEN).next_open_slot(late)
        assert slot == utc("2026-12-02T08:00:00-05:00")  # 08:00 the next morning, New York time

    def test_los_angeles_clinic_hours_end_before_a_new_york_owners_do(self) -> None:
        # 16:59 in LA is 19:59 in New York: both open, so dialed as asked
        asked = utc("2026-12-01T16:59:00-08:00")
        assert window(NEW_YORK).next_open_slot(asked) == asked
        assert not window(NEW_YORK).is_open(utc("2026-12-01T17:00:00-08:00"))

    def test_a_number_in_two_zones_is_called_only_when_both_are_inside_the_hours(self) -> None:
        # 08:30 in Anchorage is 07:30 in Adak: too early for one of them
        early = utc("2026-12-01T08:30:00-09:00")
        slot = window(ALASKA, businessHours=ALWAYS_OPEN).next_open_slot(early)
        assert slot == utc("2026-12-01T08:00:00-10:00")  # 08:00 in Adak, 09:00 in Anchorage
        # and the evening ends at 20:00 Anchorage, not 20:00 Adak
        assert not window(ALASKA, businessHours=ALWAYS_OPEN).is_open(utc("2026-12-01T20:30:00-09:00"))

    def test_the_clinic_may_narrow_the_hours(self) -> None:
        narrowed = window(NEW_YORK, businessHours=ALWAYS_OPEN, ownerCallingHours={"start": "10:00", "end": "18:00"})
        assert narrowed.next_open_slot(utc("2026-12-01T09:00:00-05:00")) == utc("2026-12-01T10:00:00-05:00")
        assert not narrowed.is_open(utc("2026-12-01T18:00:00-05:00"))

    @pytest.mark.parametrize(
        "hours",
        [{"start": "07:59", "end": "20:00"}, {"start": "08:00", "end": "21:00"}, {"start": "12:00", "end": "12:00"}],
    )
    def test_the_clinic_may_not_widen_the_hours(self, hours: dict[str, str]) -> None:
        with pytest.raises(ValidationError, match="owner calling hours"):
            ClinicSettings.model_validate({"ownerCallingHours": hours})

    def test_windows_that_never_meet_are_refused_not_searched_forever(self) -> None:
        night_clinic = {day: [["00:00", "06:00"]] for day in WEEKDAYS}
        with pytest.raises(NoOpenSlot, match="owner's calling hours"):
            window(LOS_ANGELES, businessHours=night_clinic).next_open_slot(utc("2026-12-01T12:00:00Z"))

    def test_zones_twelve_hours_apart_share_no_calling_hours(self) -> None:
        hours = OwnerCallingHours()
        zones = ("UTC", "Etc/GMT-12")  # 08:00-20:00 UTC and 20:00-08:00 UTC
        apart = DialWindow(
            clinic=BusinessCalendar.from_settings(ClinicSettings.model_validate({"businessHours": ALWAYS_OPEN})),
            owner=owner_calendars(zones, hours),
            owner_zones=zones,
            owner_hours=hours,
        )
        with pytest.raises(NoOpenSlot):
            apart.next_open_slot(utc("2026-12-01T12:00:00Z"))

    def test_across_the_spring_change_the_hours_stay_on_the_local_clock(self) -> None:
        # 2026-03-08: New York springs forward at 02:00. 07:00 EST on the 7th, 08:00 EDT on the 8th.
        slot = window(NEW_YORK, businessHours=ALWAYS_OPEN).next_open_slot(utc("2026-03-08T01:00:00-05:00"))
        assert slot == utc("2026-03-08T08:00:00-04:00")
        # Phoenix keeps no DST: 08:00 MST either side
        assert window(PHOENIX, businessHours=ALWAYS_OPEN).next_open_slot(utc("2026-03-08T12:00:00Z")) == utc(
            "2026-03-08T08:00:00-07:00"
        )


instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)).map(
    lambda moment: moment.replace(microsecond=0)
)
hour_marks = st.integers(min_value=0, max_value=24 * 4).map(
    lambda quarter: f"{quarter // 4:02d}:{quarter % 4 * 15:02d}"
)


@st.composite
def clinic_settings(draw: st.DrawFn) -> ClinicSettings:
    start = draw(st.integers(min_value=0, max_value=22 * 4))
    end = draw(st.integers(min_value=start + 4, max_value=24 * 4))
    span = [f"{start // 4:02d}:{start % 4 * 15:02d}", f"{end // 4:02d}:{end % 4 * 15:02d}"]
    days = draw(st.sets(st.sampled_from(WEEKDAYS), min_size=1))
    owner_start = draw(st.integers(min_value=8 * 4, max_value=19 * 4))
    owner_end = draw(st.integers(min_value=owner_start + 1, max_value=20 * 4))
    return ClinicSettings.model_validate(
        {
            "timezone": draw(st.sampled_from(["America/Los_Angeles", "America/New_York", "Pacific/Guam", "UTC"])),
            "businessHours": {day: [span] if day in days else [] for day in WEEKDAYS},
            "ownerCallingHours": {
                "start": f"{owner_start // 4:02d}:{owner_start % 4 * 15:02d}",
                "end": f"{owner_end // 4:02d}:{owner_end % 4 * 15:02d}",
            },
        }
    )


class TestProperties:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(clinic=clinic_settings(), number=st.sampled_from(NUMBERS), at=instants)
    def test_the_slot_is_the_first_instant_both_the_clinic_and_every_zone_of_the_owner_allow(
        self, clinic: ClinicSettings, number: str, at: datetime
    ) -> None:
        dial = DialWindow.for_call(clinic, number)
        try:
            slot = dial.next_open_slot(at)
        except NoOpenSlot:
            # Then no instant in the next week is open either (a sample, every quarter hour)
            assert not any(dial.is_open(at + timedelta(minutes=15 * step)) for step in range(7 * 96))
            return
        assert slot >= at
        assert dial.is_open(slot)
        assert dial.clinic.is_open(slot)
        hours = clinic.owner_calling_hours
        for zone in owner_zones(number, clinic.timezone):
            minutes = local_minutes(slot, zone)
            assert hours.start <= f"{minutes // 60:02d}:{minutes % 60:02d}" < hours.end
        # nothing earlier is open: every minute boundary between ``at`` and the slot (up to two days) is closed
        step = at.replace(second=0) + timedelta(minutes=1)
        while step < min(slot, at + timedelta(days=2)):
            assert not dial.is_open(step), step
            step += timedelta(minutes=1 if slot - at < timedelta(hours=6) else 7)

    @given(at=instants)
    def test_a_los_angeles_owner_of_an_always_open_clinic_is_called_between_0800_and_2000_their_time(
        self, at: datetime
    ) -> None:
        slot = window(LOS_ANGELES, businessHours=ALWAYS_OPEN).next_open_slot(at)
        assert 8 * 60 <= local_minutes(slot, "America/Los_Angeles") < 20 * 60
        assert slot - at < timedelta(hours=13)  # the longest night, give or take a DST hour


class TestDialCap:
    def test_three_dials_then_the_fourth_waits_until_the_first_leaves_the_window(self) -> None:
        first = utc("2026-12-01T17:00:00Z")
        dials = [first, first + timedelta(minutes=5), first + timedelta(minutes=15)]
        assert dial_cap_frees_at(dials[:2], first + timedelta(minutes=10), 3) is None
        assert dial_cap_frees_at(dials, first + timedelta(minutes=40), 3) == first + timedelta(hours=24)
        assert dial_cap_frees_at(dials, first + timedelta(hours=24), 3) is None

    def test_a_clinic_may_allow_fewer(self) -> None:
        first = utc("2026-12-01T17:00:00Z")
        assert dial_cap_frees_at([first], first + timedelta(minutes=1), 1) == first + timedelta(hours=24)

    @given(
        gaps=st.lists(st.integers(min_value=0, max_value=30 * 3600), min_size=1, max_size=40),
        limit=st.integers(min_value=1, max_value=3),
    )
    def test_following_the_rule_never_puts_more_than_the_limit_in_any_24_hours(
        self, gaps: list[int], limit: int
    ) -> None:
        now = utc("2026-12-01T00:00:00Z")
        made: dict[str, datetime] = {}
        for index, gap in enumerate(gaps):
            now += timedelta(seconds=gap)
            frees_at = dial_cap_frees_at(recent_dials(made, now).values(), now, limit)
            if frees_at is not None:
                assert frees_at > now
                # waiting until then is enough, and not a second longer than needed
                assert dial_cap_frees_at(made.values(), frees_at, limit) is None
                assert dial_cap_frees_at(made.values(), frees_at - timedelta(seconds=1), limit) is not None
                now = frees_at
            made[f"d{index}"] = now
        times = sorted(made.values())
        for start in times:
            assert sum(1 for t in times if start <= t < start + timedelta(hours=24)) <= limit


class TestIdentity:
    def test_the_calls_own_name_and_number_come_first_then_the_clinics_settings(self) -> None:
        settings_ = ClinicSettings.model_validate({"clinicName": "Paws", "clinicPhone": "+14155559876"})
        assert clinic_identity(None, None, settings_).missing == []
        assert clinic_identity("Other", None, settings_).name == "Other"
        assert clinic_identity(None, None, ClinicSettings()).missing == ["clinicName", "clinicPhone"]
        assert clinic_identity("Paws", None, ClinicSettings()).missing == ["clinicPhone"]
