"""What a service reports to the function that called it, for its metrics and logs: the effect of a Retell event,
the reconciler's repair of a call, the count of notices delivered."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventEffect(StrEnum):
    """What applying one Retell event did to its call."""

    IGNORED = "ignored"  # not an event we act on, or not a call we placed
    UNKNOWN_CALL = "unknown_call"
    NO_CHANGE = "no_change"  # a duplicate, or about an attempt that is already over
    CONNECTED = "connected"
    COMPLETED = "completed"
    FAILED = "failed"
    RETRY_SCHEDULED = "retry_scheduled"
    REQUEUED = "requeued"
    PAUSED = "paused"  # the account could not pay for the call: the attempt waits for the account
    AWAITING_ANALYSIS = "awaiting_analysis"  # ended; only the analysis can tell the owner from a voicemail
    ANALYZED = "analyzed"
    TEXT_UPDATED = "text_updated"  # the call's text moved on (started, over, analysed)


class Repair(StrEnum):
    """What the reconciler did about one call."""

    NOTHING = "nothing"  # not due, gone, or already in line
    FIRED = "fired"  # a lost schedule's attempt was started
    FOUND = "found"  # the dial was found in Retell and attached
    RELEASED = "released"  # the dial never reached Retell: the attempt goes again
    APPLIED = "applied"  # Retell's state was applied as its webhook would have been
    WAITING = "waiting"  # asked; nothing to change yet (the call is live, or Retell could not say)
    LOST = "lost"  # nobody could account for the dial for too long: failed, with an alarm
    TEXT_FAILED = "text_failed"  # a claimed text Retell shows no chat for: failed (never sent again)


@dataclass(frozen=True)
class Delivery:
    """How many notices one run recorded, sent, failed to send, gave up on, and held (a rate limit: sent once its
    window ends)."""

    recorded: int = 0
    sent: int = 0
    failed: int = 0
    given_up: int = 0
    held: int = 0
