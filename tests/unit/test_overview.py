"""The overview's figures from the calls of a window: every owner who spoke with the agent counts as answered."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.overview import OverviewService
from shared.logic.ports import CallSummary
from shared.models.call import CallOutcome, CallStatus
from tests.support.fakes import FakeClock, InMemorySettingsStore
from tests.support.graph import ADMIN


class FixedSummaries:
    def __init__(self, calls: list[CallSummary]):
        self.calls = calls
        self.asked: list[tuple[datetime, datetime]] = []

    def between(self, clinic_id: str, start: datetime, end: datetime, limit: int) -> tuple[list[CallSummary], bool]:
        self.asked.append((start, end))
        return [call for call in self.calls if start <= call.scheduled_for < end], False


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
    service = OverviewService(FixedSummaries(calls), ClinicSettingsService(InMemorySettingsStore(), clock), clock)
    today = service.overview(ADMIN, 1)
    assert (today.total, today.finished, today.answered) == (5, 4, 2)
    assert today.answer_rate == 0.5
    assert today.average_attempts == 2.0
    assert [call.call_id for call in today.failed] == ["c4"]
    assert today.by_status[CallStatus.SCHEDULED] == 1
    assert service.overview(ADMIN, 7).total == 6
