"""Calling safety's shapes: the owner's consent as recorded, and the entries of the clinic's do-not-call list (what
the API takes for them, and its page of the list, are in ``shared.models.requests``)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from shared.models.base import ApiModel, UtcDatetime
from shared.models.texts import ConsentChannel, call_only


class CallConsent(ApiModel):
    """Consent as recorded with the call: what was said, who recorded it and when."""

    given: bool
    method: str
    note: str | None = None
    recorded_by: str
    recorded_at: UtcDatetime
    channels: list[ConsentChannel] = Field(
        default_factory=call_only, description="What the owner agreed to: `call`, and `text` for a text"
    )

    @property
    def allows_text(self) -> bool:
        return self.given and "text" in self.channels


class DoNotCallSource(StrEnum):
    CLINIC = "clinic"  # added by someone at the clinic
    OWNER_REQUEST = "owner_request"  # the owner asked the agent not to be called again


class DoNotCallEntry(ApiModel):
    phone_number: str = Field(description="E.164")
    reason: str
    added_at: UtcDatetime
    added_by: str
    source: DoNotCallSource
