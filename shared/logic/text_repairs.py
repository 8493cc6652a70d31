"""The reconciler's part for texts: a text whose schedule never fired is fired; a claimed text whose chat id never
came is looked for in Retell (found: followed; not found: failed, never sent again); a text whose chat events were
lost is read with get-chat and applied as if its webhooks had come."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from shared.domain import texts
from shared.domain.reconciliation import GIVE_UP, Check
from shared.logic.call_writes import CallAccess
from shared.logic.ports import Clock, ExecuteInvoker, Texter
from shared.logic.texts import TextEventService
from shared.models.call import Call
from shared.models.execution import ExecuteAction, ExecuteRequest, ExecuteTrigger
from shared.models.results import EventEffect, Repair
from shared.models.texts import TextReason, TextStatus
from shared.observability import logger

CHAT_GIVE_UP = texts.CHAT_LONGEST + GIVE_UP
"""A chat Retell still shows open this long after it started is taken as over (its end was never recorded)."""


class TextRepairs:
    def __init__(
        self,
        access: CallAccess,
        events: TextEventService,
        invoker: ExecuteInvoker,
        texter: Callable[[], Texter],
        *,
        clock: Clock,
    ):
        self._writer = access.writer
        self._events = events
        self._invoker = invoker
        self._texter = texter
        self._clock = clock

    def repair(self, call: Call, check: Check, now: datetime) -> Repair:
        """Raises ``RetellUnavailable`` when Retell cannot answer (the caller notes the check and asks later)."""
        if check == Check.FIRE_TEXT:
            return self._fire(call)
        if check == Check.FIND_CHAT:
            return self._find(call, now)
        return self._read(call, now)

    def _fire(self, call: Call) -> Repair:
        text = call.text
        if text is None or call.text_token is None or text.scheduled_for is None:
            return Repair.NOTHING
        self._invoker.invoke(
            ExecuteRequest(
                call_id=call.call_id,
                clinic_id=call.clinic_id,
                attempt=call.attempt,
                token=call.text_token,
                scheduled_time=text.scheduled_for,
                trigger=ExecuteTrigger.SCHEDULE,
                action=ExecuteAction.TEXT,
            )
        )
        logger.warning("fired a text whose schedule never did", extra={"call_id": call.call_id})
        return Repair.FIRED

    def _find(self, call: Call, now: datetime) -> Repair:
        claimed_at = call.text_claimed_at or call.updated_at
        listed = self._texter().find_chat(call.phone_number, call.call_id, claimed_at)
        if listed is not None:
            # A listing leaves the messages out (as list-calls leaves out transcripts): read the whole chat.
            chat = self._texter().get_chat(listed.chat_id) or listed
            self._events.apply_chat(chat)
            logger.info("found a text's chat in Retell", extra={"call_id": call.call_id, "chat_id": chat.chat_id})
            return Repair.FOUND
        return self._fail(call, TextReason.NOT_CONFIRMED, now)

    def _read(self, call: Call, now: datetime) -> Repair:
        text = call.text
        if text is None or text.chat_id is None:
            return Repair.NOTHING
        chat = self._texter().get_chat(text.chat_id)
        if chat is None:
            return self._fail(call, TextReason.CHAT_MISSING, now)
        effect = self._events.apply_chat(chat).effect
        if effect == EventEffect.TEXT_UPDATED:
            logger.info("applied Retell's chat", extra={"call_id": call.call_id})
            return Repair.APPLIED
        started = text.started_at or call.text_claimed_at or call.updated_at
        if text.status == TextStatus.SENT and now >= started + CHAT_GIVE_UP:
            written = self._writer.apply(
                call.clinic_id,
                call.call_id,
                lambda c: texts.closed(c, None, TextStatus.ENDED, TextReason.CHAT_UNFINISHED),
                now,
            )
            return Repair.APPLIED if written.after is not None else Repair.NOTHING
        self._note_checked(call, now)
        return Repair.WAITING

    def unanswered(self, call: Call, now: datetime) -> Repair:
        """Retell could not say: ask again later; a claimed text nobody can confirm for ``GIVE_UP`` is failed."""
        claimed_at = call.text_claimed_at or call.updated_at
        text = call.text
        unconfirmed = text is not None and text.status == TextStatus.SENT and text.chat_id is None
        if unconfirmed and now >= claimed_at + texts.CHAT_SETTLE + GIVE_UP:
            return self._fail(call, TextReason.NOT_CONFIRMED, now)
        self._note_checked(call, now)
        return Repair.WAITING

    def _fail(self, call: Call, reason: TextReason, now: datetime) -> Repair:
        written = self._writer.apply(
            call.clinic_id, call.call_id, lambda c: texts.closed(c, None, TextStatus.FAILED, reason), now
        )
        if written.after is None:
            return Repair.NOTHING
        logger.error("a text could not be confirmed; not sent again", extra={"call_id": call.call_id})
        return Repair.TEXT_FAILED

    def _note_checked(self, call: Call, now: datetime) -> None:
        self._writer.apply(call.clinic_id, call.call_id, lambda current: _checked(current, call, now), now)


def _checked(current: Call, seen: Call, now: datetime) -> Call | None:
    """``checked_at`` noted, if the call's text is still where the reconciler read it."""
    if current.text != seen.text:
        return None
    return current.model_copy(update={"checked_at": now})
