"""The overview's figures from the calls of a window: every owner who spoke with the agent counts as answered."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.overview import MAX_CACHED, OverviewService
from shared.logic.ports import CallSummary
from shared.models.call import CallOutcome, CallStatus
from shared.models.principal import Principal
from tests.support.fakes import FakeClock, InMemorySettingsStore, InMemoryTextTallies
from tests.support.graph import ADMIN, OTHER_CLINIC


class FixedSummaries:
    def __init__(self, calls: list[CallSummary]):
        self.calls = calls
        self.asked: list[tuple[datetime, datetime]] = []

    def between(self, clinic_id: str, start: datetime, end: datetime, limit: int) -> tuple[list[CallSummary], bool]:
        self.asked.append((start, end))
        return [call for call in self.calls if start <= call.scheduled_for < end], False


def overview_service(summaries: FixedSummaries, clock: FakeClock) -> OverviewService:
    return OverviewService(
        summaries, ClinicSettingsService(InMemorySettingsStore(), clock), clock, InMemoryTextTallies()
    )


def summary(n: int, at: datetime, status: CallStatus, outcome: CallOutcome | None, attempt: int = 1) -> CallSummary:
    return CallSummary(f"c{n}", "Luna", "Sarah", at, status, outcome, None, attempt, 4)


def test_answer_rate_counts_every_conversation_and_failures_are_listed() -> None:
    clock = FakeClock()
    now = clock()
    calls = [
        summary(1, now - timedelta(hours=1), CallStatus.COMPLETED, CallOutcome.ANSWERED),
        summary(2, now - timedelta(hours=1), CallStatus.COMPLETED, CallOutcome.CALLBACK_REQUESTED),
        summary(3, now - timedelta(hours=2), CallStatus.COMPLETED, CallOutcome.VOICEMAIL, attempt=2),
        summary(4, now - timedelta(hours=2), CallStatus.FAILED, CallOutcome.NO_ANSWER, attempt=4),
        summary(5, now + timedelta(hours=1), CallStatus.SCHEDULED, None),
        summary(6, now - timedelta(days=3), CallStatus.COMPLETED, CallOutcome.ANSWERED),
    ]
    service = OverviewService(
        FixedSummaries(calls), ClinicSettingsService(InMemorySettingsStore(), clock), clock, InMemoryTextTallies()
    )
    today = service.overview(ADMIN, 1)
    assert (today.total, today.finished, today.answered) == (5, 4, 2)
    assert today.answer_rate == 0.5
    assert today.average_attempts == 2.0
    assert [call.call_id for call in today.failed] == ["c4"]
    assert today.by_status[CallStatus.SCHEDULED] == 1
    assert service.overview(ADMIN, 7).total == 6


def test_an_overview_is_served_again_for_thirty_seconds_then_computed_afresh() -> None:
    clock = FakeClock()
    calls = [summary(1, clock() - timedelta(hours=1), CallStatus.COMPLETED, CallOutcome.ANSWERED)]
    summaries = FixedSummaries(calls)
    service = OverviewService(
        summaries, ClinicSettingsService(InMemorySettingsStore(), clock), clock, InMemoryTextTallies()
    )
    first = service.overview(ADMIN, 1)
    assert first.computed_at == clock()
    calls.append(summary(2, clock() - timedelta(hours=1), CallStatus.FAILED, CallOutcome.NO_ANSWER))
    for _ in range(50):  # a member repeating the page: one read
        assert service.overview(ADMIN, 1) == first
    clock.advance(seconds=29)
    assert service.overview(ADMIN, 1).total == 1
    assert len(summaries.asked) == 1
    assert service.overview(OTHER_CLINIC, 1).total == 2  # each clinic its own (these summaries know no clinic)
    assert service.overview(ADMIN, 7).total == 2  # and each period
    assert len(summaries.asked) == 3
    clock.advance(seconds=1)
    again = service.overview(ADMIN, 1)
    assert (again.total, again.computed_at) == (2, clock())
    assert len(summaries.asked) == 4


def test_a_container_keeps_a_bounded_number_of_overviews() -> None:
    clock = FakeClock()
    summaries = FixedSummaries([])
    service = OverviewService(
        summaries, ClinicSettingsService(InMemorySettingsStore(), clock), clock, InMemoryTextTallies()
    )
    clinics = [Principal(user_id="u", clinic_id=f"clinic-{n}", is_admin=False) for n in range(MAX_CACHED + 5)]
    for principal in clinics:
        service.overview(principal, 1)
    service.overview(clinics[-1], 1)  # still kept
    assert len(summaries.asked) == MAX_CACHED + 5
    service.overview(clinics[0], 1)  # the oldest was dropped
    assert len(summaries.asked) == MAX_CACHED + 6
