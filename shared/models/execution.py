"""What starts an attempt: the input a one-shot schedule (or "call now") hands to the execute function."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from shared.models.base import ApiModel, StrictApiModel, UtcDatetime


class ExecuteTrigger(StrEnum):
    SCHEDULE = "schedule"
    CALL_NOW = "call_now"


class ExecuteAction(StrEnum):
    DIAL = "dial"  # start the attempt: dial the owner
    TEXT = "text"  # send the call's text follow-up


class ExecuteRequest(StrictApiModel):
    """``{callId, clinicId, attempt, token, scheduledTime}``; the claim succeeds only if all of it is current."""

    call_id: str = Field(min_length=1, max_length=64)
    clinic_id: str = Field(min_length=1, max_length=128)
    attempt: int = Field(ge=1, le=100)
    token: str = Field(min_length=1, max_length=32)
    scheduled_time: UtcDatetime
    trigger: Literal[ExecuteTrigger.SCHEDULE, ExecuteTrigger.CALL_NOW] = ExecuteTrigger.SCHEDULE
    action: ExecuteAction = ExecuteAction.DIAL


class ExecutionResult(StrEnum):
    DIALED = "dialed"
    SKIPPED = "skipped"  # duplicate delivery, stale schedule, cancelled or unknown call: nothing to do
    MOVED = "moved"  # closed now: moved to the next open slot
    REQUEUED = "requeued"  # no dialing lease (clinic or Retell at capacity): same attempt about a minute later
    FAILED = "failed"  # Retell refused the dial, or settings make dialing impossible
    UNRESOLVED = "unresolved"  # Retell may have placed the call; left for reconciliation, never redialed
    ACCOUNT_BLOCKED = "account_blocked"  # Retell refused for the account (401/402/403): breaker opened, call waits
    PAUSED = "paused"  # the account's breaker is open: the call waits for the next probe
    CAPPED = "capped"  # the number had its most dials in 24 hours: the same attempt waits for the window
    CANCELLED = "cancelled"  # the number is on the clinic's do-not-call list: cancelled, never dialed
    TEXTED = "texted"  # the call's text went out (a chat was started)
    TEXT_SKIPPED = "text_skipped"  # the text was not sent: not allowed now (do-not-call), or refused by Retell


class AttemptRef(ApiModel):
    """The call an attempt's input names, read loosely: a dead letter may hold the input as Scheduler had it (with
    the ``<aws.scheduler.scheduled-time>`` placeholder unreplaced) or as execute received it."""

    call_id: str = Field(min_length=1, max_length=64)
    clinic_id: str = Field(min_length=1, max_length=128)
