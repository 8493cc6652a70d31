"""The call's state machine: forward only, each attempt's outcome applied once, retries timed by the policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain import lifecycle
from shared.domain.business_hours import BusinessCalendar
from shared.domain.outcomes import Disposition, judge_disconnection
from shared.models.call import Call, CallAnalysis, CallOutcome, CallStatus
from shared.models.settings import ClinicSettings, RetryPolicy

NOW = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)  # Monday 09:30 in Los Angeles
SETTINGS = ClinicSettings()
CALENDAR = BusinessCalendar.from_settings(SETTINGS)


def a_call(**changes: object) -> Call:
    base = Call(
        call_id="c1",
        clinic_id="clinic-a",
        status=CallStatus.SCHEDULED,
        phone_number="+14155550100",
        pet_name="Luna",
        owner_name="Sarah",
        requested_for=NOW,
        scheduled_for=NOW,
        timezone="America/Los_Angeles",
        rescheduled=False,
        max_attempts=4,
        created_at=NOW,
        updated_at=NOW,
        created_by="u",
        schedule_token="t1",
    )
    return base.model_copy(update=changes)


def end(reason: str, attempt: int = 1, retell_id: str = "r1") -> lifecycle.CallEnd:
    return lifecycle.CallEnd(attempt, retell_id, reason, NOW, NOW + timedelta(seconds=30))


def dialed_call() -> Call:
    claimed = lifecycle.claim(a_call(), 1, "t1", NOW)
    assert claimed is not None
    dialed = lifecycle.dialed(claimed, 1, "r1", NOW)
    assert dialed is not None
    return dialed


def end_it(call: Call, reason: str, attempt: int = 1, policy: RetryPolicy = SETTINGS.retry) -> Call | None:
    return lifecycle.ended(
        call,
        end(reason, attempt),
        policy,
        CALENDAR,
        NOW,
        token="t2",
        requeue_delay=timedelta(seconds=75),
    )


class TestClaim:
    def test_only_the_current_attempt_and_schedule_can_be_claimed(self) -> None:
        call = a_call()
        assert lifecycle.claim(call, 1, "t1", NOW) is not None
        assert lifecycle.claim(call, 1, "old", NOW) is None
        assert lifecycle.claim(call, 2, "t1", NOW) is None
        for status in (CallStatus.INITIATED, CallStatus.CANCELLED, CallStatus.COMPLETED):
            assert lifecycle.claim(a_call(status=status), 1, "t1", NOW) is None


class TestEnded:
    @pytest.mark.parametrize(
        ("reason", "status", "outcome"),
        [
            ("agent_hangup", CallStatus.COMPLETED, CallOutcome.ANSWERED),
            ("voicemail_reached", CallStatus.COMPLETED, CallOutcome.VOICEMAIL),
            ("dial_no_answer", CallStatus.SCHEDULED, CallOutcome.NO_ANSWER),
            ("dial_busy", CallStatus.SCHEDULED, CallOutcome.BUSY),
            ("concurrency_limit_reached", CallStatus.SCHEDULED, CallOutcome.CONCURRENCY_LIMITED),
            ("dial_failed", CallStatus.FAILED, CallOutcome.NOT_CONNECTED),
            ("invalid_destination", CallStatus.FAILED, CallOutcome.NOT_CONNECTED),
            ("error_llm_websocket_open", CallStatus.SCHEDULED, CallOutcome.ERROR),
            ("user_requested_callback", CallStatus.COMPLETED, CallOutcome.CALLBACK_REQUESTED),
            ("no_valid_payment", CallStatus.SCHEDULED, CallOutcome.ACCOUNT_UNAVAILABLE),
            ("manual_stopped", CallStatus.FAILED, CallOutcome.STOPPED),
            ("a_reason_retell_adds_next_year", CallStatus.FAILED, CallOutcome.ERROR),
        ],
    )
    def test_the_outcome_table(self, reason: str, status: CallStatus, outcome: CallOutcome) -> None:
        after = end_it(dialed_call(), reason)
        assert after is not None
        assert (after.status, after.outcome) == (status, outcome)

    def test_an_end_applies_once(self) -> None:
        after = end_it(dialed_call(), "dial_no_answer")
        assert after is not None
        assert after.attempt == 2
        assert end_it(after, "dial_no_answer") is None

    def test_a_start_after_the_end_changes_nothing(self) -> None:
        after = end_it(dialed_call(), "agent_hangup")
        assert after is not None
        assert lifecycle.connected(after, 1, "r1", NOW) is None

    def test_requeue_keeps_the_attempt_and_retries_use_one(self) -> None:
        requeued = end_it(dialed_call(), "concurrency_limit_reached")
        assert requeued is not None
        assert (requeued.attempt, requeued.requeues) == (1, 1)
        assert requeued.scheduled_for == NOW + timedelta(seconds=75)

    def test_voicemail_is_retried_when_the_clinic_asks(self) -> None:
        after = end_it(dialed_call(), "voicemail_reached", policy=RetryPolicy(retry_on_voicemail=True))
        assert after is not None
        assert after.status == CallStatus.SCHEDULED

    def test_the_last_attempt_fails_and_a_last_voicemail_completes(self) -> None:
        last = dialed_call().model_copy(update={"attempt": 4})
        last = last.model_copy(update={"attempts": [a.model_copy(update={"number": 4}) for a in last.attempts]})
        failed = end_it(last, "dial_busy", attempt=4)
        assert failed is not None
        assert failed.status == CallStatus.FAILED
        assert failed.status_reason == "busy after 4 attempts"
        voicemail = end_it(last, "voicemail_reached", attempt=4, policy=RetryPolicy(retry_on_voicemail=True))
        assert voicemail is not None
        assert voicemail.status == CallStatus.COMPLETED

    def test_analysis_reaches_terminal_calls_but_never_cancelled_ones(self) -> None:
        done = end_it(dialed_call(), "agent_hangup")
        assert done is not None
        analysis = CallAnalysis(summary="ok", successful=True)
        analyzed = lifecycle.analyzed(done, 1, "r1", analysis)
        assert analyzed is not None
        assert analyzed.status == CallStatus.COMPLETED
        assert analyzed.analysis == analysis
        assert lifecycle.analyzed(analyzed, 1, "r1", analysis) is None
        assert lifecycle.analyzed(a_call(status=CallStatus.CANCELLED), 1, "r1", analysis) is None


@settings(max_examples=300, deadline=None)
@given(
    ended=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
    lag=st.integers(0, 7200),
    finished=st.integers(1, 6),
    backoff=st.lists(st.integers(60, 86_400), min_size=1, max_size=5),
)
def test_a_retry_waits_its_backoff_then_the_next_open_minute(
    ended: datetime, lag: int, finished: int, backoff: list[int]
) -> None:
    policy = RetryPolicy(backoff_seconds=backoff)
    now = ended + timedelta(seconds=lag)
    at = lifecycle.retry_time(ended, now, finished, policy, CALENDAR)
    earliest = now + timedelta(seconds=policy.delay_before_retry(finished))
    assert at >= earliest
    assert CALENDAR.is_open(at)
    assert at == CALENDAR.next_open_slot(earliest)


def test_the_verdicts_cover_retell_reasons() -> None:
    policy = RetryPolicy()
    assert judge_disconnection(None, policy).disposition == Disposition.FAIL
    assert judge_disconnection("no_concurrency_fallback", policy).disposition == Disposition.REQUEUE


def test_a_claim_long_before_the_call_is_due_is_refused() -> None:
    call = a_call(scheduled_for=NOW + timedelta(hours=1))
    assert lifecycle.claim(call, 1, "t1", NOW) is None
    assert lifecycle.claim(call, 1, "t1", NOW + timedelta(minutes=59)) is not None
