"""A call's text follow-up: the one SMS conversation the clinic's text agent may hold with the owner after the phone
went unanswered (Retell's SMS chat), and the language a call is held in."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from shared.models.base import ApiModel, UtcDatetime

_LANGUAGE = re.compile(r"([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|\d{3}))?")


def _canonical_language(value: str) -> str:
    match = _LANGUAGE.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"{value!r} is not a BCP 47 language tag such as en-US or es-US")
    language, script, region = match.groups()
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


LanguageTag = Annotated[str, Field(max_length=16), AfterValidator(_canonical_language)]
"""A BCP 47 tag (language, optional script, optional region), written canonically: ``es-us`` is ``es-US``."""

DEFAULT_LANGUAGE = "en-US"

ConsentChannel = Literal["call", "text"]


def call_only() -> list[ConsentChannel]:
    """Consent's channels when none are named: the call alone."""
    return ["call"]


class TextStatus(StrEnum):
    SCHEDULED = "scheduled"  # waiting for its time
    SENT = "sent"  # the conversation was started: the first text went out
    REPLIED = "replied"  # over, and the owner replied
    ENDED = "ended"  # over, without a reply
    FAILED = "failed"  # it could not be sent (``reason`` says why)
    SKIPPED = "skipped"  # due by the clinic's setting, but not allowed (no text consent, do-not-call, ...)

    @property
    def is_final(self) -> bool:
        return self in FINAL_TEXT_STATUSES


FINAL_TEXT_STATUSES = frozenset({TextStatus.REPLIED, TextStatus.ENDED, TextStatus.FAILED, TextStatus.SKIPPED})


class TextReason(StrEnum):
    """Why a text was skipped, failed, or ended without its end being recorded (``text.reason``)."""

    NO_TEXT_CONSENT = "no_text_consent"  # the owner did not agree to texts
    DO_NOT_CALL = "do_not_call"  # the number is on the clinic's do-not-call list
    TEXTS_TURNED_OFF = "texts_turned_off"  # the clinic turned texts off after this one was planned
    ERASED = "erased"  # the owner's data was erased before it went
    NO_TEXT_AGENT = "no_text_agent"  # no text agent (or number) for the call's language
    RETELL_REFUSED = "retell_refused"  # Retell refused to start the chat
    NOT_CONFIRMED = "not_confirmed"  # claimed, but Retell shows no chat for it: never sent again
    CHAT_MISSING = "chat_missing"  # Retell has no record of the chat it started
    CHAT_ERROR = "chat_error"  # the chat ended in an error before the owner wrote
    CHAT_UNFINISHED = "chat_unfinished"  # Retell still shows it open long after it should have ended


class TextTrigger(StrEnum):
    """What ends a call in a way that calls for a text (``textFollowUp.when``)."""

    NO_ANSWER = "no_answer"  # failed with its attempts used up on no answer or busy
    VOICEMAIL = "voicemail"  # completed as voicemail


class TextAnalysis(ApiModel):
    summary: str | None = None
    sentiment: str | None = None
    successful: bool | None = None
    # From the text agent's analysis (``custom_analysis_data``), what decides a follow-up, as for calls
    pet_condition: str | None = None
    owner_concerns: str | None = None
    callback_requested: bool | None = None
    do_not_call_requested: bool | None = None


class CallText(ApiModel):
    """The call's text follow-up, once one is due."""

    status: TextStatus
    scheduled_for: UtcDatetime | None = Field(default=None, description="When the text is (or was) to go out")
    chat_id: str | None = Field(default=None, description="Retell's chat id, once started")
    started_at: UtcDatetime | None = None
    ended_at: UtcDatetime | None = None
    transcript: str | None = Field(default=None, description="The conversation, `Agent: ...` / `User: ...` lines")
    analysis: TextAnalysis | None = None
    reason: TextReason | None = Field(default=None, description="Why it failed or was skipped")
    trigger: TextTrigger | None = Field(default=None, description="What made the text due: `no_answer`, `voicemail`")
