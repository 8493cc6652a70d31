"""Applying Retell's webhook events to calls: ``call_started``, ``call_ended``, ``call_analyzed``.

Deliveries repeat (up to four times), arrive out of order and may concern calls this system does not know. Each
event is turned into a pure transition (``shared.domain.lifecycle``) that is a no-op unless it moves the call
forward, and written conditionally, so an attempt's outcome is applied exactly once whatever arrives when.
``call_analyzed`` carries the whole call, so it also ends an attempt whose ``call_ended`` was lost or is late.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.domain import lifecycle
from shared.domain.business_hours import BusinessCalendar
from shared.logic.call_writes import CallWriter, Transition
from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.execution import requeue_delay
from shared.logic.ports import DialSlots
from shared.models.call import Call, CallStatus
from shared.models.retell import LIFECYCLE_EVENTS, OurMetadata, RetellWebhook
from shared.observability import logger


class EventEffect(StrEnum):
    IGNORED = "ignored"  # not an event we act on, or not a call we placed
    UNKNOWN_CALL = "unknown_call"
    NO_CHANGE = "no_change"  # a duplicate, or about an attempt that is already over
    CONNECTED = "connected"
    COMPLETED = "completed"
    FAILED = "failed"
    RETRY_SCHEDULED = "retry_scheduled"
    REQUEUED = "requeued"
    ANALYZED = "analyzed"


@dataclass(frozen=True)
class EventOutcome:
    effect: EventEffect
    call: Call | None = None


class CallEventService:
    def __init__(
        self,
        writer: CallWriter,
        settings: ClinicSettingsService,
        leases: DialSlots,
        lease_duration: timedelta,
        clock: Callable[[], datetime],
        new_token: Callable[[], str],
        rng: random.Random | None = None,
    ):
        self._writer = writer
        self._settings = settings
        self._leases = leases
        self._lease_duration = lease_duration
        self._clock = clock
        self._new_token = new_token
        self._rng = rng or random.Random()

    def apply(self, webhook: RetellWebhook) -> EventOutcome:
        if webhook.event not in LIFECYCLE_EVENTS:
            return EventOutcome(EventEffect.IGNORED)
        ours = webhook.call.ours()
        if ours is None:
            logger.info("webhook for a call without our metadata", extra={"retell_call_id": webhook.call.call_id})
            return EventOutcome(EventEffect.IGNORED)
        now = self._clock()
        transition = self._transition(webhook, ours, now)
        written = self._writer.apply(ours.clinic_id, ours.call_id, transition, now)
        if written.before is None:
            logger.info("webhook for an unknown call", extra={"call_id": ours.call_id, "event": webhook.event})
            return EventOutcome(EventEffect.UNKNOWN_CALL)
        if written.after is None:
            logger.info("webhook changed nothing", extra={"call_id": ours.call_id, "event": webhook.event})
            return EventOutcome(EventEffect.NO_CHANGE, written.before)
        effect = _effect(webhook.event, written.before, written.after)
        if effect in {EventEffect.COMPLETED, EventEffect.FAILED, EventEffect.RETRY_SCHEDULED, EventEffect.REQUEUED}:
            self._leases.release(ours.clinic_id, ours.call_id)
        elif effect == EventEffect.CONNECTED:
            self._leases.renew(ours.clinic_id, ours.call_id, self._lease_duration, now)
        logger.info(
            f"call {effect}",
            extra={"call_id": ours.call_id, "attempt": ours.attempt, "status": written.after.status},
        )
        return EventOutcome(effect, written.after)

    def _transition(self, webhook: RetellWebhook, ours: OurMetadata, now: datetime) -> Transition:
        retell_call = webhook.call
        if webhook.event == "call_started":
            return lambda call: lifecycle.connected(call, ours.attempt, retell_call.call_id, retell_call.started_at)

        end = lifecycle.CallEnd(
            attempt=ours.attempt,
            retell_call_id=retell_call.call_id,
            disconnection_reason=retell_call.disconnection_reason,
            started_at=retell_call.started_at,
            ended_at=retell_call.ended_at,
            transcript=retell_call.transcript,
            recording_url=retell_call.recording_url,
        )
        analysis = retell_call.call_analysis.as_analysis() if retell_call.call_analysis else None
        # Decided once per event, so a re-decision after a lost race keeps the same schedule token and delay.
        token = self._new_token()
        delay = requeue_delay(self._rng)

        def apply_end(call: Call) -> Call | None:
            after_end = None
            if lifecycle.is_open_attempt(call, end.attempt):  # the clinic's settings matter only then: read them
                settings = self._settings.current(call.clinic_id)
                calendar = BusinessCalendar.from_settings(settings)
                after_end = lifecycle.ended(call, end, settings.retry, calendar, now, token=token, requeue_delay=delay)
            current = after_end or call
            after_analysis = (
                lifecycle.analyzed(current, ours.attempt, retell_call.call_id, analysis)
                if webhook.event == "call_analyzed" and analysis is not None
                else None
            )
            return after_analysis or after_end

        return apply_end


def _effect(event: str, before: Call, after: Call) -> EventEffect:
    if (
        after.status == before.status
        and after.attempt == before.attempt
        and after.schedule_token == before.schedule_token
    ):
        return EventEffect.ANALYZED if event == "call_analyzed" else EventEffect.NO_CHANGE
    if after.status == CallStatus.IN_PROGRESS:
        return EventEffect.CONNECTED
    if after.status == CallStatus.COMPLETED:
        return EventEffect.COMPLETED
    if after.status == CallStatus.FAILED:
        return EventEffect.FAILED
    if after.attempt > before.attempt:
        return EventEffect.RETRY_SCHEDULED
    return EventEffect.REQUEUED
