"""Calling safety's shapes: the owner's consent as given and as recorded, and the clinic's do-not-call list."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from shared.models.base import ApiModel, StrictApiModel, UtcDatetime

ConsentMethod = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_]{1,64}$")]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ConsentInput(StrictApiModel):
    """The owner's consent to an automated call, as the person scheduling it records it."""

    given: bool = Field(description="The owner agreed to be called by the clinic's voice agent")
    method: ConsentMethod = Field(
        default="verbal_at_discharge", description="How it was given, snake_case (e.g. `verbal_at_discharge`)"
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class CallConsent(ApiModel):
    """Consent as recorded with the call: what was said, who recorded it and when."""

    given: bool
    method: str
    note: str | None = None
    recorded_by: str
    recorded_at: UtcDatetime


def recorded_consent(consent: ConsentInput, user_id: str, now: datetime) -> CallConsent:
    return CallConsent(
        given=consent.given, method=consent.method, note=consent.note, recorded_by=user_id, recorded_at=now
    )


class DoNotCallSource(StrEnum):
    CLINIC = "clinic"  # added by someone at the clinic
    OWNER_REQUEST = "owner_request"  # the owner asked the agent not to be called again


class DoNotCallRequest(StrictApiModel):
    """``PUT /clinic/do-not-call/{phoneNumber}``."""

    reason: Reason


class DoNotCallEntry(ApiModel):
    phone_number: str = Field(description="E.164")
    reason: str
    added_at: UtcDatetime
    added_by: str
    source: DoNotCallSource


class DoNotCallList(ApiModel):
    items: list[DoNotCallEntry]
