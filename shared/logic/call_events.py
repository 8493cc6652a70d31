"""Applying Retell's webhook events to calls: ``call_started``, ``call_ended``, ``call_analyzed``.

Deliveries repeat (up to four times), arrive out of order and may concern calls this system does not know. Each
event is turned into a pure transition (``shared.domain.lifecycle``) that is a no-op unless it moves the call
forward, and written conditionally, so an attempt's outcome is applied exactly once whatever arrives when.
``call_analyzed`` carries the whole call, so it also ends an attempt whose ``call_ended`` was lost or is late.
The reconciler feeds Retell's get-call answers through the same path (``apply_state``), as if the webhook had come.
An end for account reasons (the account cannot pay) opens the Retell account's breaker: the attempt waits for the
account, and the execute function probes it.
"""

from __future__ import annotations

import random
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from shared.domain import best_time, lifecycle
from shared.domain.answer_rates import RANG_OUTCOMES, owner_zone
from shared.domain.calling_safety import DialWindow
from shared.domain.outcomes import ACCOUNT_END_REASONS, is_known_reason
from shared.domain.reconciliation import LONGEST_CALL, RING_LIMIT
from shared.logic.answer_rates import AnswerRateService
from shared.logic.call_writes import CallAccess, Transition
from shared.logic.do_not_call import DoNotCallService
from shared.logic.ports import AccountBreaker, Clock, TokenSource
from shared.models.call import REACHED_OUTCOMES, Call, CallStatus
from shared.models.results import EventEffect
from shared.models.retell import LIFECYCLE_EVENTS, OurMetadata, RetellCall, RetellWebhook
from shared.observability import logger

LEASE_COVERS = RING_LIMIT + LONGEST_CALL
"""What a dial's lease must outlast (``dial_lease_seconds`` is checked against it): the ring, then the longest call."""


@dataclass(frozen=True)
class EventOutcome:
    effect: EventEffect
    call: Call | None = None
    unknown_reason: bool = False  # a ``disconnection_reason`` the outcome table does not know yet
    account_tripped: bool = False  # this event opened the Retell account's breaker
    do_not_call_added: bool = False  # the owner asked not to be called again, and this event listed the number


class CallEventService:
    def __init__(
        self,
        access: CallAccess,
        breaker: AccountBreaker,
        do_not_call: DoNotCallService,
        *,
        clock: Clock,
        new_token: TokenSource,
        rng: random.Random | None = None,
        answer_rates: AnswerRateService | None = None,
    ):
        self._answer_rates = answer_rates
        self._do_not_call = do_not_call
        self._read_ahead = access.read_ahead
        self._writer = access.writer
        self._settings = access.settings
        self._breaker = breaker
        self._clock = clock
        self._new_token = new_token
        self._rng = rng or random.Random()

    def apply(self, webhook: RetellWebhook) -> EventOutcome:
        if webhook.event not in LIFECYCLE_EVENTS:
            return EventOutcome(EventEffect.IGNORED)
        return self.apply_state(webhook.event, webhook.call)

    def apply_state(self, event: str, retell_call: RetellCall, *, analysis_given_up: bool = False) -> EventOutcome:
        """Apply what Retell says of one of our calls, as the lifecycle ``event`` it amounts to. With
        ``analysis_given_up`` an ended call whose analysis never came is judged without it (not a voicemail)."""
        ours = retell_call.ours()
        if ours is None:
            logger.info("webhook for a call without our metadata", extra={"retell_call_id": retell_call.call_id})
            return EventOutcome(EventEffect.IGNORED)
        now = self._clock()
        transition = self._transition(event, retell_call, ours, now, analysis_given_up=analysis_given_up)
        # An end is judged with the clinic's retry rules: read the call and the settings in one request.
        ahead = self._read_ahead.for_call_end(ours.clinic_id, ours.call_id) if event == "call_ended" else nullcontext()
        with ahead:
            written = self._writer.apply(ours.clinic_id, ours.call_id, transition, now)
        if written.before is None:
            logger.info("webhook for an unknown call", extra={"call_id": ours.call_id, "event": event})
            return EventOutcome(EventEffect.UNKNOWN_CALL)
        listed = owner_asked_not_to_be_called(retell_call) and self._do_not_call.owner_asked(
            ours.clinic_id, written.before.phone_number, ours.call_id
        )
        if written.after is None:
            logger.info("webhook changed nothing", extra={"call_id": ours.call_id, "event": event})
            return EventOutcome(EventEffect.NO_CHANGE, written.before, do_not_call_added=listed)
        effect = _effect(event, written.before, written.after)
        # The dial's lease needs no word: it is free once this write ends the attempt (``DialLeases``). A connected
        # call keeps it: the lease outlasts the ring and the longest call together (``LEASE_COVERS``).
        tripped = False
        if effect == EventEffect.PAUSED:
            reason = f"a call ended with {retell_call.disconnection_reason}"
            tripped = self._breaker.trip(reason, now, now + lifecycle.ACCOUNT_WAIT)
            logger.error("Retell account cannot place calls", extra={"reason": retell_call.disconnection_reason})
        logger.info(
            f"call {effect}",
            extra={"call_id": ours.call_id, "attempt": ours.attempt, "status": written.after.status},
        )
        unknown = event != "call_started" and not is_known_reason(retell_call.disconnection_reason)
        if unknown:
            logger.warning("unknown disconnection reason", extra={"reason": retell_call.disconnection_reason})
        return EventOutcome(
            effect, written.after, unknown_reason=unknown, account_tripped=tripped, do_not_call_added=listed
        )

    def _transition(
        self, event: str, retell_call: RetellCall, ours: OurMetadata, now: datetime, *, analysis_given_up: bool
    ) -> Transition:
        if event == "call_started":
            return lambda call: lifecycle.connected(call, ours.attempt, retell_call.call_id, retell_call.started_at)

        analysis = retell_call.call_analysis.as_analysis() if retell_call.call_analysis else None
        in_voicemail = analysis.in_voicemail if analysis is not None else None
        if in_voicemail is None and analysis_given_up:
            in_voicemail = False
        end = lifecycle.CallEnd(
            attempt=ours.attempt,
            retell_call_id=retell_call.call_id,
            disconnection_reason=retell_call.disconnection_reason,
            started_at=retell_call.started_at,
            ended_at=retell_call.ended_at,
            transcript=retell_call.transcript,
            has_recording=bool(retell_call.recording_url),
            in_voicemail=in_voicemail,
        )
        # Decided once per event, so a re-decision after a lost race keeps the same schedule token and delay.
        token = self._new_token()
        delay = lifecycle.requeue_delay(self._rng)

        def apply_end(call: Call) -> Call | None:
            after_end = None
            if lifecycle.is_open_attempt(call, end.attempt):  # the clinic's settings matter only then: read them
                settings = self._settings.current(call.clinic_id)
                calendar = DialWindow.for_call(settings, call.phone_number)
                after_end = lifecycle.ended(call, end, settings.retry, calendar, now, token=token, requeue_delay=delay)
                if after_end is not None and settings.retry.move_to_best_hour:
                    after_end = self._retry_at_best_hour(call, after_end, calendar, settings.timezone)
            current = after_end or call
            after_analysis = (
                lifecycle.analyzed(current, ours.attempt, retell_call.call_id, analysis)
                if event == "call_analyzed" and analysis is not None
                else None
            )
            return after_analysis or after_end

        return apply_end

    def _retry_at_best_hour(self, call: Call, after: Call, calendar: DialWindow, clinic_zone: str) -> Call:
        """A retry after no answer, moved to a likelier hour if one is worth it (``retry.moveToBestHour``)."""
        not_answered = after.outcome in RANG_OUTCOMES and after.outcome not in REACHED_OUTCOMES
        if self._answer_rates is None or after.attempt <= call.attempt or not not_answered:
            return after
        zone = owner_zone(after.phone_number, clinic_zone)
        moved = best_time.moved_retry(after.scheduled_for, calendar, zone, self._answer_rates.model(after.clinic_id))
        if moved == after.scheduled_for:
            return after
        reason = f"{after.status_reason}, moved to an hour where owners answer more"
        return after.model_copy(update={"scheduled_for": moved, "next_retry_at": moved, "status_reason": reason})


DO_NOT_CALL_REASON = "user_requested_dnc"
DO_NOT_CALL_ANALYSIS_FIELD = "do_not_call_requested"


def owner_asked_not_to_be_called(retell_call: RetellCall) -> bool:
    """Retell ended the call because the owner asked not to be called (``user_requested_dnc``), or the agent's
    post-call analysis says so (``custom_analysis_data.do_not_call_requested``, ``make retell-agent``'s field)."""
    if retell_call.disconnection_reason == DO_NOT_CALL_REASON:
        return True
    custom = retell_call.call_analysis.custom_analysis_data if retell_call.call_analysis else None
    return custom is not None and custom.get(DO_NOT_CALL_ANALYSIS_FIELD) is True


def _effect(event: str, before: Call, after: Call) -> EventEffect:
    if (
        after.status == before.status
        and after.attempt == before.attempt
        and after.schedule_token == before.schedule_token
    ):
        if event == "call_analyzed":
            return EventEffect.ANALYZED
        ended_now = after.status in lifecycle.OPEN_STATUSES and _ended_here(after) and not _ended_here(before)
        return EventEffect.AWAITING_ANALYSIS if ended_now else EventEffect.NO_CHANGE
    if after.status == CallStatus.IN_PROGRESS:
        return EventEffect.CONNECTED
    if after.status == CallStatus.COMPLETED:
        return EventEffect.COMPLETED
    if after.status == CallStatus.FAILED:
        return EventEffect.FAILED
    if after.attempt > before.attempt:
        return EventEffect.RETRY_SCHEDULED
    if after.disconnection_reason in ACCOUNT_END_REASONS:
        return EventEffect.PAUSED
    return EventEffect.REQUEUED


def _ended_here(call: Call) -> bool:
    entry = call.current_attempt()
    return entry is not None and entry.ended_at is not None
