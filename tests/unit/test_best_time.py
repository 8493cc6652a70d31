"""Best time: the choice of an hour inside a window (pure, with hypothesis over zones and DST), a call scheduled
with a ``window`` through the service, and a retry moved to a likelier hour (``retry.moveToBestHour``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.domain.answer_rates import AnswerRateModel, CellCounts, cell_of
from shared.domain.best_time import (
    RETRY_MOVE_LIMIT,
    ChosenReason,
    candidates,
    choose,
    moved_retry,
    next_local_hour,
)
from shared.domain.calling_safety import DialWindow
from shared.models.call import Call, CallStatus
from shared.models.errors import ValidationFailed
from shared.models.requests import ScheduleCallRequest, UpdateCallRequest
from shared.models.settings import ClinicSettings
from standins.retell_sim import scenarios
from tests.support.graph import ADMIN, CLINIC, LUNA, Graph, build_graph

LA = ZoneInfo("America/Los_Angeles")
OPEN_ALL_WEEK = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def dial_window(phone: str = "+14155550100", timezone: str = "America/Los_Angeles") -> DialWindow:
    settings = ClinicSettings.model_validate({"timezone": timezone, "businessHours": OPEN_ALL_WEEK})
    return DialWindow.for_call(settings, phone)


def la(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LA).astimezone(UTC)


class TestChoose:
    def test_nothing_known_takes_the_earliest_open_time(self) -> None:
        best = choose(la("2026-11-23T07:00"), la("2026-11-24T07:00"), dial_window(), LA, AnswerRateModel({}, {}))
        assert (best.at, best.reason, best.expected_answer_rate) == (la("2026-11-23T09:00"), "earliest_open", 0.5)
        assert best.inside_window

    def test_the_hour_where_owners_answer_most_wins(self) -> None:
        model = AnswerRateModel({(0, 15): CellCounts(30, 27)}, {(0, 15): CellCounts(30, 27)})
        best = choose(la("2026-11-23T07:00"), la("2026-11-24T07:00"), dial_window(), LA, model)
        assert (best.at, best.reason) == (la("2026-11-23T15:00"), ChosenReason.BEST_ANSWER_RATE)
        assert best.expected_answer_rate > 0.8

    def test_on_a_tie_the_earliest_of_the_best_hours(self) -> None:
        good = CellCounts(30, 27)
        model = AnswerRateModel({(0, 14): good, (0, 11): good}, {(0, 14): good, (0, 11): good})
        best = choose(la("2026-11-23T07:00"), la("2026-11-24T07:00"), dial_window(), LA, model)
        assert best.at == la("2026-11-23T11:00")

    def test_a_window_starting_mid_hour_offers_that_hour_from_its_start(self) -> None:
        found = candidates(la("2026-11-23T10:20"), la("2026-11-23T13:00"), dial_window(), LA)
        assert found == [la("2026-11-23T10:20"), la("2026-11-23T11:00"), la("2026-11-23T12:00")]

    def test_a_window_with_no_open_time_gives_the_next_open_time_after_it(self) -> None:
        best = choose(la("2026-11-23T18:00"), la("2026-11-23T22:00"), dial_window(), LA, AnswerRateModel({}, {}))
        assert (best.at, best.inside_window, best.reason) == (la("2026-11-24T09:00"), False, "earliest_open")

    def test_the_owners_hours_bound_the_candidates(self) -> None:
        # A New York owner of a Los Angeles clinic: 17:00 LA is 20:00 in New York, past their hours.
        found = candidates(la("2026-11-23T09:00"), la("2026-11-23T17:00"), dial_window("+12125550100"), LA)
        assert found[-1] == la("2026-11-23T16:00")


ZONES = ["America/Los_Angeles", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"]
PHONES = {"+14155550100": "America/Los_Angeles", "+12125550100": "America/New_York", "+442075550100": "Europe/London"}
# A clinic's zone and an owner's number whose hours meet (09:00-17:00 at the clinic, 08:00-20:00 for the owner);
# Lord Howe moves its clocks by half an hour, Kolkata is half an hour off UTC.
PAIRS = [
    (clinic, phone)
    for clinic in ("America/Los_Angeles", "America/New_York", "Europe/London")
    for phone in ("+14155550100", "+12125550100", "+442075550100")
] + [("Australia/Lord_Howe", "+14155550100"), ("Asia/Kolkata", "+442075550100")]
# Around the DST changes of 2026 (US: 8 March, 1 November; EU: 29 March, 25 October).
DST_EDGES = [datetime(2026, 3, 7, tzinfo=UTC), datetime(2026, 10, 24, tzinfo=UTC), datetime(2026, 10, 31, tzinfo=UTC)]


@settings(max_examples=100, deadline=None)
@example(  # one open hour in the window, and it is the good one: nothing to choose between
    pair=("America/Los_Angeles", "+14155550100"),
    edge=DST_EDGES[1],
    start_minutes=0,
    length_minutes=961,
    good_hour=9,
    good_weekday=5,
)
@given(
    pair=st.sampled_from(PAIRS),
    edge=st.sampled_from(DST_EDGES),
    start_minutes=st.integers(0, 3 * 24 * 60),
    length_minutes=st.integers(1, 7 * 24 * 60),
    good_hour=st.integers(0, 23),
    good_weekday=st.integers(0, 6),
)
def test_the_choice_is_open_inside_the_window_and_no_candidate_is_better(
    pair: tuple[str, str],
    edge: datetime,
    start_minutes: int,
    length_minutes: int,
    good_hour: int,
    good_weekday: int,
) -> None:
    clinic_zone, phone = pair
    window = dial_window(phone, clinic_zone)
    zone = ZoneInfo(PHONES[phone])
    start = edge + timedelta(minutes=start_minutes)
    end = start + timedelta(minutes=length_minutes)
    cell = (good_weekday, good_hour)
    model = AnswerRateModel({cell: CellCounts(40, 36)}, {cell: CellCounts(100, 80)})
    best = choose(start, end, window, zone, model)
    assert window.is_open(best.at)
    found = candidates(start, end, window, zone)
    if best.inside_window:
        assert start <= best.at < end
        assert best.at in found
        assert all(model.rate(cell_of(at, zone)) <= best.expected_answer_rate for at in found)
        assert all(model.rate(cell_of(at, zone)) < best.expected_answer_rate for at in found if at < best.at)
        # Chosen by its rate only where there was a choice: the good hour among other hours (a window with one hour
        # open, or only the good hour, leaves nothing to tell apart: the earliest open time).
        cells = {cell_of(at, zone) for at in found}
        assert (best.reason == ChosenReason.BEST_ANSWER_RATE) == (cell in cells and len(cells) > 1)
    else:
        assert found == []
        assert best.at >= end
    # one candidate an owner-local hour, in order
    hours = [at.astimezone(zone).replace(minute=0, second=0, microsecond=0, tzinfo=None) for at in found]
    assert found == sorted(found)
    assert len({(hour, at.utcoffset()) for hour, at in zip(hours, found, strict=True)}) == len(found)


@settings(max_examples=200, deadline=None)
@given(
    instant=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)), zone=st.sampled_from(ZONES)
)
def test_the_next_local_hour_starts_on_the_hour_within_an_hour(instant: datetime, zone: str) -> None:
    at = instant.replace(tzinfo=UTC)
    following = next_local_hour(at, ZoneInfo(zone))
    assert at < following <= at + timedelta(hours=1)
    local = following.astimezone(ZoneInfo(zone))
    assert (local.minute, local.second, local.microsecond) == (0, 0, 0)


class TestRetryMove:
    def test_a_retry_moves_to_a_clearly_better_hour_within_a_day(self) -> None:
        model = AnswerRateModel({(0, 16): CellCounts(30, 27), (0, 10): CellCounts(30, 3)}, {})
        due = la("2026-11-23T10:05")
        moved = moved_retry(due, dial_window(), LA, model)
        assert moved == la("2026-11-23T16:00")
        assert moved - due <= RETRY_MOVE_LIMIT

    def test_a_retry_stays_when_no_hour_is_clearly_better(self) -> None:
        model = AnswerRateModel({(0, 16): CellCounts(30, 16), (0, 10): CellCounts(30, 15)}, {})
        assert moved_retry(la("2026-11-23T10:05"), dial_window(), LA, model) == la("2026-11-23T10:05")


def window_body(start: datetime, end: datetime) -> dict[str, object]:
    return {**LUNA, "window": {"from": start.isoformat(), "to": end.isoformat()}}


class TestScheduleWithAWindow:
    def test_the_call_goes_at_the_best_hour_and_says_why(self) -> None:
        graph = build_graph()  # Monday 09:30 in Los Angeles; the clinic open 09:00-17:00 on weekdays
        good = CellCounts(40, 36)
        for owner in (CLINIC, None):
            graph.answer_counters.counts[(owner, graph.clock().date(), (0, 14))] = good
        call = graph.schedule(window={"from": graph.clock().isoformat(), "to": la("2026-11-23T20:00").isoformat()})
        assert call.scheduled_for == la("2026-11-23T14:00")
        assert call.chosen is not None
        assert call.chosen.reason == "best_answer_rate"
        assert call.chosen.expected_answer_rate > 0.8
        assert (call.requested_for, call.rescheduled) == (graph.clock(), False)
        assert call.view().model_dump(mode="json", by_alias=True)["chosen"] == {
            "reason": "best_answer_rate",
            "expectedAnswerRate": call.chosen.expected_answer_rate,
        }

    def test_without_history_the_earliest_open_time(self) -> None:
        graph = build_graph()
        call = graph.schedule(
            window={"from": la("2026-11-23T10:00").isoformat(), "to": la("2026-11-24T10:00").isoformat()}
        )
        assert call.scheduled_for == la("2026-11-23T10:00")
        assert call.chosen is not None
        assert call.chosen.reason == "earliest_open"

    def test_a_window_with_no_open_time_goes_to_the_next_open_slot_rescheduled(self) -> None:
        graph = build_graph()
        call = graph.schedule(
            window={"from": la("2026-11-23T18:00").isoformat(), "to": la("2026-11-23T23:00").isoformat()}
        )
        assert (call.scheduled_for, call.rescheduled, call.status) == (
            la("2026-11-24T09:00"),
            True,
            CallStatus.SCHEDULED,
        )

    def test_a_window_in_the_past_is_refused(self) -> None:
        graph = build_graph()
        start = graph.clock() - timedelta(hours=1)
        with pytest.raises(ValidationFailed, match=r"window\.from is in the past"):
            graph.service.schedule(
                ADMIN, ScheduleCallRequest.model_validate(window_body(start, start + timedelta(days=1)))
            )

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            ({"scheduledFor": "2026-11-24T18:00:00Z"}, "not both"),
            ({"window": {"from": "2026-11-24T18:00:00Z", "to": "2026-12-02T18:00:00Z"}}, "at most 7 days"),
            ({"window": {"from": "2026-11-24T18:00:00Z", "to": "2026-11-24T18:00:00Z"}}, "after window.from"),
        ],
    )
    def test_invalid_windows_are_validation_errors(self, extra: dict[str, object], message: str) -> None:
        body = {**window_body(la("2026-11-24T10:00"), la("2026-11-25T10:00")), **extra}
        with pytest.raises(ValidationError, match=message):
            ScheduleCallRequest.model_validate(body)


class TestRetryAtABetterHour:
    def seeded(self, *, move: bool) -> tuple[Graph, Call]:
        graph = build_graph()
        graph.configure(retry={"maxRetries": 2, "backoffSeconds": [300], "moveToBestHour": move})
        for owner in (CLINIC, None):
            graph.answer_counters.counts[(owner, graph.clock().date(), (0, 15))] = CellCounts(40, 36)
            graph.answer_counters.counts[(owner, graph.clock().date(), (0, 9))] = CellCounts(40, 4)
        call = graph.dialed_call()
        graph.finish(call.call_id, "dial_no_answer")
        return graph, graph.stored(call.call_id)

    def test_on_the_retry_moves_to_the_likelier_hour(self) -> None:
        _, call = self.seeded(move=True)
        assert (call.status, call.attempt) == (CallStatus.SCHEDULED, 2)
        assert call.scheduled_for == call.next_retry_at == la("2026-11-23T15:00")
        assert "moved to an hour where owners answer more" in (call.status_reason or "")

    def test_off_the_retry_keeps_its_backoff(self) -> None:
        graph, call = self.seeded(move=False)
        assert call.scheduled_for == graph.clock() + timedelta(seconds=300)


class TestTheEveningOnlyNumber:
    """The simulated Retell's ``555-0119``: an owner who works days answers only from 17:00 to 20:00 on their clock."""

    @pytest.mark.parametrize(
        ("number", "utc", "answers"),
        [
            ("+14155550119", datetime(2026, 12, 1, 1, 0, tzinfo=UTC), True),  # 17:00 in Los Angeles
            ("+14155550119", datetime(2026, 12, 1, 3, 59, tzinfo=UTC), True),  # 19:59
            ("+14155550119", datetime(2026, 12, 1, 4, 0, tzinfo=UTC), False),  # 20:00
            ("+14155550119", datetime(2026, 12, 1, 18, 0, tzinfo=UTC), False),  # 10:00
            ("+12125550119", datetime(2026, 12, 1, 22, 30, tzinfo=UTC), True),  # 17:30 in New York
            ("+12125550119", datetime(2026, 12, 2, 1, 0, tzinfo=UTC), False),  # 20:00 in New York
        ],
    )
    def test_it_answers_only_in_the_owners_evening(self, number: str, utc: datetime, answers: bool) -> None:
        script = scenarios.script_for(number, 0, utc)
        assert script.disconnection_reason == ("agent_hangup" if answers else "dial_no_answer")
        assert script.connects is answers


def test_a_best_time_call_moved_by_hand_no_longer_says_it_was_chosen() -> None:
    graph = build_graph()
    call = graph.schedule(window={"from": la("2026-11-23T10:00").isoformat(), "to": la("2026-11-24T10:00").isoformat()})
    noted = graph.service.update(ADMIN, call.call_id, UpdateCallRequest.model_validate({"notes": "after work"}))
    assert noted.chosen == call.chosen is not None
    moved = UpdateCallRequest.model_validate({"scheduledFor": "2026-11-24T18:00:00Z"})
    assert graph.service.update(ADMIN, call.call_id, moved).chosen is None
