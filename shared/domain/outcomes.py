"""What an ended Retell call means for the clinic: done, try again later, or give up (the contract's outcome table)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.models.call import CallOutcome
from shared.models.settings import RetryPolicy


class Disposition(StrEnum):
    COMPLETE = "complete"  # the call happened (or reached voicemail): nothing more to do
    RETRY = "retry"  # nobody picked up: the next attempt, after the policy's backoff
    REQUEUE = "requeue"  # Retell had no capacity: the same attempt again shortly; uses up nothing
    FAIL = "fail"  # it cannot work (bad number, carrier refusal, Retell error): final


@dataclass(frozen=True)
class Verdict:
    disposition: Disposition
    outcome: CallOutcome


CONNECTED_ENDS = frozenset(
    {
        "agent_hangup",
        "user_hangup",
        "call_transfer",
        "transfer_bridged",
        "transfer_cancelled",
        "inactivity",
        "max_duration_reached",
        "ivr_reached",
        "user_requested_dnc",
        "user_requested_callback",
        "manual_stopped",
        "call_take_over",
    }
)
NOT_CONNECTED = frozenset(
    {
        "dial_failed",
        "invalid_destination",
        "telephony_provider_permission_denied",
        "telephony_provider_unavailable",
        "sip_routing_error",
        "marked_as_spam",
        "user_declined",
        "network_blocked",
    }
)
CAPACITY = frozenset({"concurrency_limit_reached", "no_concurrency_fallback"})


def judge_disconnection(reason: str | None, policy: RetryPolicy) -> Verdict:
    """The verdict on one attempt from Retell's ``disconnection_reason``. Unknown reasons (Retell adds values over
    time) fail the call rather than retry it: a wrong retry rings an owner again, a wrong failure only shows up in
    the clinic's list."""
    if reason == "voicemail_reached":
        return Verdict(Disposition.RETRY if policy.retry_on_voicemail else Disposition.COMPLETE, CallOutcome.VOICEMAIL)
    if reason == "dial_no_answer":
        return Verdict(Disposition.RETRY, CallOutcome.NO_ANSWER)
    if reason == "dial_busy":
        return Verdict(Disposition.RETRY, CallOutcome.BUSY)
    if reason in CAPACITY:
        return Verdict(Disposition.REQUEUE, CallOutcome.CONCURRENCY_LIMITED)
    if reason in CONNECTED_ENDS:
        return Verdict(Disposition.COMPLETE, CallOutcome.ANSWERED)
    if reason in NOT_CONNECTED:
        return Verdict(Disposition.FAIL, CallOutcome.NOT_CONNECTED)
    return Verdict(Disposition.FAIL, CallOutcome.ERROR)
