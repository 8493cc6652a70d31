"""Use cases of the calls API: schedule, list, read, change, cancel and "call now".

Ordering of DynamoDB writes and schedule calls (a crash can fall between any two steps) is ``CallWriter``'s: place
the new schedule, write the call conditionally, remove the replaced schedule. A new call is created the same way:
its schedule first, then the call (with its consultation lock and idempotency record) in one transaction. Cancel
writes ``cancelled`` (the consultation is then free for a new call) and then deletes the schedule; a crash in
between leaves a schedule that fires into a cancelled call, a logged no-op.

What goes astray anyway (a schedule dead-lettered, a dial with no outcome long after) is the reconciler's
(``shared.logic.reconciliation``).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.domain import best_time, follow_up
from shared.domain.answer_rates import owner_zone
from shared.domain.calling_safety import DialWindow, clinic_identity
from shared.logic.answer_rates import AnswerRateService
from shared.logic.call_writes import CallAccess
from shared.logic.do_not_call import DoNotCallService
from shared.logic.ports import (
    Clock,
    ExecuteInvoker,
    IdempotencyKeyUsed,
    IdempotencyRecord,
    StaleWrite,
    TokenSource,
    new_schedule_token,
)
from shared.models.call import Call, CallStatus, CallView, ChosenTime
from shared.models.errors import (
    CallNotFound,
    ChangedMeanwhile,
    ClinicIdentityMissing,
    ConcurrentUpdate,
    ConsentRequired,
    IdempotencyKeyReused,
    InvalidState,
    LanguageUnsupported,
    NoFollowUpNeeded,
    OutsideBusinessHours,
    OutsideCallingHours,
    ScheduledInPast,
    ValidationFailed,
)
from shared.models.execution import ExecuteRequest, ExecuteTrigger
from shared.models.principal import Principal
from shared.models.queries import CallQuery
from shared.models.requests import (
    ConsentInput,
    ScheduleCallRequest,
    ScheduleWindow,
    UpdateCallRequest,
    recorded_consent,
)
from shared.models.settings import ClinicSettings
from shared.observability import logger

CLOCK_SKEW_ALLOWANCE = timedelta(seconds=60)
"""A requested time this little in the past is taken as "now" rather than rejected (client clocks drift)."""

IDEMPOTENCY_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class ScheduleResult:
    call: CallView
    replayed: bool


def _request_fingerprint(request: ScheduleCallRequest) -> str:
    return hashlib.sha256(request.model_dump_json(exclude_none=True).encode()).hexdigest()


def random_call_id() -> str:
    return uuid.uuid4().hex


CallsPage = tuple[list[Call], str | None]
"""A page of calls and the token of the next one."""


class CallService:
    def __init__(
        self,
        access: CallAccess,
        invoker: ExecuteInvoker,
        do_not_call: DoNotCallService,
        *,
        clock: Clock,
        new_call_id: TokenSource = random_call_id,
        new_token: TokenSource = new_schedule_token,
        number_digest: Callable[[str], str | None] = lambda _number: None,
        answer_rates: AnswerRateService | None = None,
    ):
        self._answer_rates = answer_rates
        self._number_digest = number_digest
        self._do_not_call = do_not_call
        self._read_ahead = access.read_ahead
        self._calls = access.calls
        self._settings = access.settings
        self._writer = access.writer
        self._clock = clock
        self._invoker = invoker
        self._new_call_id = new_call_id
        self._new_token = new_token

    # -- reading -------------------------------------------------------------------------------------------------

    def get(self, principal: Principal, call_id: str) -> Call:
        call = self._calls.get(principal.clinic_id, call_id)
        if call is None:
            raise CallNotFound(call_id)
        return call

    def list(self, principal: Principal, query: CallQuery) -> tuple[list[Call], str | None]:
        query.require_ordered()
        return self._calls.list_for_clinic(query)

    # -- scheduling ----------------------------------------------------------------------------------------------

    def schedule(
        self, principal: Principal, request: ScheduleCallRequest, idempotency_key: str | None = None
    ) -> ScheduleResult:
        principal.require_admin()
        now = self._clock()
        fingerprint = _request_fingerprint(request)
        with self._read_ahead.for_schedule(principal.clinic_id, request.phone_number, idempotency_key):
            if idempotency_key:
                earlier = self._calls.get_idempotency_record(principal.clinic_id, idempotency_key, now)
                if earlier is not None:
                    return self._replay(earlier, fingerprint)
            settings = self._settings.current(principal.clinic_id)
            self._require_consent(settings, request.consent)
            self._require_identity(settings, request.clinic_name, request.clinic_phone)
            language = self._language(settings, request.language)
            self._do_not_call.refuse_listed(principal.clinic_id, request.phone_number)
        dial_window = DialWindow.for_call(settings, request.phone_number)
        chosen = None
        if request.window is not None:
            requested, slot, chosen, rescheduled = self._best_time(
                principal.clinic_id, request.window, request.phone_number, settings, dial_window, now
            )
        else:
            requested = self._requested_time(request.scheduled_for, now)
            slot = dial_window.next_open_slot(requested)
            rescheduled = slot != requested
        call = Call(
            **request.model_dump(exclude={"scheduled_for", "timezone", "consent", "language", "window"}),
            language=language,
            chosen=chosen,
            consent=recorded_consent(request.consent, principal.user_id, now) if request.consent else None,
            call_id=self._new_call_id(),
            clinic_id=principal.clinic_id,
            status=CallStatus.SCHEDULED,
            requested_for=requested,
            scheduled_for=slot,
            timezone=request.timezone or settings.timezone,
            rescheduled=rescheduled,
            attempt=1,
            max_attempts=settings.retry.max_retries + 1,
            schedule_token=self._new_token(),
            created_at=now,
            updated_at=now,
            created_by=principal.user_id,
            number_digest=self._number_digest(request.phone_number),
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
        try:
            self._writer.create(call, record, now)
        except IdempotencyKeyUsed as used:  # a concurrent request with the same key won the race
            return self._replay(used.record, fingerprint)
        return ScheduleResult(call=call.view(), replayed=False)

    def update(
        self, principal: Principal, call_id: str, request: UpdateCallRequest, expected_version: int | None = None
    ) -> Call:
        principal.require_admin()
        now = self._clock()
        call = self._current(principal, call_id, expected_version)
        if call.status != CallStatus.SCHEDULED:
            raise InvalidState(call_id, call.status, "changed")
        changes = request.model_dump(
            exclude_unset=True, exclude={"scheduled_for", "consent", "language"}, by_alias=False
        )
        if request.metadata is not None:
            if request.metadata.consultation_id != call.metadata.consultation_id:
                raise ValidationFailed(
                    "metadata.consultation_id cannot change; cancel this call and schedule a new one instead.",
                    details=[{"field": "metadata.consultation_id"}],
                )
            changes["metadata"] = request.metadata
        settings = self._settings.current(principal.clinic_id)
        if request.consent is not None:
            self._require_consent(settings, request.consent)
            changes["consent"] = recorded_consent(request.consent, principal.user_id, now)
        if request.language is not None:
            changes["language"] = self._language(settings, request.language)
        updated = call.model_copy(update=changes)
        self._require_identity(settings, updated.clinic_name, updated.clinic_phone)
        renumbered = updated.phone_number != call.phone_number
        if renumbered:
            self._do_not_call.refuse_listed(principal.clinic_id, updated.phone_number)
            updated = updated.model_copy(update={"number_digest": self._number_digest(updated.phone_number)})
        moved = "scheduled_for" in request.model_fields_set and request.scheduled_for is not None
        window = DialWindow.for_call(settings, updated.phone_number)
        if moved or (renumbered and not window.is_open(max(call.scheduled_for, now))):
            # A new time, or a new number whose owner is outside calling hours at the time the call had.
            requested = (
                self._requested_time(request.scheduled_for, now)
                if request.scheduled_for is not None
                else max(call.scheduled_for, now)
            )
            slot = window.next_open_slot(requested)
            updated = updated.model_copy(
                update={
                    "requested_for": requested if moved else call.requested_for,
                    "scheduled_for": slot,
                    "rescheduled": slot != requested or (not moved and call.rescheduled),
                    "schedule_token": self._new_token(),
                    # A call waiting for its retry is retried at the new time: "next retry" follows it.
                    "next_retry_at": slot if call.next_retry_at is not None else None,
                    "chosen": None if moved else call.chosen,  # a time given by hand was not best time's
                }
            )
        updated = Call.model_validate(updated.model_dump())  # re-validate the merged result
        return self._save(updated, call, now, expected_version)

    def follow_ups(self, principal: Principal, limit: int, next_token: str | None) -> CallsPage:
        """The clinic's follow-up worklist: flagged calls not yet marked done, most recently flagged first."""
        return self._calls.list_follow_ups(principal.clinic_id, limit, next_token)

    def mark_followed_up(
        self, principal: Principal, call_id: str, note: str | None, expected_version: int | None = None
    ) -> Call:
        """Any member of the clinic marks the call's follow-up done (who, when and the note are kept on the call);
        it leaves the worklist. ``NoFollowUpNeeded`` if it needs none (never flagged, or done already)."""
        now = self._clock()
        call = self._current(principal, call_id, expected_version)
        done = follow_up.mark_done(call, principal.user_id, note, now)
        if done is None:
            raise NoFollowUpNeeded(call_id)
        try:
            return self._writer.save(done, call, now)
        except StaleWrite as stale:
            current = stale.current
            if current is None:
                raise CallNotFound(call_id) from None
            if expected_version is not None:
                raise ChangedMeanwhile(call_id, current.version, current.status) from None
            if not current.needs_follow_up:
                raise NoFollowUpNeeded(call_id) from None
            raise ConcurrentUpdate(call_id) from None

    def cancel(self, principal: Principal, call_id: str, expected_version: int | None = None) -> Call:
        principal.require_admin()
        now = self._clock()
        call = self._current(principal, call_id, expected_version)
        if call.status != CallStatus.SCHEDULED:
            raise InvalidState(call_id, call.status, "cancelled")
        cancelled = call.model_copy(
            update={"status": CallStatus.CANCELLED, "status_reason": f"cancelled by {principal.user_id}"}
        )
        return self._save(cancelled, call, now, expected_version)

    def call_now(self, principal: Principal, call_id: str, expected_version: int | None = None) -> Call:
        """Dial a scheduled call now, through the execute function (the path a schedule takes).

        The call moves to now under a new schedule token, with a backstop schedule a minute out, then execute is
        invoked directly. If that invocation is lost, the backstop fires; if it runs, the backstop finds the attempt
        claimed and does nothing. Either way the owner is dialed once."""
        principal.require_admin()
        now = self._clock()
        call = self._current(principal, call_id, expected_version)
        if call.status != CallStatus.SCHEDULED:
            raise InvalidState(call_id, call.status, "called now")
        window = DialWindow.for_call(self._settings.current(principal.clinic_id), call.phone_number)
        self._do_not_call.refuse_listed(principal.clinic_id, call.phone_number)
        if not window.clinic.is_open(now):
            raise OutsideBusinessHours(window.next_open_slot(now))
        if not window.owner_allows(now):
            raise OutsideCallingHours(window.next_open_slot(now), window.describe_owner_hours())
        now_call = call.model_copy(
            update={
                "scheduled_for": now,
                "next_retry_at": now if call.next_retry_at is not None else None,
                "schedule_token": self._new_token(),
                "status_reason": f"call now requested by {principal.user_id}",
            }
        )
        saved = self._save(now_call, call, now, expected_version)
        request = ExecuteRequest(
            call_id=saved.call_id,
            clinic_id=saved.clinic_id,
            attempt=saved.attempt,
            token=saved.schedule_token,
            scheduled_time=now,
            trigger=ExecuteTrigger.CALL_NOW,
        )
        try:
            self._invoker.invoke(request)
        except Exception:  # the backstop schedule dials within a minute or two instead
            logger.exception(
                "call now: invoking execute failed; the backstop schedule will fire", extra={"call_id": call_id}
            )
        return saved

    # -- internals -----------------------------------------------------------------------------------------------

    @staticmethod
    def _require_consent(settings: ClinicSettings, consent: ConsentInput | None) -> None:
        if settings.require_consent and (consent is None or not consent.given):
            raise ConsentRequired

    @staticmethod
    def _language(settings: ClinicSettings, language: str | None) -> str:
        """The call's language: the one asked for, if the clinic has an agent for it; else its default."""
        chosen = language or settings.default_language
        if not settings.speaks(chosen):
            raise LanguageUnsupported(chosen, settings.languages())
        return chosen

    @staticmethod
    def _require_identity(settings: ClinicSettings, name: str | None, phone: str | None) -> None:
        missing = clinic_identity(name, phone, settings).missing
        if missing:
            raise ClinicIdentityMissing(missing)

    def _current(self, principal: Principal, call_id: str, expected_version: int | None) -> Call:
        """The call, if it is still the version the client decided on (``If-Match``), when it names one."""
        call = self.get(principal, call_id)
        if expected_version is not None and call.version != expected_version:
            raise ChangedMeanwhile(call_id, call.version, call.status)
        return call

    def _save(self, call: Call, expected: Call, now: datetime, expected_version: int | None = None) -> Call:
        try:
            return self._writer.save(call, expected, now)
        except StaleWrite as stale:
            current = stale.current
            if current is None:
                raise CallNotFound(call.call_id) from None
            if expected_version is not None:  # the client named a version, and it is no longer the call's
                raise ChangedMeanwhile(call.call_id, current.version, current.status) from None
            if current.status != expected.status:
                raise InvalidState(call.call_id, current.status, "changed") from None
            raise ConcurrentUpdate(call.call_id) from None

    def _replay(self, record: IdempotencyRecord, fingerprint: str) -> ScheduleResult:
        if record.request_hash != fingerprint:
            raise IdempotencyKeyReused
        return ScheduleResult(call=CallView.model_validate_json(record.response_body), replayed=True)

    def _best_time(
        self,
        clinic_id: str,
        window: ScheduleWindow,
        phone_number: str,
        settings: ClinicSettings,
        dial_window: DialWindow,
        now: datetime,
    ) -> tuple[datetime, datetime, ChosenTime, bool]:
        """Best time: where in the window to place the call (``shared.domain.best_time``). A window with no open time
        places the call at the next open time after it, ``rescheduled`` as a ``scheduledFor`` outside the hours is."""
        if window.from_ < now - CLOCK_SKEW_ALLOWANCE:
            raise ValidationFailed(
                "window.from is in the past; give a window from now on.",
                details=[{"field": "window.from", "requested": window.from_.isoformat(), "now": now.isoformat()}],
            )
        start = max(window.from_, now)
        if self._answer_rates is None:
            raise RuntimeError("best time needs the answer rates")
        model = self._answer_rates.model(clinic_id)
        zone = owner_zone(phone_number, settings.timezone)
        best = best_time.choose(start, window.to, dial_window, zone, model)
        chosen = ChosenTime(reason=best.reason.value, expected_answer_rate=round(best.expected_answer_rate, 4))
        return start, best.at, chosen, not best.inside_window

    @staticmethod
    def _requested_time(requested: datetime | None, now: datetime) -> datetime:
        if requested is None:
            return now
        if requested < now - CLOCK_SKEW_ALLOWANCE:
            raise ScheduledInPast(requested, now)
        return max(requested, now)
