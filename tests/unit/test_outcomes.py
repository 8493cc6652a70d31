"""Every disconnection reason the pinned retell-sdk knows is decided on purpose, and the decisions hold."""

from __future__ import annotations

from typing import get_args

import pytest
from retell.types.phone_call_response import PhoneCallResponse

from shared.domain.outcomes import (
    ACCOUNT_END_REASONS,
    DISCONNECTION_TABLE,
    UNKNOWN_REASON_VERDICT,
    Disposition,
    judge_disconnection,
    needs_analysis_to_judge,
)
from shared.models.call import CallOutcome
from shared.models.settings import RetryPolicy

DEFAULT = RetryPolicy()
RETRY_VOICEMAIL = RetryPolicy(retry_on_voicemail=True)


def sdk_reasons() -> set[str]:
    (literal, _none) = get_args(PhoneCallResponse.model_fields["disconnection_reason"].annotation)
    return set(get_args(literal))


def test_the_table_covers_exactly_the_sdks_reasons() -> None:
    reasons = sdk_reasons()
    assert len(reasons) == 39
    assert set(DISCONNECTION_TABLE) == reasons


EXPECTED = [
    ("agent_hangup", Disposition.COMPLETE, CallOutcome.ANSWERED),
    ("user_hangup", Disposition.COMPLETE, CallOutcome.ANSWERED),
    ("call_transfer", Disposition.COMPLETE, CallOutcome.ANSWERED),
    ("transfer_bridged", Disposition.COMPLETE, CallOutcome.ANSWERED),
    ("transfer_cancelled", Disposition.COMPLETE, CallOutcome.ANSWERED),
    ("inactivity", Disposition.COMPLETE, CallOutcome.ANSWERED),
    ("max_duration_reached", Disposition.COMPLETE, CallOutcome.ANSWERED),
    ("call_take_over", Disposition.COMPLETE, CallOutcome.ANSWERED),
    ("user_requested_callback", Disposition.COMPLETE, CallOutcome.CALLBACK_REQUESTED),
    ("user_requested_dnc", Disposition.COMPLETE, CallOutcome.DO_NOT_CALL_REQUESTED),
    ("voicemail_reached", Disposition.COMPLETE, CallOutcome.VOICEMAIL),
    ("dial_no_answer", Disposition.RETRY, CallOutcome.NO_ANSWER),
    ("dial_busy", Disposition.RETRY, CallOutcome.BUSY),
    ("user_declined", Disposition.RETRY, CallOutcome.DECLINED),
    ("ivr_reached", Disposition.RETRY, CallOutcome.IVR),
    ("telephony_provider_unavailable", Disposition.RETRY, CallOutcome.NOT_CONNECTED),
    ("registered_call_timeout", Disposition.RETRY, CallOutcome.NOT_CONNECTED),
    ("error_user_not_joined", Disposition.RETRY, CallOutcome.NOT_CONNECTED),
    ("error_llm_websocket_open", Disposition.RETRY, CallOutcome.ERROR),
    ("error_llm_websocket_lost_connection", Disposition.RETRY, CallOutcome.ERROR),
    ("error_llm_websocket_runtime", Disposition.RETRY, CallOutcome.ERROR),
    ("error_llm_websocket_corrupt_payload", Disposition.RETRY, CallOutcome.ERROR),
    ("error_no_audio_received", Disposition.RETRY, CallOutcome.ERROR),
    ("error_asr", Disposition.RETRY, CallOutcome.ERROR),
    ("error_retell", Disposition.RETRY, CallOutcome.ERROR),
    ("error_unknown", Disposition.RETRY, CallOutcome.ERROR),
    ("concurrency_limit_reached", Disposition.REQUEUE, CallOutcome.CONCURRENCY_LIMITED),
    ("no_concurrency_fallback", Disposition.REQUEUE, CallOutcome.CONCURRENCY_LIMITED),
    ("no_valid_payment", Disposition.PAUSE, CallOutcome.ACCOUNT_UNAVAILABLE),
    ("credit_exhausted", Disposition.PAUSE, CallOutcome.ACCOUNT_UNAVAILABLE),
    ("budget_reached", Disposition.PAUSE, CallOutcome.ACCOUNT_UNAVAILABLE),
    ("dial_failed", Disposition.FAIL, CallOutcome.NOT_CONNECTED),
    ("invalid_destination", Disposition.FAIL, CallOutcome.NOT_CONNECTED),
    ("telephony_provider_permission_denied", Disposition.FAIL, CallOutcome.NOT_CONNECTED),
    ("sip_routing_error", Disposition.FAIL, CallOutcome.NOT_CONNECTED),
    ("marked_as_spam", Disposition.FAIL, CallOutcome.NOT_CONNECTED),
    ("network_blocked", Disposition.FAIL, CallOutcome.NOT_CONNECTED),
    ("scam_detected", Disposition.FAIL, CallOutcome.ERROR),
    ("manual_stopped", Disposition.FAIL, CallOutcome.STOPPED),
]
"""Every reason of the SDK with the verdict decided for it: a change to the table must change this list too."""


def test_the_expectations_name_every_reason_once() -> None:
    assert sorted(reason for reason, _, _ in EXPECTED) == sorted(sdk_reasons())


@pytest.mark.parametrize(("reason", "disposition", "outcome"), EXPECTED)
def test_each_reason_has_its_deliberate_verdict(reason: str, disposition: Disposition, outcome: CallOutcome) -> None:
    verdict = judge_disconnection(reason, DEFAULT)
    assert (verdict.disposition, verdict.outcome) == (disposition, outcome)


def test_no_reason_a_conversation_can_end_with_rings_the_owner_again_by_default() -> None:
    """A conversation that happened (the owner spoke with the agent) is never retried: that would ring them twice."""
    for reason in ("agent_hangup", "user_hangup", "call_transfer", "inactivity", "max_duration_reached"):
        assert judge_disconnection(reason, DEFAULT).disposition == Disposition.COMPLETE


def test_a_reason_retell_adds_later_fails_safe() -> None:
    assert judge_disconnection("a_reason_from_next_year", DEFAULT) == UNKNOWN_REASON_VERDICT
    assert UNKNOWN_REASON_VERDICT.disposition == Disposition.FAIL


def test_account_ends_are_exactly_the_billing_reasons() -> None:
    assert {"no_valid_payment", "credit_exhausted", "budget_reached"} == ACCOUNT_END_REASONS


def test_a_voicemail_behind_a_normal_end_is_recognised_from_the_analysis() -> None:
    assert judge_disconnection("agent_hangup", DEFAULT, in_voicemail=True).outcome == CallOutcome.VOICEMAIL
    assert judge_disconnection("agent_hangup", RETRY_VOICEMAIL, in_voicemail=True).disposition == Disposition.RETRY
    assert judge_disconnection("agent_hangup", RETRY_VOICEMAIL, in_voicemail=False).disposition == (
        Disposition.COMPLETE
    )
    # The owner's own wishes are never read as a voicemail.
    assert judge_disconnection("user_requested_callback", DEFAULT, in_voicemail=True).outcome == (
        CallOutcome.CALLBACK_REQUESTED
    )


def test_only_a_clinic_that_retries_voicemail_waits_for_the_analysis() -> None:
    assert needs_analysis_to_judge("agent_hangup", RETRY_VOICEMAIL, None)
    assert not needs_analysis_to_judge("agent_hangup", RETRY_VOICEMAIL, False)
    assert not needs_analysis_to_judge("agent_hangup", DEFAULT, None)
    assert not needs_analysis_to_judge("dial_no_answer", RETRY_VOICEMAIL, None)
