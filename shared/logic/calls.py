"""Use cases of the calls API: schedule, list, read, change and cancel calls.

Ordering of the DynamoDB write and the schedule call (a crash can fall between any two steps):

* **Schedule / move a call**: (1) place the new one-shot schedule, (2) write the call conditionally, (3) remove
  the schedule it replaced. DynamoDB is the source of truth, and a schedule only ever *proposes* an attempt: the
  execute function claims ``(callId, attempt, revision)`` with a conditional write and dials only if that is still
  the call's current scheduled attempt. So a crash after (1) leaves an orphan schedule that fires, finds nothing to
  claim and deletes itself; a crash after (2) leaves the replaced schedule, equally stale and harmless. Because (1)
  precedes (2), every stored ``scheduled`` call has a live schedule for its current revision: no call is left
  that never fires.
* **Cancel**: (1) write ``cancelled`` (and release the consultation lock) in one transaction, (2) delete the
  schedule. A crash after (1) leaves a schedule that fires into a cancelled call: a logged no-op.

What a sweeper would look for: ``scheduled`` calls whose ``scheduledFor`` is well past (their schedule's delivery
failed into the Scheduler DLQ), and ``initiated`` calls with no Retell outcome long after dialing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.adapters.call_scheduler import CallScheduler, PendingAttempt, schedule_name
from shared.dal.call_repository import (
    CallQuery,
    CallRepository,
    IdempotencyKeyUsed,
    IdempotencyRecord,
    StaleWrite,
)
from shared.domain.business_hours import BusinessCalendar
from shared.logic.clinic_settings import ClinicSettingsService
from shared.models.call import Call, CallStatus, CallView, ScheduleCallRequest, UpdateCallRequest
from shared.models.errors import CallNotFound, Conflict, InvalidState, ValidationFailed
from shared.models.principal import Principal

CLOCK_SKEW_ALLOWANCE = timedelta(seconds=60)
"""A requested time this little in the past is taken as "now" rather than rejected (client clocks drift)."""

SCHEDULER_MIN_LEAD = timedelta(seconds=60)
"""Schedules are never set closer than this to now: Scheduler fires with one-minute precision and may reject
an ``at()`` time that has passed by the time the request reaches it."""

IDEMPOTENCY_TTL = timedelta(hours=24)


class ScheduledInPast(ValidationFailed):
    code = "scheduled_in_past"

    def __init__(self, requested: datetime, now: datetime):
        super().__init__(
            "scheduledFor is in the past; choose a time from now on, or leave it out for the next open slot.",
            details=[{"field": "scheduledFor", "requested": requested.isoformat(), "now": now.isoformat()}],
        )


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"

    def __init__(self) -> None:
        super().__init__("This Idempotency-Key was already used for a different request; use a new key.")


class ConcurrentUpdate(Conflict):
    code = "concurrent_update"

    def __init__(self, call_id: str):
        super().__init__(f"Call {call_id} was changed by someone else meanwhile; reload it and try again.")


@dataclass(frozen=True)
class ScheduleResult:
    call: CallView
    replayed: bool


def _request_fingerprint(request: ScheduleCallRequest) -> str:
    return hashlib.sha256(request.model_dump_json(exclude_none=True).encode()).hexdigest()


def random_call_id() -> str:
    return uuid.uuid4().hex


class CallService:
    def __init__(
        self,
        calls: CallRepository,
        settings: ClinicSettingsService,
        scheduler: CallScheduler,
        clock: Callable[[], datetime],
        new_call_id: Callable[[], str] = random_call_id,
    ):
        self._calls = calls
        self._settings = settings
        self._scheduler = scheduler
        self._clock = clock
        self._new_call_id = new_call_id

    # -- reading -------------------------------------------------------------------------------------------------

    def get(self, principal: Principal, call_id: str) -> Call:
        call = self._calls.get(principal.clinic_id, call_id)
        if call is None:
            raise CallNotFound(call_id)
        return call

    def list(self, principal: Principal, query: CallQuery) -> tuple[list[Call], str | None]:
        if query.scheduled_from and query.scheduled_to and query.scheduled_from > query.scheduled_to:
            raise ValidationFailed("'from' must not be after 'to'.", details=[{"field": "from"}])
        return self._calls.list_for_clinic(query)

    # -- scheduling ----------------------------------------------------------------------------------------------

    def schedule(
        self, principal: Principal, request: ScheduleCallRequest, idempotency_key: str | None = None
    ) -> ScheduleResult:
        principal.require_admin()
        now = self._clock()
        fingerprint = _request_fingerprint(request)
        if idempotency_key:
            earlier = self._calls.get_idempotency_record(principal.clinic_id, idempotency_key, now)
            if earlier is not None:
                return self._replay(earlier, fingerprint)

        settings = self._settings.current(principal.clinic_id)
        requested = self._requested_time(request.scheduled_for, now)
        slot = BusinessCalendar.from_settings(settings).next_open_slot(requested)
        call = Call(
            **request.model_dump(exclude={"scheduled_for", "timezone"}),
            call_id=self._new_call_id(),
            clinic_id=principal.clinic_id,
            status=CallStatus.SCHEDULED,
            requested_for=requested,
            scheduled_for=slot,
            timezone=request.timezone or settings.timezone,
            rescheduled=slot != requested,
            attempt=1,
            max_attempts=settings.retry.max_retries + 1,
            created_at=now,
            updated_at=now,
            created_by=principal.user_id,
        )
        record = None
        if idempotency_key:
            record = IdempotencyRecord(
                clinic_id=principal.clinic_id,
                key=idempotency_key,
                request_hash=fingerprint,
                status_code=201,
                response_body=call.view().model_dump_json(),
                expires_at=int((now + IDEMPOTENCY_TTL).timestamp()),
            )
        pending = self._pending(call, now)
        self._scheduler.place(pending)
        try:
            self._calls.create(call, record)
        except IdempotencyKeyUsed as used:  # a concurrent request with the same key won the race
            self._scheduler.remove(pending.schedule_name)
            return self._replay(used.record, fingerprint)
        except BaseException:
            self._scheduler.remove(pending.schedule_name)
            raise
        return ScheduleResult(call=call.view(), replayed=False)

    def update(self, principal: Principal, call_id: str, request: UpdateCallRequest) -> Call:
        principal.require_admin()
        now = self._clock()
        call = self.get(principal, call_id)
        if call.status != CallStatus.SCHEDULED:
            raise InvalidState(call_id, call.status, "changed")
        changes = request.model_dump(exclude_unset=True, exclude={"scheduled_for"}, by_alias=False)
        if request.metadata is not None:
            if request.metadata.consultation_id != call.metadata.consultation_id:
                raise ValidationFailed(
                    "metadata.consultation_id cannot change; cancel this call and schedule a new one instead.",
                    details=[{"field": "metadata.consultation_id"}],
                )
            changes["metadata"] = request.metadata
        updated = call.model_copy(update={**changes, "version": call.version + 1, "updated_at": now})
        moved = "scheduled_for" in request.model_fields_set and request.scheduled_for is not None
        if moved:
            assert request.scheduled_for is not None
            settings = self._settings.current(principal.clinic_id)
            requested = self._requested_time(request.scheduled_for, now)
            slot = BusinessCalendar.from_settings(settings).next_open_slot(requested)
            updated = updated.model_copy(
                update={
                    "requested_for": requested,
                    "scheduled_for": slot,
                    "rescheduled": slot != requested,
                    "schedule_revision": call.schedule_revision + 1,
                }
            )
        updated = Call.model_validate(updated.model_dump())  # re-validate the merged result
        if not moved:
            self._replace(updated, call)
            return updated

        pending = self._pending(updated, now)
        self._scheduler.place(pending)
        try:
            self._replace(updated, call)
        except BaseException:
            self._scheduler.remove(pending.schedule_name)
            raise
        self._scheduler.remove(schedule_name(call.call_id, call.attempt, call.schedule_revision))
        return updated

    def cancel(self, principal: Principal, call_id: str) -> Call:
        principal.require_admin()
        now = self._clock()
        call = self.get(principal, call_id)
        if call.status != CallStatus.SCHEDULED:
            raise InvalidState(call_id, call.status, "cancelled")
        cancelled = call.model_copy(
            update={"status": CallStatus.CANCELLED, "version": call.version + 1, "updated_at": now}
        )
        self._replace(cancelled, call)
        self._scheduler.remove(schedule_name(call.call_id, call.attempt, call.schedule_revision))
        return cancelled

    # -- internals -----------------------------------------------------------------------------------------------

    def _replace(self, call: Call, expected: Call) -> None:
        try:
            self._calls.replace(call, expected=expected)
        except StaleWrite as stale:
            current = stale.current
            if current is None:
                raise CallNotFound(call.call_id) from None
            if current.status != expected.status:
                raise InvalidState(call.call_id, current.status, "changed") from None
            raise ConcurrentUpdate(call.call_id) from None

    def _replay(self, record: IdempotencyRecord, fingerprint: str) -> ScheduleResult:
        if record.request_hash != fingerprint:
            raise IdempotencyKeyReused
        return ScheduleResult(call=CallView.model_validate_json(record.response_body), replayed=True)

    @staticmethod
    def _requested_time(requested: datetime | None, now: datetime) -> datetime:
        if requested is None:
            return now
        if requested < now - CLOCK_SKEW_ALLOWANCE:
            raise ScheduledInPast(requested, now)
        return max(requested, now)

    @staticmethod
    def _pending(call: Call, now: datetime) -> PendingAttempt:
        return PendingAttempt(
            call_id=call.call_id,
            clinic_id=call.clinic_id,
            attempt=call.attempt,
            revision=call.schedule_revision,
            fire_at=max(call.scheduled_for, now + SCHEDULER_MIN_LEAD),
        )
