"""The reconciler: every few minutes, bring each call that may have gone astray back in line with what really
happened, by asking Retell, through the same lifecycle transitions the webhook uses.

It reads only the open-work index (``CallStore.due_for_check``: the calls whose check is due), so a run costs the
same whatever the size of the table. For each call, ``shared.domain.reconciliation.check_due`` says what to check:

* ``FIRE``: a due ``scheduled`` call whose schedule never fired (deleted, dead-lettered, lost) is fired now (the
  claim in execute is conditional, so a late original firing as well does nothing);
* ``FIND_DIAL``: a claimed attempt with no Retell call id (a crash after the claim, an unknown dial outcome) is
  looked up in Retell by its dial key. Found: attached and followed. Not found, this long after the claim (longer
  than execute can run, so the dial's request has ended): it never reached Retell as far as the listing shows, so
  the attempt is released to be dialed again, under the same idempotency key while Retell honours it (a listing
  that lags would otherwise make the redial a second call). Retell cannot say: asked again later, and after
  ``GIVE_UP`` failed with an alarm;
* ``READ_CALL`` / ``READ_ANALYSIS``: a dialed attempt that has not ended here, or an ended conversation whose
  analysis never came, is read with get-call and applied as if its webhook had arrived.

Every write is conditional on the call still being where it was read, so a webhook or a second reconciler acting on
the same call at the same time wins or loses cleanly, and repeating a repair changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from shared.domain import lifecycle
from shared.domain.calling_safety import DialWindow
from shared.domain.dialing import dial_key
from shared.domain.reconciliation import ANALYSIS_WAIT, TEXT_CHECKS, Check, check_due, given_up
from shared.logic.call_events import CallEventService
from shared.logic.call_writes import CallAccess
from shared.logic.ports import (
    Clock,
    Dialer,
    DialLeases,
    DialOutcomeUnknown,
    ExecuteInvoker,
    RetellUnavailable,
    TokenSource,
)
from shared.logic.text_repairs import TextRepairs
from shared.models.call import Call, CallOutcome
from shared.models.execution import ExecuteRequest, ExecuteTrigger
from shared.models.queries import CallRef
from shared.models.results import EventEffect, Repair
from shared.models.retell import RetellCall
from shared.observability import logger

ENDED_STATUSES = frozenset({"ended", "not_connected", "error"})
"""Retell's ``call_status`` values of a call that is over."""
BATCH_PER_SHARD = 100
"""Calls read per index shard and run; more wait for the next run (a backlog drains over a few runs)."""


@dataclass(frozen=True)
class ReconcileReport:
    checked: int = 0
    repairs: Counter[Repair] = field(default_factory=Counter)

    @property
    def repaired(self) -> int:
        return sum(count for repair, count in self.repairs.items() if repair not in {Repair.NOTHING, Repair.WAITING})


class Reconciler:
    def __init__(
        self,
        access: CallAccess,
        events: CallEventService,
        leases: DialLeases,
        invoker: ExecuteInvoker,
        retell: Callable[[], Dialer],
        texts: TextRepairs,
        *,
        clock: Clock,
        new_token: TokenSource,
    ):
        self._texts = texts
        self._calls = access.calls
        self._writer = access.writer
        self._settings = access.settings
        self._events = events
        self._leases = leases
        self._invoker = invoker
        self._retell = retell
        self._clock = clock
        self._new_token = new_token

    def run(self) -> ReconcileReport:
        """One pass over the calls whose check is due."""
        refs = self._calls.due_for_check(self._clock(), BATCH_PER_SHARD)
        repairs: Counter[Repair] = Counter(self.repair(ref) for ref in refs)
        return ReconcileReport(checked=len(refs), repairs=repairs)

    def repair(self, ref: CallRef, *, fire_if_due: bool = False) -> Repair:
        """Check one call. ``fire_if_due``: its schedule is known to have failed (a dead-letter queue said so), so a
        due ``scheduled`` call is fired without waiting for the grace period."""
        now = self._clock()
        call = self._calls.get(ref.clinic_id, ref.call_id)
        due = check_due(call) if call is not None else None
        if call is None or due is None:
            return Repair.NOTHING
        forced = fire_if_due and due.check == Check.FIRE and call.scheduled_for <= now
        if due.at > now and not forced:
            return Repair.NOTHING
        if due.check in TEXT_CHECKS:
            try:
                return self._texts.repair(call, due.check, now)
            except RetellUnavailable as error:
                logger.warning(
                    "Retell could not answer about a text", extra={"call_id": call.call_id, "error": str(error)}
                )
                return self._texts.unanswered(call, now)
        try:
            if due.check == Check.FIRE:
                return self._fire(call, now)
            if due.check == Check.FIND_DIAL:
                return self._find_dial(call, now)
            return self._read_call(call, now)
        except (RetellUnavailable, DialOutcomeUnknown) as error:
            logger.warning(
                "Retell could not answer the reconciler", extra={"call_id": call.call_id, "error": str(error)}
            )
            return self._unanswered(call, now)

    # -- the checks ------------------------------------------------------------------------------------------------

    def _fire(self, call: Call, now: datetime) -> Repair:
        if self._note_checked(call, now) is None:
            return Repair.NOTHING  # moved on meanwhile: its schedule did fire
        request = ExecuteRequest(
            call_id=call.call_id,
            clinic_id=call.clinic_id,
            attempt=call.attempt,
            token=call.schedule_token,
            scheduled_time=call.scheduled_for,
            trigger=ExecuteTrigger.SCHEDULE,
        )
        self._invoker.invoke(request)
        logger.warning("fired an attempt whose schedule never did", extra={"call_id": call.call_id})
        return Repair.FIRED

    def _find_dial(self, call: Call, now: datetime) -> Repair:
        retell_call_id = self._retell().find(dial_key(call))
        if retell_call_id is not None:
            written = self._writer.apply(
                call.clinic_id,
                call.call_id,
                lambda current: lifecycle.dialed(current, call.attempt, retell_call_id, now),
                now,
            )
            logger.info("found a dial in Retell", extra={"call_id": call.call_id, "retell_call_id": retell_call_id})
            if written.after is not None:
                self._read_call(written.after, now)
            return Repair.FOUND
        return self._release(call, now)

    def _release(self, call: Call, now: datetime) -> Repair:
        """The dial never reached Retell (as far as list-calls shows): the same attempt goes again as soon as the
        clinic is open and the owner is inside calling hours, under the same idempotency key while Retell honours it,
        so that a listing that lagged cannot make it ring the owner twice (``shared.domain.dialing.dial_key``)."""
        calendar = DialWindow.for_call(self._settings.current(call.clinic_id), call.phone_number)
        token = self._new_token()
        slot = calendar.next_open_slot(now)
        reason = "the dial never reached Retell; dialing again"
        key = dial_key(call)
        written = self._writer.apply(
            call.clinic_id,
            call.call_id,
            lambda current: (
                lifecycle.not_placed(current, slot, token, reason, key) if lifecycle.same_step(current, call) else None
            ),
            now,
        )
        if written.after is None:
            return Repair.NOTHING
        self._leases.release(call.clinic_id, call.call_id)
        logger.warning("released an attempt that never reached Retell", extra={"call_id": call.call_id})
        return Repair.RELEASED

    def _read_call(self, call: Call, now: datetime) -> Repair:
        entry = call.attempt_entry_latest(call.attempt) if not call.status.is_terminal else call.attempts[-1]
        if entry is None or entry.retell_call_id is None:
            return Repair.NOTHING
        retell_call = self._retell().get_call(entry.retell_call_id)
        if retell_call is None:
            raise RetellUnavailable("Retell does not know the call it gave us")
        effect = self._apply(retell_call, entry.ended_at, now)
        if effect in {EventEffect.NO_CHANGE, EventEffect.IGNORED, EventEffect.UNKNOWN_CALL}:
            self._note_checked(call, now)
            return Repair.WAITING
        logger.info("applied Retell's state", extra={"call_id": call.call_id, "effect": effect})
        return Repair.APPLIED

    def _apply(self, retell_call: RetellCall, ended_here: datetime | None, now: datetime) -> EventEffect:
        """Retell's state as the webhook events it amounts to, in their order."""
        if retell_call.call_analysis is not None:
            return self._events.apply_state("call_analyzed", retell_call).effect
        if retell_call.call_status in ENDED_STATUSES:
            ended = retell_call.ended_at or ended_here or now
            give_up_analysis = now >= ended + ANALYSIS_WAIT * 3
            return self._events.apply_state("call_ended", retell_call, analysis_given_up=give_up_analysis).effect
        if retell_call.started_at is not None:
            return self._events.apply_state("call_started", retell_call).effect
        return EventEffect.NO_CHANGE  # registered, not yet ringing: wait

    def _unanswered(self, call: Call, now: datetime) -> Repair:
        """Retell could not say what became of the dial: ask again later; after ``GIVE_UP``, fail it loudly."""
        if call.status.is_terminal or not given_up(call, now):
            self._note_checked(call, now)
            return Repair.WAITING
        reason = "nobody could find out from Retell what became of the dial; check the call in Retell"
        written = self._writer.apply(
            call.clinic_id,
            call.call_id,
            lambda current: (
                lifecycle.dial_failed(current, reason, CallOutcome.LOST) if lifecycle.same_step(current, call) else None
            ),
            now,
        )
        if written.after is None:
            return Repair.NOTHING
        self._leases.release(call.clinic_id, call.call_id)
        logger.error("gave up on a dial nobody could account for", extra={"call_id": call.call_id})
        return Repair.LOST

    def _note_checked(self, call: Call, now: datetime) -> Call | None:
        return self._writer.apply(
            call.clinic_id, call.call_id, lambda current: lifecycle.checked(current, call, now), now
        ).after
