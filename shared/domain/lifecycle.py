"""The call's state machine, as pure functions from a stored call (and a fact) to the next call, or ``None`` when
the fact changes nothing (a duplicate, a stale schedule, an event about an attempt that is already over).

    scheduled --claim--> initiated --connected--> in_progress --ended--> completed | failed
        ^                  |    |                                   |
        |                  |    +--ended (never connected)----------+--> scheduled (next attempt / re-queued)
        +--back to queue---+  (closed now, no dialing lease, Retell busy)
    scheduled --cancel--> cancelled

State only moves forward: an event is applied to the attempt it names, and only while that attempt is still open,
so repeated and out-of-order deliveries are no-ops. Terminal calls never change status; the one thing that may
still arrive for them is the analysis of the attempt that ended them. Version and ``updatedAt`` are the writer's
business (``shared.logic``), not this module's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.domain.business_hours import Calendar
from shared.domain.outcomes import VOICEMAIL_LOOKALIKES, Disposition, judge_disconnection, needs_analysis_to_judge
from shared.models.call import Call, CallAnalysis, CallAttempt, CallOutcome, CallStatus
from shared.models.settings import RetryPolicy

MAX_REQUEUES = 120
"""Re-queues of one attempt (about a minute apart) before it fails: two hours without a free dialing lease means
something is stuck, and the clinic should hear about it rather than the owner being rung in the evening."""

REQUEUE_DELAY = timedelta(seconds=60)
REQUEUE_JITTER = timedelta(seconds=45)
"""A re-queued attempt goes again 60-105 s later: a burst of calls that came due together (Monday 09:00) spreads
out over the following minutes instead of returning all at once."""

EARLY_TOLERANCE = timedelta(minutes=2)
"""A claim this long before the call is due is refused: schedules never fire early, so such a delivery is a stray
(a hand-made invocation, a clock far off), and dialing on it would ring the owner before the time the clinic set."""

OPEN_STATUSES = frozenset({CallStatus.INITIATED, CallStatus.IN_PROGRESS})

ACCOUNT_WAIT = timedelta(minutes=5)
"""An attempt that ended because the Retell account could not pay waits this long (the breaker's probe interval)."""

TRANSCRIPT_MAX_CHARS = 60_000
"""About two hours of conversation: a call's transcript is kept up to this, so the item stays well inside DynamoDB's
400 KB (Retell keeps the whole one, and word timings are never stored)."""


class QueueReason(StrEnum):
    """Why a claimed attempt goes back to ``scheduled`` without a dial, which decides what it counts against."""

    CLOSED = "closed"  # the clinic is closed now: moved into business hours (``rescheduled``)
    NO_LEASE = "no_lease"  # no dialing lease free: counts against ``MAX_REQUEUES``
    ACCOUNT = "account"  # the Retell account cannot place calls: waits for it, counts against nothing
    NOT_PLACED = "not_placed"  # the reconciler found the dial never reached Retell: dialed again, counts nothing
    DIAL_CAP = "dial_cap"  # the number was dialed as often as allowed in 24 hours: waits for the window, counts nothing


def requeue_delay(rng: random.Random) -> timedelta:
    return REQUEUE_DELAY + REQUEUE_JITTER * rng.random()


def keep_transcript(text: str | None) -> str | None:
    if text is None or len(text) <= TRANSCRIPT_MAX_CHARS:
        return text
    return text[:TRANSCRIPT_MAX_CHARS] + "\n[... shortened; Retell keeps the whole transcript]"


def out_of_requeues(call: Call) -> bool:
    return call.requeues >= MAX_REQUEUES


def holds_dialing_lease(status: CallStatus, attempt: int, lease_attempt: int | None) -> bool:
    """A dialing lease taken by ``lease_attempt`` of a call (``None``: a lease taken before leases named their attempt)
    is in use while the call, now on ``attempt`` with ``status``, is still claimed or connected on that attempt.
    Once the attempt ends, the lease is free without anyone writing it back."""
    return status in OPEN_STATUSES and lease_attempt in (None, attempt)


def is_open_attempt(call: Call, attempt: int) -> bool:
    """``attempt`` is the call's current one and has been dialed but not ended: only then can an end apply."""
    return call.attempt == attempt and call.status in OPEN_STATUSES


@dataclass(frozen=True)
class CallEnd:
    """How Retell says an attempt ended (from ``call_ended`` or ``call_analyzed``)."""

    attempt: int
    retell_call_id: str
    disconnection_reason: str | None
    started_at: datetime | None
    ended_at: datetime | None
    transcript: str | None = None
    has_recording: bool = False
    in_voicemail: bool | None = None  # from the analysis, once it has come


def _entry_index(call: Call, attempt: int, retell_call_id: str | None) -> int | None:
    """Where the history keeps the dial an event is about: the entry with its Retell call id, else the latest entry
    of that attempt not yet tied to a Retell call (a re-queued attempt has one entry per dial)."""
    for index in range(len(call.attempts) - 1, -1, -1):
        entry = call.attempts[index]
        if retell_call_id is not None and entry.retell_call_id == retell_call_id:
            return index
    for index in range(len(call.attempts) - 1, -1, -1):
        entry = call.attempts[index]
        if entry.number == attempt and entry.retell_call_id is None:
            return index
    return None


def _with_entry(call: Call, index: int | None, entry: CallAttempt) -> list[CallAttempt]:
    attempts = list(call.attempts)
    if index is None:
        return [*attempts, entry]
    attempts[index] = entry
    return attempts


def _is_latest_dial(call: Call, index: int | None) -> bool:
    return index is None or index == len(call.attempts) - 1


def claim(call: Call, attempt: int, token: str, now: datetime) -> Call | None:
    """``scheduled`` -> ``initiated`` for exactly the attempt and schedule that fired; anything else is stale."""
    if call.status != CallStatus.SCHEDULED or call.attempt != attempt or call.schedule_token != token:
        return None
    if call.scheduled_for > now + EARLY_TOLERANCE:
        return None
    entry = CallAttempt(number=attempt, claimed_at=now)
    return call.model_copy(
        update={
            "status": CallStatus.INITIATED,
            "attempts": [*call.attempts, entry],
            "retell_call_id": None,
            "next_retry_at": None,
            "status_reason": None,
        }
    )


def back_to_queue(call: Call, fire_at: datetime, token: str, reason: str, why: QueueReason) -> Call:
    """``initiated`` -> ``scheduled`` without having dialed: the same attempt, at ``fire_at``, on a new schedule."""
    attempts = list(call.attempts)
    if attempts and attempts[-1].number == call.attempt and attempts[-1].dialed_at is None:
        attempts.pop()  # the claim never became a dial: not worth a line in the history
    return call.model_copy(
        update={
            "status": CallStatus.SCHEDULED,
            "scheduled_for": fire_at,
            "rescheduled": call.rescheduled or why == QueueReason.CLOSED,
            "schedule_token": token,
            "attempts": attempts,
            "requeues": call.requeues + 1 if why == QueueReason.NO_LEASE else call.requeues,
            "status_reason": reason,
            "checked_at": None,
        }
    )


def not_placed(call: Call, fire_at: datetime, token: str, reason: str, key: str) -> Call:
    """``initiated`` -> ``scheduled``: the reconciler found that Retell never placed the dial under ``key``. The same
    attempt goes again at ``fire_at``, and remembers the key (and when it was first sent) so that its redial can
    reuse it while Retell still honours it (``shared.domain.dialing.dial_key``)."""
    entry = call.current_attempt()
    first_sent = entry.claimed_at if entry is not None and entry.claimed_at is not None else call.updated_at
    if call.unplaced_dial_key == key and call.unplaced_dial_at is not None:
        first_sent = call.unplaced_dial_at  # the key's hour runs from its first request, not from this redial's
    queued = back_to_queue(call, fire_at, token, reason, QueueReason.NOT_PLACED)
    return queued.model_copy(update={"unplaced_dial_key": key, "unplaced_dial_at": first_sent})


def key_answered(call: Call) -> Call:
    """Retell answered a dial (placed it, or refused it outright): an unplaced dial's key has done its work and is
    not reused by a later dial of the attempt."""
    return call.model_copy(update={"unplaced_dial_key": None, "unplaced_dial_at": None})


def cancelled_before_dial(call: Call, reason: str) -> Call:
    """``initiated`` -> ``cancelled`` without a dial: the number was put on the do-not-call list after the call was
    scheduled. The claim is dropped from the history (nothing was dialed)."""
    attempts = list(call.attempts)
    if attempts and attempts[-1].number == call.attempt and attempts[-1].dialed_at is None:
        attempts.pop()
    return call.model_copy(
        update={
            "status": CallStatus.CANCELLED,
            "attempts": attempts,
            "next_retry_at": None,
            "status_reason": reason,
            "checked_at": None,
        }
    )


def dialed(call: Call, attempt: int, retell_call_id: str, now: datetime) -> Call | None:
    """Remember the Retell call id of the attempt. Webhooks may have moved the call on already; that is fine."""
    index = _entry_index(call, attempt, retell_call_id)
    if index is None:
        return None
    entry = call.attempts[index]
    if entry.dialed_at is not None:
        return None
    updated = entry.model_copy(update={"retell_call_id": retell_call_id, "dialed_at": now})
    changes: dict[str, object] = {"attempts": _with_entry(call, index, updated)}
    if call.attempt == attempt and _is_latest_dial(call, index):
        changes["retell_call_id"] = retell_call_id
        changes["unplaced_dial_key"] = None  # placed: the key has done its work
        changes["unplaced_dial_at"] = None
    return call.model_copy(update=changes)


def dial_failed(call: Call, reason: str, outcome: CallOutcome = CallOutcome.DIAL_REJECTED) -> Call:
    """``initiated`` -> ``failed``: Retell refused the dial for good, the clinic's dialing settings are wrong, or
    (``LOST``) nobody could find out what became of the dial long after it."""
    attempts = list(call.attempts)
    if attempts and attempts[-1].number == call.attempt:
        attempts[-1] = attempts[-1].model_copy(update={"outcome": outcome})
    return call.model_copy(
        update={
            "status": CallStatus.FAILED,
            "outcome": outcome,
            "attempts": attempts,
            "status_reason": reason,
            "checked_at": None,
        }
    )


def same_step(call: Call, seen: Call) -> bool:
    """``call`` is still where ``seen`` was: same status, attempt, schedule and Retell call."""
    return (call.status, call.attempt, call.schedule_token, call.retell_call_id) == (
        seen.status,
        seen.attempt,
        seen.schedule_token,
        seen.retell_call_id,
    )


def checked(call: Call, seen: Call, now: datetime) -> Call | None:
    """The reconciler asked about ``seen`` and nothing had changed: note when, so it waits before asking again.
    Nothing to note if the call moved on meanwhile."""
    if not same_step(call, seen):
        return None
    return call.model_copy(update={"checked_at": now})


def dial_unresolved(call: Call, claimed: Call, reason: str) -> Call | None:
    """Still ``initiated``: Retell may or may not have placed the call, and we could not find out. The reason says
    so, and the reconciler (``shared.logic.reconciliation``) finds out later. Nothing to
    do if the call moved on meanwhile (Retell did place it, and its webhooks got there first)."""
    if (call.status, call.attempt, call.schedule_token) != (
        CallStatus.INITIATED,
        claimed.attempt,
        claimed.schedule_token,
    ):
        return None
    return call.model_copy(update={"status_reason": reason})


def connected(call: Call, attempt: int, retell_call_id: str, started_at: datetime | None) -> Call | None:
    """``initiated`` -> ``in_progress`` when the owner picks up (``call_started``)."""
    if call.attempt != attempt or call.status != CallStatus.INITIATED:
        return None
    index = _entry_index(call, attempt, retell_call_id)
    if not _is_latest_dial(call, index):
        return None  # an earlier dial of a re-queued attempt
    entry = call.attempts[index] if index is not None else CallAttempt(number=attempt)
    entry = entry.model_copy(update={"retell_call_id": retell_call_id, "started_at": started_at})
    return call.model_copy(
        update={
            "status": CallStatus.IN_PROGRESS,
            "attempts": _with_entry(call, index, entry),
            "retell_call_id": call.retell_call_id or retell_call_id,
        }
    )


def retry_time(
    ended_at: datetime, now: datetime, finished_attempt: int, policy: RetryPolicy, calendar: Calendar
) -> datetime:
    """When the next attempt goes: the backoff after the end of the attempt (never before now), moved into
    business hours."""
    earliest = max(ended_at, now) + timedelta(seconds=policy.delay_before_retry(finished_attempt))
    return calendar.next_open_slot(earliest)


def ended(
    call: Call,
    end: CallEnd,
    policy: RetryPolicy,
    calendar: Calendar,
    now: datetime,
    *,
    token: str,
    requeue_delay: timedelta,
) -> Call | None:
    """Apply the end of the attempt it reports. ``token`` names the schedule of the next attempt, if any.

    An end that looks like a conversation waits for the analysis when only the analysis can tell it from a
    voicemail and the clinic retries voicemails: the attempt stays open, its end recorded, until ``call_analyzed``
    (or the reconciler) brings ``in_voicemail``."""
    if not is_open_attempt(call, end.attempt):
        return None
    index = _entry_index(call, end.attempt, end.retell_call_id)
    if not _is_latest_dial(call, index):
        return None  # an earlier dial of a re-queued attempt
    entry = call.attempts[index] if index is not None else CallAttempt(number=end.attempt)
    entry = entry.model_copy(
        update={
            "retell_call_id": end.retell_call_id,
            "started_at": entry.started_at or end.started_at,
            "ended_at": end.ended_at or entry.ended_at or now,
            "disconnection_reason": end.disconnection_reason,
        }
    )
    changes: dict[str, object] = {"retell_call_id": end.retell_call_id, "checked_at": None}
    if end.transcript is not None:
        changes["transcript"] = keep_transcript(end.transcript)
    if end.has_recording:
        changes["has_recording"] = True

    last_attempt = call.attempt >= call.max_attempts
    if not last_attempt and needs_analysis_to_judge(end.disconnection_reason, policy, end.in_voicemail):
        if index is not None and call.attempts[index] == entry:
            return None  # the same end again
        return call.model_copy(
            update={
                **changes,
                "attempts": _with_entry(call, index, entry),
                "status_reason": "the call ended; waiting for Retell's analysis to tell the owner from a voicemail",
            }
        )

    verdict = judge_disconnection(end.disconnection_reason, policy, in_voicemail=end.in_voicemail)
    entry = entry.model_copy(update={"outcome": verdict.outcome})
    changes.update(
        attempts=_with_entry(call, index, entry),
        outcome=verdict.outcome,
        disconnection_reason=end.disconnection_reason,
    )

    disposition = verdict.disposition
    if disposition == Disposition.RETRY and last_attempt:
        # Out of retries. A voicemail was still a delivered message; silence and busy lines are a failure.
        disposition = Disposition.COMPLETE if verdict.outcome == CallOutcome.VOICEMAIL else Disposition.FAIL
        changes["status_reason"] = f"{verdict.outcome.replace('_', ' ')} after {call.max_attempts} attempts"
    if disposition == Disposition.REQUEUE and out_of_requeues(call):
        disposition = Disposition.FAIL
        changes["status_reason"] = "Retell had no free capacity for too long"

    if disposition == Disposition.COMPLETE:
        changes.setdefault("status_reason", None)
        return call.model_copy(update={**changes, "status": CallStatus.COMPLETED})
    if disposition == Disposition.FAIL:
        changes.setdefault("status_reason", f"the call could not be completed ({end.disconnection_reason})")
        return call.model_copy(update={**changes, "status": CallStatus.FAILED})
    if disposition == Disposition.RETRY:
        at = retry_time(end.ended_at or now, now, call.attempt, policy, calendar)
        return call.model_copy(
            update={
                **changes,
                "status": CallStatus.SCHEDULED,
                "attempt": call.attempt + 1,
                "scheduled_for": at,
                "next_retry_at": at,
                "schedule_token": token,
                "requeues": 0,
                "status_reason": f"retry {call.attempt} of {call.max_attempts - 1} after {verdict.outcome}",
            }
        )
    if disposition == Disposition.PAUSE:
        at = calendar.next_open_slot(now + max(requeue_delay, ACCOUNT_WAIT))
        reason = f"the Retell account could not place the call ({end.disconnection_reason}); waiting for it"
        return call.model_copy(
            update={
                **changes,
                "status": CallStatus.SCHEDULED,
                "scheduled_for": at,
                "schedule_token": token,
                "status_reason": reason,
            }
        )
    at = calendar.next_open_slot(now + requeue_delay)
    return call.model_copy(
        update={
            **changes,
            "status": CallStatus.SCHEDULED,
            "scheduled_for": at,
            "schedule_token": token,
            "requeues": call.requeues + 1,
            "status_reason": "Retell was at its concurrency limit; dialing again shortly",
        }
    )


def analyzed(call: Call, attempt: int, retell_call_id: str, analysis: CallAnalysis) -> Call | None:
    """Store Retell's post-call analysis on its dial, and on the call if that dial is the call's latest. The only
    change a terminal call accepts; a cancelled call accepts none. An analysis that finds a voicemail behind an end
    that looked like a conversation corrects the outcome (the status was right either way: both complete)."""
    if call.status == CallStatus.CANCELLED:
        return None
    index = _entry_index(call, attempt, retell_call_id)
    if index is None or call.attempts[index].analysis == analysis:
        return None
    entry = call.attempts[index]
    updates: dict[str, object] = {"analysis": analysis}
    voicemail = (
        analysis.in_voicemail
        and entry.outcome == CallOutcome.ANSWERED
        and entry.disconnection_reason in VOICEMAIL_LOOKALIKES
    )
    if voicemail:
        updates["outcome"] = CallOutcome.VOICEMAIL
    changes: dict[str, object] = {"attempts": _with_entry(call, index, entry.model_copy(update=updates))}
    if _is_latest_dial(call, index) or all(e.retell_call_id is None for e in call.attempts[index + 1 :]):
        changes["analysis"] = analysis
        if voicemail and call.outcome == CallOutcome.ANSWERED:
            changes["outcome"] = CallOutcome.VOICEMAIL
    return call.model_copy(update=changes)
