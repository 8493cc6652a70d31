"""What Retell sends to the webhook (``{"event": ..., "call": {...}}``), reduced to the fields we use.

Retell adds fields over time, so unknown ones are ignored; the ones we rely on are validated.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt

from shared.models.call import OWNER_CONCERNS_MAX_CHARS, CallAnalysis
from shared.models.texts import TextAnalysis

LIFECYCLE_EVENTS = frozenset({"call_started", "call_ended", "call_analyzed"})
CHAT_EVENTS = frozenset({"chat_started", "chat_ended", "chat_analyzed"})


def _int_or_none(value: Any) -> Any:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


class OurMetadata(BaseModel):
    """The metadata execute puts on every dial, echoed back by Retell."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    call_id: str = Field(min_length=1, max_length=64)
    clinic_id: str = Field(min_length=1, max_length=128)
    attempt: Annotated[int, BeforeValidator(_int_or_none)] = Field(ge=1)


class RetellCallAnalysis(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    call_summary: str | None = None
    user_sentiment: str | None = None
    call_successful: StrictBool | None = None
    in_voicemail: StrictBool | None = None
    custom_analysis_data: dict[str, Any] | None = None

    def as_analysis(self) -> CallAnalysis:
        return CallAnalysis(
            summary=self.call_summary,
            sentiment=self.user_sentiment,
            successful=self.call_successful,
            in_voicemail=self.in_voicemail,
            **follow_up_fields(self.custom_analysis_data),
        )


def follow_up_fields(custom: dict[str, Any] | None) -> dict[str, Any]:
    """The agent's post-conversation analysis fields that decide a follow-up (``make retell-agent`` defines them for
    the voice and the text agents alike), read defensively: short text and true flags only."""
    values = custom or {}
    return {
        "pet_condition": _text(values.get("pet_condition"), 40),
        "owner_concerns": _text(values.get("owner_concerns"), OWNER_CONCERNS_MAX_CHARS),
        "callback_requested": _flag(values.get("callback_requested")),
        "do_not_call_requested": _flag(values.get("do_not_call_requested")),
    }


def _text(value: Any, limit: int) -> str | None:
    """A custom analysis value as short text: strings (and lists of strings, joined) only, cut to ``limit``."""
    if isinstance(value, list):
        value = "; ".join(part for part in value if isinstance(part, str))
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "yes"}:
        return True
    return None


def _from_epoch_ms(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value / 1000, UTC) if value is not None else None


class RetellCall(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    call_id: str = Field(min_length=1, max_length=128)
    call_status: str | None = None
    metadata: dict[str, Any] | None = None
    disconnection_reason: str | None = None
    start_timestamp: StrictInt | None = None
    end_timestamp: StrictInt | None = None
    # No length limits: Retell's real payloads are what they are (a long call's transcript, a long signed link).
    # The transcript is shortened where it is stored; the recording link is never stored (it expires).
    transcript: str | None = None
    recording_url: str | None = None
    call_analysis: RetellCallAnalysis | None = None

    @property
    def started_at(self) -> datetime | None:
        return _from_epoch_ms(self.start_timestamp)

    @property
    def ended_at(self) -> datetime | None:
        return _from_epoch_ms(self.end_timestamp)

    def ours(self) -> OurMetadata | None:
        """Our ids from the metadata, or ``None`` for a call this system did not place."""
        try:
            return OurMetadata.model_validate(self.metadata or {})
        except ValueError:
            return None


class RetellWebhook(BaseModel):
    """A call event. Chat events (``chat_*``) carry ``chat`` instead of ``call``, and future kinds may carry
    anything: only the lifecycle events are read beyond their ``event``."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    event: str = Field(min_length=1, max_length=64)
    call: RetellCall


class OurChatMetadata(BaseModel):
    """The metadata execute puts on every text's chat, echoed back by Retell."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    call_id: str = Field(min_length=1, max_length=64)
    clinic_id: str = Field(min_length=1, max_length=128)


class RetellChatAnalysis(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    chat_summary: str | None = None
    user_sentiment: str | None = None
    chat_successful: StrictBool | None = None
    custom_analysis_data: dict[str, Any] | None = None

    def as_analysis(self) -> TextAnalysis:
        return TextAnalysis(
            summary=self.chat_summary,
            sentiment=self.user_sentiment,
            successful=self.chat_successful,
            **follow_up_fields(self.custom_analysis_data),
        )


class RetellChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    role: str | None = None
    content: str | None = None


class RetellChat(BaseModel):
    """A chat (a text conversation) as Retell gives it, in a chat webhook or get-chat."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    chat_id: str = Field(min_length=1, max_length=128)
    chat_status: str | None = None  # ``ongoing`` | ``ended`` | ``error``
    metadata: dict[str, Any] | None = None
    start_timestamp: StrictInt | None = None
    end_timestamp: StrictInt | None = None
    transcript: str | None = None
    message_with_tool_calls: list[RetellChatMessage] | None = None
    chat_analysis: RetellChatAnalysis | None = None

    @property
    def started_at(self) -> datetime | None:
        return _from_epoch_ms(self.start_timestamp)

    @property
    def ended_at(self) -> datetime | None:
        return _from_epoch_ms(self.end_timestamp)

    @property
    def is_over(self) -> bool:
        return self.chat_status in {"ended", "error"}

    def owner_replies(self) -> tuple[str, ...]:
        """What the owner wrote, in order (the agent's messages and tool calls left out); from the transcript's
        ``User:`` lines when the chat comes without its messages."""
        if self.message_with_tool_calls is None:
            lines = (self.transcript or "").splitlines()
            return tuple(line.removeprefix("User:").strip() for line in lines if line.startswith("User:"))
        return tuple(
            message.content
            for message in self.message_with_tool_calls
            if message.role == "user" and message.content and message.content.strip()
        )

    def analysis(self) -> TextAnalysis | None:
        return self.chat_analysis.as_analysis() if self.chat_analysis is not None else None

    def ours(self) -> OurChatMetadata | None:
        try:
            return OurChatMetadata.model_validate(self.metadata or {})
        except ValueError:
            return None


class RetellChatWebhook(BaseModel):
    """A chat event: ``chat_started``, ``chat_ended`` or ``chat_analyzed``, with the chat."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    event: str = Field(min_length=1, max_length=64)
    chat: RetellChat


class RetellEvent(BaseModel):
    """Any event Retell sends, as documented: the call events (``call_started``, ``call_ended``, ``call_analyzed``)
    carry ``call`` (as ``RetellWebhook`` reads it); chat events carry ``chat``; kinds added later may carry anything.
    Only the call events are read beyond ``event``."""

    model_config = ConfigDict(extra="allow", hide_input_in_errors=True)

    event: str = Field(min_length=1, max_length=64)
    call: Any = Field(default=None, description="On call events: the call (`call_id`, `metadata`, ...)")
    chat: Any = Field(default=None, description="On chat events (`chat_started`, `chat_ended`, `chat_analyzed`)")


class WebhookKind(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    event: str = Field(min_length=1, max_length=64)

    @property
    def is_lifecycle(self) -> bool:
        return self.event in LIFECYCLE_EVENTS

    @property
    def is_chat(self) -> bool:
        return self.event in CHAT_EVENTS
