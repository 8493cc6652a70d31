"""Sending a call's text when its schedule fires, and applying what Retell says of the chat (its webhooks, or the
reconciler's get-chat).

At most one text per call: the text is claimed with a conditional write before Retell is asked, a duplicate or stale
schedule loses the claim, and create-sms-chat (which has no idempotency key) is never sent again for a claimed text.
An answer that leaves it unknown whether Retell started the chat (a timeout, a 5xx) leaves the text claimed without
a chat id: its ``chat_started`` webhook fills it in, or the reconciler looks for the chat and fails the text if
Retell shows none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from shared.domain import texts
from shared.domain.texts import TextDefaults, TextMisconfigured
from shared.logic.call_writes import CallAccess
from shared.logic.do_not_call import DoNotCallService
from shared.logic.ports import Clock, RetellUnavailable, Texter, TextRefused, TokenSource
from shared.models.call import Call
from shared.models.execution import ExecuteRequest, ExecutionResult
from shared.models.results import EventEffect
from shared.models.retell import RetellChat, RetellChatWebhook
from shared.models.texts import TextReason, TextStatus
from shared.observability import logger


@dataclass(frozen=True)
class TextSent:
    result: ExecutionResult
    call: Call | None = None
    detail: str = ""


class TextSender:
    def __init__(
        self,
        access: CallAccess,
        do_not_call: DoNotCallService,
        texter: Callable[[], Texter],
        defaults: TextDefaults,
        *,
        clock: Clock,
        new_token: TokenSource,
    ):
        self._calls = access.calls
        self._writer = access.writer
        self._settings = access.settings
        self._do_not_call = do_not_call
        self._texter = texter
        self._defaults = defaults
        self._clock = clock
        self._new_token = new_token

    def send(self, request: ExecuteRequest) -> TextSent:
        now = self._clock()
        call = self._calls.get(request.clinic_id, request.call_id)
        if call is None or not texts.is_due(call, request.token):
            return TextSent(ExecutionResult.SKIPPED, call, "no text due for this schedule")
        settings = self._settings.current(call.clinic_id)
        if not settings.text_follow_up.enabled:  # the clinic turned texts off since this one was planned
            return self._close(call, request.token, TextStatus.SKIPPED, TextReason.TEXTS_TURNED_OFF, now)
        if self._do_not_call.listed(call.clinic_id, call.phone_number) is not None:
            return self._close(call, request.token, TextStatus.SKIPPED, TextReason.DO_NOT_CALL, now)
        if not texts.text_allowed_now(settings, call.phone_number, now):
            at = texts.next_text_time(settings, call.phone_number, now)
            written = self._writer.apply(
                call.clinic_id,
                call.call_id,
                lambda c: texts.moved(c, request.token, at, self._new_token()),
                now,
                known=call,
            )
            return TextSent(ExecutionResult.MOVED, written.after, "moved into the owner's hours")
        try:
            spec = texts.chat_spec(call, settings, self._defaults)
        except TextMisconfigured as error:
            logger.error("text cannot be sent", extra={"call_id": call.call_id, "error": str(error)})
            return self._close(call, request.token, TextStatus.FAILED, TextReason.NO_TEXT_AGENT, now)
        # Written over the call just read: a write that lost a race reads it back, so no second read otherwise.
        claimed = self._writer.apply(
            call.clinic_id, call.call_id, lambda c: texts.claim(c, request.token, now), now, known=call
        )
        if claimed.after is None:
            return TextSent(ExecutionResult.SKIPPED, claimed.before, "claimed by another delivery")
        try:
            chat_id = self._texter().start_chat(spec)
        except TextRefused as error:
            logger.warning("Retell refused the text", extra={"call_id": call.call_id, "status": error.status})
            failed = self._writer.apply(
                call.clinic_id,
                call.call_id,
                lambda c: texts.closed(c, None, TextStatus.FAILED, TextReason.RETELL_REFUSED),
                now,
                known=claimed.after,
            )
            return TextSent(ExecutionResult.TEXT_SKIPPED, failed.after, str(error))
        except RetellUnavailable as error:
            logger.error("text outcome unknown; left for the reconciler", extra={"call_id": call.call_id})
            return TextSent(ExecutionResult.UNRESOLVED, claimed.after, str(error))
        started = self._writer.apply(
            call.clinic_id, call.call_id, lambda c: texts.started(c, chat_id, self._clock()), now, known=claimed.after
        )
        logger.info("text sent", extra={"call_id": call.call_id, "chat_id": chat_id})
        return TextSent(ExecutionResult.TEXTED, started.after or claimed.after, chat_id)

    def _close(self, call: Call, token: str, status: TextStatus, reason: TextReason, now: datetime) -> TextSent:
        written = self._writer.apply(
            call.clinic_id, call.call_id, lambda c: texts.closed(c, token, status, reason), now, known=call
        )
        logger.info("text not sent", extra={"call_id": call.call_id, "reason": reason})
        return TextSent(ExecutionResult.TEXT_SKIPPED, written.after, reason)


@dataclass(frozen=True)
class ChatOutcome:
    effect: EventEffect
    call: Call | None = None
    do_not_call_added: bool = False


class TextEventService:
    """Applies ``chat_started``, ``chat_ended`` and ``chat_analyzed`` (and get-chat's answers) to the call's text."""

    def __init__(self, access: CallAccess, do_not_call: DoNotCallService, *, clock: Clock):
        self._writer = access.writer
        self._do_not_call = do_not_call
        self._clock = clock

    def apply(self, webhook: RetellChatWebhook) -> ChatOutcome:
        return self.apply_chat(webhook.chat)

    def apply_chat(self, chat: RetellChat) -> ChatOutcome:
        ours = chat.ours()
        if ours is None:
            logger.info("chat event without our metadata", extra={"chat_id": chat.chat_id})
            return ChatOutcome(EventEffect.IGNORED)
        now = self._clock()
        written = self._writer.apply(ours.clinic_id, ours.call_id, lambda call: texts.applied(call, chat), now)
        if written.before is None:
            logger.info("chat event for an unknown call", extra={"call_id": ours.call_id})
            return ChatOutcome(EventEffect.UNKNOWN_CALL)
        listed = texts.owner_opted_out(chat) and self._do_not_call.owner_asked(
            ours.clinic_id, written.before.phone_number, ours.call_id, by_text=True
        )
        if written.after is None:
            return ChatOutcome(EventEffect.NO_CHANGE, written.before, do_not_call_added=listed)
        status = written.after.text.status if written.after.text is not None else None
        logger.info("text updated", extra={"call_id": ours.call_id, "text_status": status})
        return ChatOutcome(EventEffect.TEXT_UPDATED, written.after, do_not_call_added=listed)
