"""What only the API takes and returns around the stored shapes: the request bodies (a call, its consent, a
follow-up, a do-not-call entry) and the pages.

Apart from ``shared.models.call`` and ``shared.models.safety`` so that the functions that never serve them (execute,
the webhook) do not build them when they start.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints, field_validator, model_validator

from shared.models.base import ApiModel, E164Phone, IanaTimezone, RequestedInstant, StrictApiModel
from shared.models.call import CallDetails, CallMetadata, CallView, LongText, Name, ShortText, SingleLine
from shared.models.safety import CallConsent, DoNotCallEntry
from shared.models.texts import ConsentChannel, LanguageTag, call_only

ConsentMethod = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_]{1,64}$")]
REASON_MAX_LENGTH = 500


def _reason_length(value: object) -> object:
    # The documented maxLength counts what was sent: trimming first would take 501 characters as 500.
    if isinstance(value, str) and len(value) > REASON_MAX_LENGTH:
        raise ValueError(f"at most {REASON_MAX_LENGTH} characters")
    return value


Reason = Annotated[
    str,
    BeforeValidator(_reason_length),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_MAX_LENGTH),
    SingleLine,
]


class ConsentInput(StrictApiModel):
    """The owner's consent to an automated call, as the person scheduling it records it."""

    given: bool = Field(description="The owner agreed to be called by the clinic's voice agent")
    method: ConsentMethod = Field(
        default="verbal_at_discharge", description="How it was given, snake_case (e.g. `verbal_at_discharge`)"
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    channels: list[ConsentChannel] = Field(
        default_factory=call_only,
        max_length=2,
        description="What the owner agreed to: `call` (always), and `text` for a text if the phone goes unanswered",
    )

    @field_validator("channels")
    @classmethod
    def _calls_included(cls, channels: list[str]) -> list[str]:
        if "call" not in channels:
            raise ValueError('must include "call": this is the consent to the call')
        return list(dict.fromkeys(channels))


def recorded_consent(consent: ConsentInput, user_id: str, now: datetime) -> CallConsent:
    return CallConsent(
        given=consent.given,
        method=consent.method,
        note=consent.note,
        recorded_by=user_id,
        recorded_at=now,
        channels=consent.channels,
    )


BEST_TIME_WINDOW_MAX = timedelta(days=7)


class ScheduleWindow(StrictApiModel):
    """Best time: the call goes at the hour in ``[from, to)`` where the clinic's owners answer most."""

    from_: RequestedInstant = Field(alias="from", description="The window's start (not in the past)")
    to: RequestedInstant = Field(description="The window's end: after `from`, at most 7 days after it")

    @model_validator(mode="after")
    def _short_and_ordered(self) -> ScheduleWindow:
        if self.to <= self.from_:
            raise ValueError("window.to must be after window.from")
        if self.to - self.from_ > BEST_TIME_WINDOW_MAX:
            raise ValueError("a window is at most 7 days long")
        return self


class ScheduleCallRequest(CallDetails):
    """``POST /calls/schedule``. No ``scheduledFor`` (and no ``window``) means the next open slot from now."""

    scheduled_for: RequestedInstant | None = None
    timezone: IanaTimezone | None = None
    consent: ConsentInput | None = Field(
        default=None, description="The owner's consent; required while the clinic's `requireConsent` is on"
    )
    language: LanguageTag | None = Field(
        default=None, description="The owner's language (BCP 47); default the clinic's `defaultLanguage`"
    )
    window: ScheduleWindow | None = Field(
        default=None,
        description="Best time, instead of `scheduledFor`: the hour in the window where owners answer most",
    )

    @model_validator(mode="after")
    def _one_time_only(self) -> ScheduleCallRequest:
        if self.window is not None and self.scheduled_for is not None:
            raise ValueError("give scheduledFor or window, not both")
        return self


class UpdateCallRequest(StrictApiModel):
    """``PATCH /calls/{callId}``: only the fields given change. ``null`` clears an optional field."""

    phone_number: E164Phone | None = None
    pet_name: Name | None = None
    owner_name: Name | None = None
    vet_name: Name | None = None
    clinic_name: Name | None = None
    clinic_phone: E164Phone | None = None
    discharge_summary: LongText | None = None
    notes: ShortText | None = None
    metadata: CallMetadata | None = None
    scheduled_for: RequestedInstant | None = None
    timezone: IanaTimezone | None = None
    consent: ConsentInput | None = None
    language: LanguageTag | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> UpdateCallRequest:
        fixed = (
            "phone_number",
            "pet_name",
            "owner_name",
            "scheduled_for",
            "timezone",
            "metadata",
            "consent",
            "language",
        )
        for field in fixed:
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be cleared")
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self


class FollowUpRequest(StrictApiModel):
    """``POST /calls/{callId}/follow-up``: what was done about it."""

    note: ShortText | None = Field(default=None, description="What the clinic did (a short note)")


class CallPage(ApiModel):
    items: list[CallView]
    next_token: str | None = None


class RecordingLink(ApiModel):
    url: str = Field(description="Signed by Retell; expires (minutes to a day): ask again rather than keep it")


class DoNotCallRequest(StrictApiModel):
    """``PUT /clinic/do-not-call/{phoneNumber}``."""

    reason: Reason


DO_NOT_CALL_PAGE = 100
"""How many entries a page of the do-not-call list holds unless ``limit`` says otherwise."""
DO_NOT_CALL_PAGE_MAX = 500


class DoNotCallList(ApiModel):
    items: list[DoNotCallEntry]
    next_token: str | None = Field(
        default=None, description="Pass as `nextToken` for the next page; null on the last page"
    )


class ErasureRequest(StrictApiModel):
    """``POST /clinic/erasure``."""

    phone_number: E164Phone = Field(description="The owner's number, in any format the schedule body accepts")


class ErasureResult(ApiModel):
    calls: int = Field(description="The clinic's calls to the number, now without the owner's data")
    retell_deleted: int = Field(description="Retell's copies deleted by this request (the rest are asked again later)")
