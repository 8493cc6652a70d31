"""What an ended Retell call means for the clinic: done, try again, wait, or give up (the contract's outcome table).

Every ``disconnection_reason`` of the pinned retell-sdk (its ``PhoneCallResponse`` enum, 39 values) is decided here
on purpose, in ``DISCONNECTION_TABLE``; a unit test keeps the table and the SDK's enum equal. A reason Retell adds
later gets ``UNKNOWN_REASON_VERDICT`` (and the webhook counts it in a metric, so someone adds it to the table).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.models.call import CallOutcome
from shared.models.settings import RetryPolicy


class Disposition(StrEnum):
    COMPLETE = "complete"  # the call happened (or reached voicemail): nothing more to do
    RETRY = "retry"  # nobody (or no person) was reached: the next attempt, after the policy's backoff
    REQUEUE = "requeue"  # Retell had no capacity: the same attempt again shortly; uses up nothing
    PAUSE = "pause"  # the Retell account cannot place calls: the same attempt waits for it; uses up nothing
    FAIL = "fail"  # it cannot work (bad number, carrier refusal, stopped by hand): final


@dataclass(frozen=True)
class Verdict:
    disposition: Disposition
    outcome: CallOutcome


_ANSWERED = Verdict(Disposition.COMPLETE, CallOutcome.ANSWERED)
_VOICEMAIL = Verdict(Disposition.COMPLETE, CallOutcome.VOICEMAIL)
_NO_PERSON = Verdict(Disposition.RETRY, CallOutcome.NOT_CONNECTED)
_RETELL_ERROR = Verdict(Disposition.RETRY, CallOutcome.ERROR)
_CAPACITY = Verdict(Disposition.REQUEUE, CallOutcome.CONCURRENCY_LIMITED)
_ACCOUNT = Verdict(Disposition.PAUSE, CallOutcome.ACCOUNT_UNAVAILABLE)
_UNREACHABLE = Verdict(Disposition.FAIL, CallOutcome.NOT_CONNECTED)

DISCONNECTION_TABLE: dict[str, Verdict] = {
    # The owner was reached and the conversation ended one way or another: the follow-up happened.
    "user_hangup": _ANSWERED,
    "agent_hangup": _ANSWERED,
    "call_transfer": _ANSWERED,
    "transfer_bridged": _ANSWERED,
    "transfer_cancelled": _ANSWERED,
    "inactivity": _ANSWERED,
    "max_duration_reached": _ANSWERED,
    "call_take_over": _ANSWERED,  # a person at the clinic took the call over from the agent
    # Reached, and the owner asked for something the clinic must act on (a later notice tells the clinic).
    "user_requested_callback": Verdict(Disposition.COMPLETE, CallOutcome.CALLBACK_REQUESTED),
    "user_requested_dnc": Verdict(Disposition.COMPLETE, CallOutcome.DO_NOT_CALL_REQUESTED),
    "voicemail_reached": _VOICEMAIL,  # retried instead when the clinic sets retryOnVoicemail
    # Nobody was reached, and trying later may reach them: the next attempt, after the backoff.
    "dial_no_answer": Verdict(Disposition.RETRY, CallOutcome.NO_ANSWER),
    "dial_busy": Verdict(Disposition.RETRY, CallOutcome.BUSY),
    "user_declined": Verdict(Disposition.RETRY, CallOutcome.DECLINED),  # rejected the call now, maybe not later
    "ivr_reached": Verdict(Disposition.RETRY, CallOutcome.IVR),  # a phone menu, not the owner
    "telephony_provider_unavailable": _NO_PERSON,  # the carrier's outage, not the number's fault
    "registered_call_timeout": _NO_PERSON,
    "error_user_not_joined": _NO_PERSON,
    # Retell's own faults, before or during the conversation: an attempt later, as the owner heard no real call.
    "error_llm_websocket_open": _RETELL_ERROR,
    "error_llm_websocket_lost_connection": _RETELL_ERROR,
    "error_llm_websocket_runtime": _RETELL_ERROR,
    "error_llm_websocket_corrupt_payload": _RETELL_ERROR,
    "error_no_audio_received": _RETELL_ERROR,
    "error_asr": _RETELL_ERROR,
    "error_retell": _RETELL_ERROR,
    "error_unknown": _RETELL_ERROR,
    # Retell had no free line: the same attempt shortly, using up nothing.
    "concurrency_limit_reached": _CAPACITY,
    "no_concurrency_fallback": _CAPACITY,
    # The account cannot pay for calls: not this call's fault. It waits for the account (the breaker) instead.
    "no_valid_payment": _ACCOUNT,
    "credit_exhausted": _ACCOUNT,
    "budget_reached": _ACCOUNT,
    # The number cannot be reached from here, whenever we try: final, and the clinic sees why.
    "dial_failed": _UNREACHABLE,
    "invalid_destination": _UNREACHABLE,
    "telephony_provider_permission_denied": _UNREACHABLE,
    "sip_routing_error": _UNREACHABLE,
    "marked_as_spam": _UNREACHABLE,  # retrying from a number flagged as spam makes it worse
    "network_blocked": _UNREACHABLE,
    "scam_detected": Verdict(Disposition.FAIL, CallOutcome.ERROR),
    # Someone stopped the call in Retell's dashboard on purpose: never call again on our own.
    "manual_stopped": Verdict(Disposition.FAIL, CallOutcome.STOPPED),
}

UNKNOWN_REASON_VERDICT = Verdict(Disposition.FAIL, CallOutcome.ERROR)
"""A reason this table does not know fails the call rather than retrying it: a wrong retry rings an owner again, a
wrong failure only shows up in the clinic's list (and in the ``DisconnectionReasonUnknown`` metric)."""

ACCOUNT_END_REASONS = frozenset(reason for reason, verdict in DISCONNECTION_TABLE.items() if verdict == _ACCOUNT)

VOICEMAIL_LOOKALIKES = frozenset(reason for reason, verdict in DISCONNECTION_TABLE.items() if verdict == _ANSWERED)
"""Ends that look like a conversation but may have been a voicemail box: an agent without voicemail detection talks
to the box and hangs up (``agent_hangup``), and only the analysis (``in_voicemail``) tells."""


def is_known_reason(reason: str | None) -> bool:
    return reason is None or reason in DISCONNECTION_TABLE


def judge_disconnection(reason: str | None, policy: RetryPolicy, *, in_voicemail: bool | None = None) -> Verdict:
    """The verdict on one attempt from Retell's ``disconnection_reason`` (and, when the analysis has come, whether
    Retell thinks it talked to a voicemail box)."""
    verdict = DISCONNECTION_TABLE.get(reason or "", UNKNOWN_REASON_VERDICT)
    if in_voicemail and reason in VOICEMAIL_LOOKALIKES:
        verdict = _VOICEMAIL
    if verdict.outcome == CallOutcome.VOICEMAIL and policy.retry_on_voicemail:
        return Verdict(Disposition.RETRY, CallOutcome.VOICEMAIL)
    return verdict


def needs_analysis_to_judge(reason: str | None, policy: RetryPolicy, in_voicemail: bool | None) -> bool:
    """Whether the end cannot be judged before the analysis says if it was a voicemail: only when the clinic
    retries voicemails (a voicemail counted as answered would then be wrong), and only for ends that look like a
    conversation."""
    return policy.retry_on_voicemail and in_voicemail is None and reason in VOICEMAIL_LOOKALIKES
