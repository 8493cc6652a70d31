"""Executing an attempt when its schedule fires (or "call now" asks): claim, check, take a lease, dial.

Never call an owner twice by mistake:

* The attempt is claimed first, with a conditional write (``scheduled`` with this attempt and schedule token ->
  ``initiated``). A duplicate delivery, a replaced schedule, a cancelled call all lose the claim and do nothing.
* The function's own async retries are 0 (infrastructure), so AWS never re-runs a dial; an unexpected crash after
  the claim leaves the call ``initiated`` with no Retell call id, for the reconciler, not for a second dial.
* Retell gets an idempotency key unique to this dial, and the dial its whole budget (``CREATE_CALL_BUDGET``). A dial
  whose outcome is unknown (timeout, dropped connection, 408, 409, 5xx) is looked for by our metadata; not found, it
  is **never resent** here: the first request may still be running at Retell, and Retell honours the key only for
  retries of a finished request (a resend in flight is a second call). The call stays ``initiated`` with the
  reason, and the reconciler asks Retell again after ``DIAL_SETTLE``, once the first request has certainly ended
  (and redials, under the same key, only a dial Retell still does not know), with an alarm.

When the Retell account itself refuses (401, 402, 403), the call is not at fault: the account's breaker opens (one
alarm), the attempt waits without using anything up, and while the breaker is open one execute at a time, every
``ACCOUNT_WAIT``, dials as a probe; the first dial Retell accepts closes it and dialing resumes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from shared.domain import lifecycle
from shared.domain.calling_safety import DialWindow
from shared.domain.dialing import DialDefaults, DialMisconfigured, DialSpec, dial_spec, stale_dial_key
from shared.logic.call_writes import CallAccess
from shared.logic.ports import (
    AccountBreaker,
    BreakerState,
    Clock,
    DialAccountBlocked,
    DialCap,
    Dialer,
    DialLeases,
    DialOutcomeUnknown,
    DialRateLimited,
    DialRejected,
    DoNotCallStore,
    LeaseLimits,
    StaleWrite,
    TokenSource,
)
from shared.models.call import Call
from shared.models.errors import NoOpenSlot
from shared.models.execution import ExecuteRequest, ExecuteTrigger, ExecutionResult
from shared.observability import logger

QUEUE_REASONS = {
    ExecutionResult.MOVED: lifecycle.QueueReason.CLOSED,
    ExecutionResult.REQUEUED: lifecycle.QueueReason.NO_LEASE,
    ExecutionResult.ACCOUNT_BLOCKED: lifecycle.QueueReason.ACCOUNT,
    ExecutionResult.PAUSED: lifecycle.QueueReason.ACCOUNT,
    ExecutionResult.CAPPED: lifecycle.QueueReason.DIAL_CAP,
}


@dataclass(frozen=True)
class Execution:
    result: ExecutionResult
    call: Call | None = None
    detail: str = ""


@dataclass(frozen=True)
class DialGuards:
    """What may keep a claimed attempt from dialing now: the dialing leases (at most ``lease_limits(clinic's
    maxConcurrentCalls)`` in flight), the Retell account's breaker, the number's dial cap, the clinic's do-not-call
    list."""

    leases: DialLeases
    lease_limits: Callable[[int], LeaseLimits]
    breaker: AccountBreaker
    dial_cap: DialCap
    do_not_call: DoNotCallStore


@dataclass(frozen=True)
class Dialing:
    """Retell (a client for its current key), and the agent and number a dial uses where the clinic sets none."""

    dialer: Callable[[], Dialer]
    defaults: DialDefaults


class CallExecutor:
    def __init__(
        self,
        access: CallAccess,
        guards: DialGuards,
        dialing: Dialing,
        *,
        clock: Clock,
        new_token: TokenSource,
        rng: random.Random | None = None,
    ):
        self._read_ahead = access.read_ahead
        self._writer = access.writer
        self._settings = access.settings
        self._do_not_call = guards.do_not_call
        self._dial_cap = guards.dial_cap
        self._leases = guards.leases
        self._lease_limits = guards.lease_limits
        self._breaker = guards.breaker
        self._dialer = dialing.dialer
        self._defaults = dialing.defaults
        self._clock = clock
        self._new_token = new_token
        self._rng = rng or random.Random()

    def execute(self, request: ExecuteRequest) -> Execution:
        now = self._clock()
        claimed = self._writer.apply(
            request.clinic_id,
            request.call_id,
            lambda call: lifecycle.claim(call, request.attempt, request.token, now),
            now,
            schedule_fired=request.trigger == ExecuteTrigger.SCHEDULE,
        )
        if claimed.after is None:
            return self._skipped(request, claimed.before)
        call = claimed.after
        # What the checks below read (settings, do-not-call, the breaker, the number's dials), in one request.
        with self._read_ahead.for_dial(call.clinic_id, call.phone_number):
            return self._dial_claimed(call, now)

    def _dial_claimed(self, call: Call, now: datetime) -> Execution:
        settings = self._settings.current(call.clinic_id)
        calendar = DialWindow.for_call(settings, call.phone_number)

        listed = self._do_not_call.get(call.clinic_id, call.phone_number)
        if listed is not None:
            return self._cancel(
                call, f"not dialed: the number is on the clinic's do-not-call list ({listed.reason})", now
            )

        if not calendar.is_open(now):
            try:
                slot = calendar.next_open_slot(now)
            except NoOpenSlot as error:
                return self._fail(call, f"cannot dial: {error.message}", now)
            reason = (
                "moved into business hours"
                if not calendar.clinic.is_open(now)
                else f"moved into the owner's calling hours ({calendar.describe_owner_hours()})"
            )
            return self._back_to_queue(call, slot, ExecutionResult.MOVED, reason, now)

        try:
            spec = dial_spec(call, settings, self._defaults)
        except DialMisconfigured as error:
            return self._fail(call, f"cannot dial: {error}", now)

        breaker = self._breaker.state()
        if breaker.open and not self._breaker.take_probe(now, now + lifecycle.ACCOUNT_WAIT):
            return self._wait_for_account(call, breaker, calendar, now)

        stale = stale_dial_key(call)
        if stale is not None:  # past its key's window: a new key, unless Retell lists the old dial by now
            try:
                found = self._dialer().find(stale)
            except DialOutcomeUnknown:
                slot = calendar.next_open_slot(now + lifecycle.requeue_delay(self._rng))
                reason = "Retell could not say whether an earlier dial of this attempt was placed; asking again shortly"
                return self._back_to_queue(call, slot, ExecutionResult.REQUEUED, reason, now)
            if found is not None:
                logger.warning(
                    "an earlier dial was placed after all; not dialed again", extra={"call_id": call.call_id}
                )
                return self._dialed(call, found, now)

        if not self._leases.acquire(
            call.clinic_id, call.call_id, call.attempt, self._lease_limits(settings.max_concurrent_calls), now
        ):
            slot = calendar.next_open_slot(now + lifecycle.requeue_delay(self._rng))
            return self._back_to_queue(
                call, slot, ExecutionResult.REQUEUED, "all dialing leases taken; dialing again shortly", now
            )

        limit = settings.max_dials_per_number
        frees_at = self._dial_cap.take(call.clinic_id, call.phone_number, spec.idempotency_key, limit, now)
        if frees_at is not None:
            self._leases.release(call.clinic_id, call.call_id)
            reason = f"this number was dialed {limit} times in the last 24 hours; dialing again when that allows"
            return self._back_to_queue(call, calendar.next_open_slot(frees_at), ExecutionResult.CAPPED, reason, now)

        try:
            retell_call_id = self._dial_once(spec)
        except DialRateLimited:
            self._give_back(call, spec)
            self._leases.release(call.clinic_id, call.call_id)
            slot = calendar.next_open_slot(now + lifecycle.requeue_delay(self._rng))
            return self._back_to_queue(
                call,
                slot,
                ExecutionResult.REQUEUED,
                "Retell is at capacity (429); dialing again shortly",
                now,
                key_answered=True,
            )
        except DialAccountBlocked as error:
            self._give_back(call, spec)
            self._leases.release(call.clinic_id, call.call_id)
            self._breaker.trip(str(error), now, now + lifecycle.ACCOUNT_WAIT)
            logger.error("Retell account cannot place calls", extra={"status": error.status})
            slot = calendar.next_open_slot(now + lifecycle.ACCOUNT_WAIT + lifecycle.requeue_delay(self._rng))
            reason = f"the Retell account cannot place calls ({error}); dialing resumes when it can"
            return self._back_to_queue(call, slot, ExecutionResult.ACCOUNT_BLOCKED, reason, now, key_answered=True)
        except DialRejected as error:
            self._give_back(call, spec)
            self._leases.release(call.clinic_id, call.call_id)
            return self._fail(call, f"Retell refused the call: {error}", now)
        except DialOutcomeUnknown as error:
            # The lease stays: the call may be live. It expires if it is not.
            reason = f"dial outcome unknown ({error}); not redialed, awaiting reconciliation"
            written = self._writer.apply(
                call.clinic_id, call.call_id, lambda current: lifecycle.dial_unresolved(current, call, reason), now
            )
            if written.after is None:  # its webhooks got there first: Retell did place it
                return Execution(ExecutionResult.DIALED, written.before, "placed; its webhooks arrived first")
            logger.error("dial outcome unknown", extra={"call_id": call.call_id, "attempt": call.attempt})
            return Execution(ExecutionResult.UNRESOLVED, written.after, reason)

        if breaker.open:
            self._breaker.reset()
            logger.info("Retell account placed a call again; dialing resumes")
        return self._dialed(call, retell_call_id, now)

    # -- internals -----------------------------------------------------------------------------------------------

    def _dialed(self, call: Call, retell_call_id: str, now: datetime) -> Execution:
        written = self._writer.apply(
            call.clinic_id,
            call.call_id,
            lambda current: lifecycle.dialed(current, call.attempt, retell_call_id, self._clock()),
            now,
            known=call,  # as the claim wrote it; a webhook that came first makes the write lose and read it back
        )
        logger.info(
            "call dialed",
            extra={"call_id": call.call_id, "attempt": call.attempt, "retell_call_id": retell_call_id},
        )
        return Execution(ExecutionResult.DIALED, written.after or call, retell_call_id)

    def _give_back(self, call: Call, spec: DialSpec) -> None:
        """Retell placed no call: the dial does not count against the number's cap."""
        self._dial_cap.give_back(call.clinic_id, call.phone_number, spec.idempotency_key)

    def _cancel(self, call: Call, reason: str, now: datetime) -> Execution:
        cancelled = self._writer.apply(
            call.clinic_id,
            call.call_id,
            lambda current: (
                lifecycle.cancelled_before_dial(current, reason) if lifecycle.same_step(current, call) else None
            ),
            now,
        )
        logger.info("call cancelled before dialing", extra={"call_id": call.call_id, "reason": "do_not_call"})
        return Execution(ExecutionResult.CANCELLED, cancelled.after, reason)

    def _dial_once(self, spec: DialSpec) -> str:
        """Dial once; if the outcome is unknown, look for the call by our metadata (a request Retell answered with an
        error after placing it, a listing quick enough), else ``DialOutcomeUnknown``. Never a resend: it could reach
        Retell while the first request is still being answered, and place a second call."""
        dialer = self._dialer()
        try:
            return dialer.dial(spec)
        except DialOutcomeUnknown as first:
            logger.warning(
                "dial outcome unknown; looking for it", extra={"dial_key": spec.idempotency_key, "error": str(first)}
            )
            found = dialer.find(spec.idempotency_key)
            if found is not None:
                return found
            raise

    def _skipped(self, request: ExecuteRequest, current: Call | None) -> Execution:
        if current is None:
            detail = "no such call in this clinic"
        elif current.status.is_terminal:
            detail = f"call is {current.status}"
        elif current.attempt != request.attempt or current.schedule_token != request.token:
            detail = "stale schedule (the call was moved, retried or already claimed)"
        elif current.scheduled_for > self._clock() + lifecycle.EARLY_TOLERANCE:
            detail = f"not due until {current.scheduled_for.isoformat()}"
        else:
            detail = f"call is {current.status}"
        logger.info("execute skipped", extra={"call_id": request.call_id, "attempt": request.attempt, "reason": detail})
        return Execution(ExecutionResult.SKIPPED, current, detail)

    def _wait_for_account(self, call: Call, breaker: BreakerState, calendar: DialWindow, now: datetime) -> Execution:
        """The account's breaker is open and another execute holds the probe: wait until after the next probe."""
        after_probe = max(breaker.probe_at or now, now) + lifecycle.requeue_delay(self._rng)
        reason = f"the Retell account cannot place calls ({breaker.reason}); dialing resumes when it can"
        return self._back_to_queue(call, calendar.next_open_slot(after_probe), ExecutionResult.PAUSED, reason, now)

    def _back_to_queue(
        self,
        call: Call,
        slot: datetime,
        result: ExecutionResult,
        reason: str,
        now: datetime,
        *,
        key_answered: bool = False,
    ) -> Execution:
        """``key_answered``: Retell refused the dial outright (429, the account), so it placed nothing under its key,
        and the attempt's next dial takes a new one."""
        token = self._new_token()
        why = QUEUE_REASONS[result]
        if why == lifecycle.QueueReason.NO_LEASE and lifecycle.out_of_requeues(call):
            return self._fail(call, "no dialing lease came free for too long", now)
        queued = lifecycle.back_to_queue(call, slot, token, reason, why)
        if key_answered:
            queued = lifecycle.key_answered(queued)
        try:
            saved = self._writer.save(queued, call, now)
        except StaleWrite:  # only the claimer writes an initiated call; a lost write means someone else acted
            logger.warning("call changed while returning it to the queue", extra={"call_id": call.call_id})
            return Execution(ExecutionResult.SKIPPED, None, "changed concurrently")
        logger.info(f"call {result}", extra={"call_id": call.call_id, "scheduled_for": slot.isoformat()})
        return Execution(result, saved, reason)

    def _fail(self, call: Call, reason: str, now: datetime) -> Execution:
        failed = self._writer.apply(
            call.clinic_id,
            call.call_id,
            lambda current: (
                lifecycle.dial_failed(current, reason)
                if current.status == call.status and current.attempt == call.attempt
                else None
            ),
            now,
        )
        logger.warning("call failed before dialing", extra={"call_id": call.call_id, "reason": reason})
        return Execution(ExecutionResult.FAILED, failed.after, reason)
