"""Writing a call's next state together with the one-shot schedule it needs, in the order that survives crashes.

(1) place the new schedule, (2) write the call on the condition that nobody changed it since it was read, (3) remove
the schedule the write replaced (but not the schedule whose firing claims the attempt: it deletes itself). A crash
after (1) leaves an orphan schedule: it fires, finds its token is not the call's, does nothing and deletes itself.
A crash after (2) leaves the replaced schedule, equally stale. Because (1) precedes (2), every stored ``scheduled``
call has a live schedule for its token. A write that loses the race withdraws the schedule it placed (its token is
random, so it can only be its own).

(4) A write that ended a dial (or corrected its outcome) adds it to the answer counts, only once the conditional
write has won: a repeated webhook, a racing reconciler or a second Scheduler delivery find the attempt already ended
and write nothing, so nothing is counted twice. A crash (or a failed addition) between (2) and (4) loses that one
dial's count, never more; the counts are statistics, and a lost one only nudges an hour's rate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared.domain import answer_rates, follow_up, retention, texts
from shared.domain.follow_up import reasons_for
from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.ports import (
    AnswerCounters,
    AttemptScheduler,
    CallStore,
    IdempotencyRecord,
    NoReadAhead,
    PendingAttempt,
    ReadAhead,
    StaleWrite,
    TextTallies,
    TokenSource,
    new_schedule_token,
    schedule_name,
    text_schedule_name,
)
from shared.models.call import Call, CallStatus
from shared.models.execution import ExecuteAction
from shared.models.settings import ClinicSettings
from shared.models.texts import TextStatus
from shared.observability import logger

MAX_WRITE_ROUNDS = 5

Transition = Callable[[Call], Call | None]


@dataclass(frozen=True)
class Written:
    before: Call | None  # the call as read (None: it does not exist in that clinic)
    after: Call | None  # the call as written (None: the transition had nothing to do)


def current_schedule_name(call: Call) -> str:
    return schedule_name(call.call_id, call.attempt, call.schedule_token)


class CallWriter:
    """``min_lead``: schedules are never set closer than this to now. Scheduler fires with one-minute precision
    and may reject an ``at()`` time that has passed by the time the request reaches it (60 s in AWS; the local
    stack, whose scheduler loop fires to the second, uses 1 s: ``SCHEDULER_MIN_LEAD_SECONDS``)."""

    def __init__(
        self,
        calls: CallStore,
        scheduler: AttemptScheduler,
        min_lead: timedelta,
        settings: Callable[[str], ClinicSettings] | None = None,
        new_token: TokenSource = new_schedule_token,
        text_tallies: TextTallies | None = None,
        answers: AnswerCounters | None = None,
    ):
        self._text_tallies = text_tallies
        self._answers = answers
        self._calls = calls
        self._scheduler = scheduler
        self._min_lead = min_lead
        self._settings = settings or (lambda _clinic_id: ClinicSettings())
        self._new_token = new_token

    def _flagged(self, new: Call, now: datetime) -> Call:
        """A call that is (or stays) terminal gets its follow-up reasons at the write that makes it so, or that
        brings its analysis (or its text's): every path to an end (webhook, reconciler, executor) goes through here.
        The clinic's rules are read only then."""
        if not reasons_for(new):
            return new
        return follow_up.flag(new, self._settings(new.clinic_id).follow_up_rules, now)

    def _with_text(self, new: Call, now: datetime) -> Call:
        """The write that ends a call unanswered plans its text, if the clinic texts then (``shared.domain.texts``);
        the clinic's settings are read only for such a write."""
        if new.text is not None or texts.trigger_of(new) is None:
            return new
        return texts.planned(new, self._settings(new.clinic_id), now, self._new_token())

    def _tally_text(self, before: Call, after: Call, now: datetime) -> None:
        """Counted after the write that moved the text won, so a repeated event never counts twice; a crash between
        the two loses one count of a statistic, never a call's state."""
        sent, replied = texts.tally(before, after)
        if self._text_tallies is None or not (sent or replied):
            return
        day = now.astimezone(ZoneInfo(self._settings(after.clinic_id).timezone)).date()
        try:
            self._text_tallies.add(after.clinic_id, day, sent=sent, replied=replied)
        except Exception:  # a statistic: the call's own write has succeeded, and is what matters
            logger.exception("could not count a text", extra={"call_id": after.call_id})

    def pending_text(self, call: Call, now: datetime) -> PendingAttempt:
        assert call.text is not None
        assert call.text.scheduled_for is not None
        assert call.text_token is not None
        return PendingAttempt(
            call_id=call.call_id,
            clinic_id=call.clinic_id,
            attempt=call.attempt,
            token=call.text_token,
            fire_at=max(call.text.scheduled_for, now + self._min_lead),
            action=ExecuteAction.TEXT,
        )

    def pending_attempt(self, call: Call, now: datetime) -> PendingAttempt:
        return PendingAttempt(
            call_id=call.call_id,
            clinic_id=call.clinic_id,
            attempt=call.attempt,
            token=call.schedule_token,
            fire_at=max(call.scheduled_for, now + self._min_lead),
        )

    def create(self, call: Call, idempotency: IdempotencyRecord | None, now: datetime) -> None:
        """Place the new call's schedule, then store the call (with its lock and idempotency record); a store that
        refuses (a duplicate, a used key) withdraws the schedule and the error goes on to the caller."""
        pending = self.pending_attempt(call, now)
        self._scheduler.place(pending)
        try:
            self._calls.create(call, idempotency)
        except BaseException:
            self._scheduler.remove(pending.schedule_name)
            raise

    def save(self, new: Call, expected: Call, now: datetime, *, schedule_fired: bool = False) -> Call:
        """Write ``new`` over ``expected`` (raises ``StaleWrite`` if it changed), keeping schedules in step.
        ``schedule_fired``: the write claims the attempt for the schedule that just fired, which deletes itself."""
        new = retention.texts_stay_removed(self._flagged(self._with_text(new, now), now))
        final_at = new.final_at or (now if new.status.is_terminal else None)
        new = new.model_copy(update={"version": expected.version + 1, "updated_at": now, "final_at": final_at})
        needs_schedule = new.status == CallStatus.SCHEDULED and (
            expected.status != CallStatus.SCHEDULED or new.schedule_token != expected.schedule_token
        )
        placed = [self.pending_attempt(new, now)] if needs_schedule else []
        if _text_waits(new) and new.text_token != expected.text_token:
            placed.append(self.pending_text(new, now))
        for pending in placed:
            self._scheduler.place(pending)
        try:
            self._calls.replace(new, expected=expected)
        except BaseException:
            for pending in placed:
                self._scheduler.remove(pending.schedule_name)
            raise
        if _text_waits(expected) and expected.text_token is not None and new.text_token != expected.text_token:
            self._scheduler.remove(text_schedule_name(expected.call_id, expected.text_token))
        self._tally_text(expected, new, now)
        claimed_by_its_schedule = schedule_fired and new.status == CallStatus.INITIATED
        replaced = (
            expected.status == CallStatus.SCHEDULED
            and (new.status != CallStatus.SCHEDULED or new.schedule_token != expected.schedule_token)
            and not claimed_by_its_schedule  # that schedule deletes itself (ActionAfterCompletion=DELETE)
        )
        if replaced:
            self._scheduler.remove(current_schedule_name(expected))
        self._count_answers(expected, new, now)
        return new

    def _count_answers(self, before: Call, after: Call, now: datetime) -> None:
        if self._answers is None:
            return
        tallies = answer_rates.tally(before, after, now)
        if not tallies:
            return
        try:
            self._answers.add(after.clinic_id, tallies)
        except Exception:  # the call's write stands; only this dial's count is lost
            logger.exception("answer counts not added", extra={"call_id": after.call_id})

    def apply(
        self,
        clinic_id: str,
        call_id: str,
        transition: Transition,
        now: datetime,
        *,
        schedule_fired: bool = False,
        known: Call | None = None,
    ) -> Written:
        """Read, transition, save; on a lost race re-decide on the call as it is now (the transition is pure, so
        deciding twice is safe). Stops when the transition has nothing to do. ``known``: the call as this writer last
        wrote it, tried without reading it first (a lost race hands back the call as stored, so it costs no read)."""
        current = known
        for _ in range(MAX_WRITE_ROUNDS):
            if current is None:
                current = self._calls.get(clinic_id, call_id)
            if current is None:
                return Written(None, None)
            new = transition(current)
            if new is None:
                return Written(current, None)
            try:
                return Written(current, self.save(new, current, now, schedule_fired=schedule_fired))
            except StaleWrite as lost:
                current = lost.current if lost.current is not None and lost.current.clinic_id == clinic_id else None
                continue
        raise StaleWrite(None)


def _text_waits(call: Call) -> bool:
    return call.text is not None and call.text.status == TextStatus.SCHEDULED


@dataclass(frozen=True)
class CallAccess:
    """What a service that moves calls along reads and writes them through: the calls, the writer (a call with its
    schedules), the clinics' settings, and the read of a step's items in one request (``read_ahead``)."""

    calls: CallStore
    writer: CallWriter
    settings: ClinicSettingsService
    read_ahead: ReadAhead = field(default_factory=NoReadAhead)
