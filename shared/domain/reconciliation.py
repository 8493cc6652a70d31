"""When a call needs the reconciler, and what it should ask Retell: pure rules over a stored call.

A call is *open work* while something about it may still change without us knowing: a schedule that may not fire,
a dial that may or may not have reached Retell, a call that may have ended without its webhook reaching us, an
analysis that may never come. ``check_due`` gives the time after which the reconciler should look (the call's
place in the sparse open-work index) and what to look for; a call that needs nothing is not in the index at all.
The bounds are generous on purpose: the reconciler is the safety net, and webhooks do the work within seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.domain.lifecycle import EARLY_TOLERANCE
from shared.domain.texts import CHAT_ANALYSIS_WAIT, CHAT_LONGEST, CHAT_SETTLE
from shared.models.call import Call, CallAttempt, CallStatus
from shared.models.texts import TextStatus

SCHEDULE_GRACE = timedelta(minutes=3)
"""Scheduler fires a one-shot schedule within its minute; a ``scheduled`` call this late has lost its schedule."""
EXECUTE_TIMEOUT = timedelta(seconds=210)
"""The execute function's Lambda timeout (``infra/functions.py``): one dial of ``dialing.CREATE_CALL_BUDGET``
(120 s, plus a 3 s connect), then, if its outcome is unknown, one look-up by list-calls (two tries of a 3 s connect
and a 10 s read, about 27 s), and the writes around them (the claim, the step's reads, the dialing lease, the dial
cap; the attempt's record after: about 25 s at worst, milliseconds as a rule): 175 s, with a margin."""
DIAL_SETTLE = timedelta(minutes=5)
"""Longer than the execute function's timeout: a claim this old has no execute still dialing for it, and the dial it
made (started after the claim) has had its whole ``CREATE_CALL_BUDGET``, so a redial of it cannot overlap it. A call
Retell placed but lists later than this is still not rung twice: the redial reuses the dial's idempotency key
(``shared.domain.dialing.dial_key``)."""
RING_LIMIT = timedelta(minutes=3)
"""A dial nobody answers has ended by now (Retell rings for at most a couple of minutes), and one that was answered
has sent ``call_started``: a dial still ``initiated`` this long after is asked about (a live call found this way
moves to ``in_progress`` and is asked about again after ``LONGEST_CALL``)."""
LONGEST_CALL = timedelta(minutes=15)
"""The agent's ``max_call_duration_ms`` (``make retell-agent`` sets 10 minutes) plus a margin."""
ANALYSIS_WAIT = timedelta(minutes=10)
"""Retell's analysis follows the end within a minute or two; this long without it, ask for it."""
RECHECK = timedelta(minutes=5)
"""After asking and finding nothing to change, ask again no sooner than this."""
GIVE_UP = timedelta(hours=2)
"""How long to keep asking about a dial nobody can account for, or an analysis that does not come."""


class Check(StrEnum):
    FIRE = "fire"  # scheduled and due, but its schedule never fired: fire it
    FIND_DIAL = "find_dial"  # claimed, no Retell call id: did the dial reach Retell?
    READ_CALL = "read_call"  # dialed, not ended here: what does Retell say?
    READ_ANALYSIS = "read_analysis"  # ended, its analysis never came: ask for it
    # The call's text, once the call is final
    FIRE_TEXT = "fire_text"  # a text due whose schedule never fired: fire it
    FIND_CHAT = "find_chat"  # a claimed text with no chat id: did it reach Retell?
    READ_CHAT = "read_chat"  # a text not over here, or over without its analysis: what does Retell say?


TEXT_CHECKS = frozenset({Check.FIRE_TEXT, Check.FIND_CHAT, Check.READ_CHAT})


@dataclass(frozen=True)
class Due:
    check: Check
    at: datetime


def latest_dial(call: Call) -> CallAttempt | None:
    """The history entry of the call's current attempt, if it has been claimed."""
    return call.current_attempt()


def check_due(call: Call) -> Due | None:
    """What the reconciler should check about ``call`` and from when; ``None``: nothing (the call is not open work)."""
    due = _base(call)
    if due is None:
        return None
    if call.checked_at is not None:
        due = Due(due.check, max(due.at, call.checked_at + RECHECK))
    return due


INDEX_LEAD = min(RING_LIMIT, DIAL_SETTLE, SCHEDULE_GRACE) - EARLY_TOLERANCE
"""How long after ``scheduledFor`` an attempt's first check can fall due at the earliest: a claim comes at most
``EARLY_TOLERANCE`` before the call's time, and every check of a dial comes at least this long after its claim."""


def index_at(call: Call) -> datetime | None:
    """The call's place in the open-work index: a time no later than ``check_due``'s (the reconciler reads the call
    and asks ``check_due`` again, so an early place costs a read, never a missed check). For one attempt, from its
    schedule until the reconciler first asks about it, that place is ``scheduledFor`` plus ``INDEX_LEAD``, whatever
    step the attempt is at (scheduled, claimed, dialed, connected, ended, awaiting its analysis): the index is written
    when the attempt is scheduled and when it stops being open work, not at every step between (each move is a
    delete and a put in the index). The early reads this costs are of calls in flight, which the dialing leases bound.
    """
    due = check_due(call)
    if due is None:
        return None
    if call.checked_at is not None or due.check in TEXT_CHECKS:  # a text's checks come long after its call's time
        return due.at
    return min(due.at, call.scheduled_for + INDEX_LEAD)


def _base(call: Call) -> Due | None:
    entry = latest_dial(call)
    if call.status == CallStatus.SCHEDULED:
        return Due(Check.FIRE, call.scheduled_for + SCHEDULE_GRACE)
    if call.status in {CallStatus.INITIATED, CallStatus.IN_PROGRESS}:
        if entry is None or entry.retell_call_id is None:
            claimed = entry.claimed_at if entry and entry.claimed_at else call.updated_at
            return Due(Check.FIND_DIAL, claimed + DIAL_SETTLE)
        if entry.ended_at is not None:  # ended, waiting for the analysis to judge it (a possible voicemail)
            return Due(Check.READ_CALL, entry.ended_at + ANALYSIS_WAIT)
        if entry.started_at is not None or call.status == CallStatus.IN_PROGRESS:
            return Due(Check.READ_CALL, (entry.started_at or entry.dialed_at or call.updated_at) + LONGEST_CALL)
        return Due(Check.READ_CALL, (entry.dialed_at or entry.claimed_at or call.updated_at) + RING_LIMIT)
    if call.status in {CallStatus.COMPLETED, CallStatus.FAILED} and _awaits_analysis(call, entry):
        ended_at = entry.ended_at if entry is not None and entry.ended_at is not None else call.updated_at
        if call.checked_at is not None and call.checked_at >= ended_at + GIVE_UP:
            return _text_due(call)  # asked long enough; the call is final without it
        return Due(Check.READ_ANALYSIS, ended_at + ANALYSIS_WAIT)
    if call.status.is_terminal:
        return _text_due(call)
    return None


def _text_due(call: Call) -> Due | None:
    text = call.text
    if text is None:
        return None
    if text.status == TextStatus.SCHEDULED and text.scheduled_for is not None:
        return Due(Check.FIRE_TEXT, text.scheduled_for + SCHEDULE_GRACE)
    if text.status == TextStatus.SENT and text.chat_id is None:
        return Due(Check.FIND_CHAT, (call.text_claimed_at or call.updated_at) + CHAT_SETTLE)
    if text.status == TextStatus.SENT:
        return Due(Check.READ_CHAT, (text.started_at or call.updated_at) + CHAT_LONGEST)
    if text.status in {TextStatus.REPLIED, TextStatus.ENDED} and text.analysis is None and text.ended_at is not None:
        if call.checked_at is not None and call.checked_at >= text.ended_at + GIVE_UP:
            return None  # asked long enough: the text is final without its analysis
        return Due(Check.READ_CHAT, text.ended_at + CHAT_ANALYSIS_WAIT)
    return None


def _awaits_analysis(call: Call, entry: CallAttempt | None) -> bool:
    """Only a conversation's analysis matters to the clinic (how the pet is doing); a dial that never connected
    has nothing to analyse."""
    return (
        entry is not None
        and entry.retell_call_id is not None
        and entry.started_at is not None
        and entry.ended_at is not None
        and entry.analysis is None
    )


def given_up(call: Call, now: datetime) -> bool:
    """A dial we have asked about for ``GIVE_UP`` without an answer: fail it (with an alarm) rather than leave it
    open forever."""
    entry = latest_dial(call)
    if entry is None:
        return call.updated_at + GIVE_UP <= now
    since = entry.dialed_at or entry.claimed_at or call.updated_at
    return since + GIVE_UP <= now
