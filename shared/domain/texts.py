"""A call's text follow-up, as pure rules: when one is due, when it may go, what is sent, and how Retell's chat
events move it along.

    (the call ends unanswered) --> scheduled --claim--> sent --chat over--> replied | ended
                                      |                   +--refused / never confirmed--> failed
                                      +--not allowed (no text consent, do-not-call)--> skipped

A call gets at most one text: it is planned by the write that ends the call (``planned``, only while the call has
none), claimed by a conditional write before Retell is asked (``claim``), and create-sms-chat, which has no
idempotency key, is never sent again for a claimed text: one whose chat id never came is looked for in Retell by the
reconciler, and failed if Retell shows none. Events apply only forward: a final text never changes again, except
that a late analysis still fills in what the conversation said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.domain.business_hours import SEARCH_HORIZON_DAYS
from shared.domain.calling_safety import clinic_identity, owner_calendars, owner_zones
from shared.domain.dialing import dynamic_variables
from shared.domain.lifecycle import keep_transcript
from shared.models.call import Call, CallOutcome, CallStatus, is_erased_number
from shared.models.retell import RetellChat
from shared.models.settings import ClinicSettings
from shared.models.texts import CallText, TextAnalysis, TextReason, TextStatus, TextTrigger

OPT_OUT_WORDS = frozenset(
    {"stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "opt out", "opt-out"}
    | {"alto", "para", "parar", "baja", "cancelar", "no más", "no mas"}
)
"""Replies that opt out of texts: the keywords US carriers honour (CTIA), and their usual Spanish ones. A reply that
is one of them, alone, ignoring case and punctuation around it, lists the number on the do-not-call list."""

CHAT_SETTLE = timedelta(minutes=10)
"""A claimed text with no chat id this long after the claim has no execute still sending it: the reconciler looks for
it in Retell."""
CHAT_LONGEST = timedelta(hours=26)
"""How long a text conversation may stay open before the reconciler reads it: Retell ends a chat after the agent's
silence limit (a day at most in ``make retell-agent``'s agents), plus a margin."""
CHAT_ANALYSIS_WAIT = timedelta(minutes=10)
"""Retell analyses a chat within a minute or two of its end; this long without it, ask for it."""


class TextMisconfigured(Exception):
    """No text agent or number for the call's language, here or in the deployment."""


def trigger_of(call: Call) -> TextTrigger | None:
    """What about the way ``call`` ended calls for a text: its attempts used up on no answer or busy, or it
    completed as voicemail."""
    if call.status == CallStatus.FAILED and call.outcome in {CallOutcome.NO_ANSWER, CallOutcome.BUSY}:
        return TextTrigger.NO_ANSWER
    if call.status == CallStatus.COMPLETED and call.outcome == CallOutcome.VOICEMAIL:
        return TextTrigger.VOICEMAIL
    return None


def planned(call: Call, settings: ClinicSettings, now: datetime, token: str) -> Call:
    """``call`` with its text, if the way it ended calls for one under the clinic's ``textFollowUp`` and it has none
    yet: scheduled ``delayMinutes`` after now, inside the owner's hours, or skipped when the owner gave no consent
    to texts. Unchanged (the same object) otherwise."""
    policy = settings.text_follow_up
    trigger = trigger_of(call)
    if not policy.enabled or call.text is not None or trigger is None or trigger not in policy.when:
        return call
    if is_erased_number(call.phone_number):
        return call
    if call.consent is None or not call.consent.allows_text:
        skipped = CallText(status=TextStatus.SKIPPED, reason=TextReason.NO_TEXT_CONSENT, trigger=trigger)
        return call.model_copy(update={"text": skipped})
    at = next_text_time(settings, call.phone_number, now + timedelta(minutes=policy.delay_minutes))
    text = CallText(status=TextStatus.SCHEDULED, scheduled_for=at, trigger=trigger)
    return call.model_copy(update={"text": text, "text_token": token})


def next_text_time(settings: ClinicSettings, phone_number: str, at: datetime) -> datetime:
    """The first instant at or after ``at`` inside the owner's hours in every zone of the number (texts are not
    bound to the clinic's business hours: the owner reads them when they like, but is not woken by one)."""
    calendars = owner_calendars(owner_zones(phone_number, settings.timezone), settings.owner_calling_hours)
    candidate = at.astimezone(UTC)
    horizon = candidate + timedelta(days=SEARCH_HORIZON_DAYS)
    while candidate <= horizon:
        for calendar in calendars:
            candidate = calendar.next_open_slot(candidate)
        if all(calendar.is_open(candidate) for calendar in calendars):
            return candidate
    return candidate  # owner hours are at least a minute a day: never reached


def text_allowed_now(settings: ClinicSettings, phone_number: str, now: datetime) -> bool:
    return next_text_time(settings, phone_number, now) == now.astimezone(UTC)


def is_due(call: Call, token: str) -> bool:
    """The schedule holding ``token`` may send the call's text: it is the text's current one and not yet claimed."""
    return call.text is not None and call.text.status == TextStatus.SCHEDULED and call.text_token == token


def claim(call: Call, token: str, now: datetime) -> Call | None:
    """The text claimed for sending (``sent``, no chat id yet); ``None`` if this schedule may not send it."""
    if not is_due(call, token) or call.text is None:
        return None
    text = call.text.model_copy(update={"status": TextStatus.SENT})
    return call.model_copy(update={"text": text, "text_claimed_at": now})


def moved(call: Call, token: str, at: datetime, new_token: str) -> Call | None:
    """The text moved to ``at`` (outside the owner's hours now) under a new schedule token."""
    if not is_due(call, token) or call.text is None:
        return None
    return call.model_copy(update={"text": call.text.model_copy(update={"scheduled_for": at}), "text_token": new_token})


def closed(call: Call, token: str | None, status: TextStatus, reason: TextReason) -> Call | None:
    """The text ``failed`` or ``skipped`` with ``reason``; ``None`` if it is final already (or ``token`` is not its
    schedule's, when given)."""
    if call.text is None or call.text.status.is_final:
        return None
    if token is not None and not is_due(call, token):
        return None
    return call.model_copy(update={"text": call.text.model_copy(update={"status": status, "reason": reason})})


def started(call: Call, chat_id: str, now: datetime) -> Call | None:
    """The chat id Retell gave the claimed text."""
    text = call.text
    if text is None or text.status != TextStatus.SENT or text.chat_id is not None:
        return None
    return call.model_copy(update={"text": text.model_copy(update={"chat_id": chat_id, "started_at": now})})


def applied(call: Call, chat: RetellChat) -> Call | None:
    """``call``'s text after what Retell says of its chat; ``None`` when that changes nothing (a repeat, an event of
    another chat, a final text with nothing new)."""
    text = call.text
    if text is None or text.status in {TextStatus.SCHEDULED, TextStatus.SKIPPED}:
        return None
    if text.chat_id is not None and text.chat_id != chat.chat_id:
        return None
    replies = chat.owner_replies()
    update: dict[str, Any] = {"chat_id": chat.chat_id}
    if text.started_at is None and chat.started_at is not None:
        update["started_at"] = chat.started_at
    if chat.transcript:
        update["transcript"] = keep_transcript(chat.transcript)
    if chat.is_over and not text.status.is_final:
        update["ended_at"] = chat.ended_at
        if chat.chat_status == "error" and not replies:
            update["status"], update["reason"] = TextStatus.FAILED, TextReason.CHAT_ERROR
        else:
            update["status"] = TextStatus.REPLIED if replies else TextStatus.ENDED
    analysis = _with_opt_out(chat.analysis(), replies)
    if analysis is not None:
        update["analysis"] = analysis
    new = text.model_copy(update=update)
    if new == text:
        return None
    return call.model_copy(update={"text": new})


def _with_opt_out(analysis: TextAnalysis | None, replies: tuple[str, ...]) -> TextAnalysis | None:
    if not any(is_opt_out(reply) for reply in replies):
        return analysis
    return (analysis or TextAnalysis()).model_copy(update={"do_not_call_requested": True})


_AROUND = re.compile(r"^[\s\W]+|[\s\W]+$")


def is_opt_out(reply: str) -> bool:
    """``reply`` is an opt-out keyword on its own (``STOP``, ``Stop.``, `` unsubscribe ``, ``ALTO``)."""
    return _AROUND.sub("", reply).lower() in OPT_OUT_WORDS


def owner_opted_out(chat: RetellChat) -> bool:
    """The owner asked not to be contacted again: a reply that is an opt-out keyword, or the text agent's analysis."""
    analysis = chat.analysis()
    return any(is_opt_out(reply) for reply in chat.owner_replies()) or bool(
        analysis is not None and analysis.do_not_call_requested
    )


# -- what is sent to Retell ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextDefaults:
    """The deployment's text agent and number for clinics without their own."""

    text_agent_id: str | None = None
    from_number: str | None = None


@dataclass(frozen=True)
class ChatSpec:
    from_number: str
    to_number: str
    agent_id: str
    metadata: dict[str, Any]
    dynamic_variables: dict[str, str]


def text_agent(settings: ClinicSettings, language: str, defaults: TextDefaults) -> str | None:
    """The clinic's text agent for ``language``, else the deployment's."""
    agents = settings.agents.get(language)
    return (agents.text_agent_id if agents is not None else None) or defaults.text_agent_id


def chat_spec(call: Call, settings: ClinicSettings, defaults: TextDefaults) -> ChatSpec:
    agent_id = text_agent(settings, call.language, defaults)
    from_number = settings.from_number or defaults.from_number
    if agent_id is None or from_number is None:
        missing = [name for name, value in (("textAgentId", agent_id), ("fromNumber", from_number)) if not value]
        raise TextMisconfigured(f"no {' or '.join(missing)} for {call.language}, in the clinic or the deployment")
    identity = clinic_identity(call.clinic_name, call.clinic_phone, settings)
    return ChatSpec(
        from_number=from_number,
        to_number=call.phone_number,
        agent_id=agent_id,
        metadata={"call_id": call.call_id, "clinic_id": call.clinic_id, "text": True},
        dynamic_variables=dynamic_variables(call, identity),
    )


def tally(before: Call, after: Call) -> tuple[int, int]:
    """What a write of ``after`` over ``before`` adds to the clinic's text tallies: a text that just got its chat
    (it went out), a text whose owner just replied."""
    was, now = before.text, after.text
    sent = int(now is not None and now.chat_id is not None and (was is None or was.chat_id is None))
    replied = int(
        now is not None and now.status == TextStatus.REPLIED and (was is None or was.status != TextStatus.REPLIED)
    )
    return sent, replied
