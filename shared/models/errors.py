"""The error catalogue: every error the system raises on purpose, each with its stable ``code`` (snake_case, what
clients branch on) and its ``kind`` (the class of failure, which ``shared.api.refusals`` maps to one HTTP status).

Every ``DomainError`` subclass lives in this module (a test checks it), so this file is the full list of what a
client can be told; ``scripts/error_codes.py`` writes the codes out for the extension and the dashboard.
"""

from __future__ import annotations

import math
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.models.base import format_utc


class ErrorKind(StrEnum):
    """The class of failure; the API layer turns each kind into one HTTP status."""

    BAD_REQUEST = "bad_request"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    VALIDATION = "validation"
    TOO_LARGE = "too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    TOO_MANY_REQUESTS = "too_many_requests"
    INTERNAL = "internal"
    UNAVAILABLE = "unavailable"


class DomainError(Exception):
    """Base of every error the system raises on purpose (raise a subclass: each names its own code)."""

    kind: ErrorKind = ErrorKind.INTERNAL
    code: str = "internal_error"
    default_message: str = "Something went wrong on our side; nothing was changed."

    def __init__(self, message: str | None = None, *, details: list[dict[str, Any]] | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)
        self.details = details or []

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries besides the error body (``Retry-After``, for one)."""
        return {}


# -- the kinds, each with its generic code ----------------------------------------------------------------------


class InternalError(DomainError):
    """Nothing raises it on purpose: it names what an unexpected exception is answered with."""


class BadRequest(DomainError):
    kind = ErrorKind.BAD_REQUEST
    code = "bad_request"


class Unauthenticated(DomainError):
    kind = ErrorKind.UNAUTHENTICATED
    code = "unauthenticated"


class Forbidden(DomainError):
    kind = ErrorKind.FORBIDDEN
    code = "forbidden"


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND
    code = "not_found"


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT
    code = "conflict"


class ValidationFailed(DomainError):
    kind = ErrorKind.VALIDATION
    code = "validation_error"


class PayloadTooLarge(DomainError):
    kind = ErrorKind.TOO_LARGE
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    kind = ErrorKind.UNSUPPORTED_MEDIA_TYPE
    code = "unsupported_media_type"


class TooManyRequests(DomainError):
    kind = ErrorKind.TOO_MANY_REQUESTS
    code = "too_many_requests"
    default_message = "Too many requests; wait a moment and try again."


class Unavailable(DomainError):
    """A service we depend on did not answer; nothing was changed, and asking again later may work."""

    kind = ErrorKind.UNAVAILABLE
    code = "unavailable"


# -- the request itself ------------------------------------------------------------------------------------------


class MalformedJson(BadRequest):
    code = "malformed_json"
    default_message = "The request body is not valid JSON."


class InvalidEncoding(BadRequest):
    code = "invalid_encoding"


class InvalidNextToken(BadRequest):
    code = "invalid_next_token"
    default_message = "nextToken is not one this API issued for this list; start again without it."


class RouteNotFound(NotFound):
    code = "route_not_found"
    default_message = "There is no such route in this API."


# -- the Retell webhook ------------------------------------------------------------------------------------------


class UnreadableBody(BadRequest):
    code = "unreadable_body"
    default_message = "The body is not UTF-8 text of a sensible size."


class InvalidSignature(Unauthenticated):
    code = "invalid_signature"
    default_message = "The x-retell-signature header is missing or invalid."


class InvalidPayload(BadRequest):
    code = "invalid_payload"
    default_message = "The body is not a Retell call event."


# -- calls -------------------------------------------------------------------------------------------------------


class CallNotFound(NotFound):
    code = "call_not_found"

    def __init__(self, call_id: str):
        super().__init__(f"No call with id {call_id!r} exists in this clinic.")


class InvalidState(Conflict):
    code = "invalid_state"

    def __init__(self, call_id: str, status: str, action: str):
        super().__init__(
            f"Call {call_id} is {status}; it can only be {action} while it is scheduled.",
            details=[{"callId": call_id, "status": status}],
        )


class NoFollowUpNeeded(Conflict):
    code = "no_follow_up_needed"

    def __init__(self, call_id: str):
        super().__init__(
            f"Call {call_id} needs no follow-up: it was never flagged, or its follow-up was already marked done.",
            details=[{"callId": call_id}],
        )


class ConcurrentUpdate(Conflict):
    code = "concurrent_update"

    def __init__(self, call_id: str):
        super().__init__(f"Call {call_id} was changed by someone else meanwhile; reload it and try again.")


class ChangedMeanwhile(Conflict):
    """The client said which version of the call it decided on (``If-Match``), and the call has moved on since."""

    code = "changed_meanwhile"

    def __init__(self, call_id: str, version: int, status: str):
        super().__init__(
            f"Call {call_id} was changed by someone else after you loaded it; nothing was changed. "
            "Look at it as it is now and decide again.",
            details=[{"callId": call_id, "version": version, "status": status}],
        )


class DuplicateConsultation(Conflict):
    code = "duplicate_consultation"

    def __init__(self, existing_call_id: str, consultation_id: str):
        super().__init__(
            f"Consultation {consultation_id} already has an active call ({existing_call_id}); "
            "change or cancel that call instead.",
            details=[{"callId": existing_call_id, "consultationId": consultation_id}],
        )
        self.existing_call_id = existing_call_id


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was already used for a different request; use a new key."


class ScheduledInPast(ValidationFailed):
    code = "scheduled_in_past"

    def __init__(self, requested: datetime, now: datetime):
        super().__init__(
            "scheduledFor is in the past; choose a time from now on, or leave it out for the next open slot.",
            details=[{"field": "scheduledFor", "requested": requested.isoformat(), "now": now.isoformat()}],
        )


class OutsideBusinessHours(Conflict):
    code = "outside_business_hours"

    def __init__(self, next_open_slot: datetime):
        super().__init__(
            f"The clinic is closed now; the next open slot is {format_utc(next_open_slot)}. "
            "Schedule the call for then instead.",
            details=[{"nextOpenSlot": format_utc(next_open_slot)}],
        )


class NoOpenSlot(ValidationFailed):
    code = "no_open_slot"


class NoRecording(NotFound):
    code = "no_recording"

    def __init__(self, call_id: str):
        super().__init__(
            f"Call {call_id} has no recording: it has not been answered yet, or Retell kept none.",
            details=[{"callId": call_id}],
        )


class RetellUnreachable(Unavailable):
    code = "retell_unavailable"
    default_message = "Retell did not answer just now; nothing was changed. Try again in a minute."


# -- calling safety ------------------------------------------------------------------------------------------------


class ConsentRequired(ValidationFailed):
    code = "consent_required"
    default_message = (
        "The owner's consent to an automated call is not recorded; ask them, then send consent.given = true "
        "(the clinic's requireConsent setting is on)."
    )

    def __init__(self) -> None:
        super().__init__(details=[{"field": "consent", "message": "the owner's consent is required"}])


class LanguageUnsupported(ValidationFailed):
    code = "language_unsupported"

    def __init__(self, language: str, languages: list[str]):
        super().__init__(
            f"The clinic has no agent for {language}; it calls in {', '.join(languages)}. Add an agent for {language} "
            "in the clinic's settings (agents), or choose one of those.",
            details=[{"field": "language", "language": language, "supported": languages}],
        )


class OnDoNotCallList(ValidationFailed):
    code = "do_not_call"

    def __init__(self, phone_number: str, reason: str):
        super().__init__(
            f"{phone_number} is on the clinic's do-not-call list ({reason}); it will not be called.",
            details=[{"field": "phoneNumber", "message": "this number is on the do-not-call list"}],
        )


class ClinicIdentityMissing(ValidationFailed):
    code = "clinic_identity_missing"

    def __init__(self, missing: list[str]):
        super().__init__(
            "The voice agent must say which clinic is calling and give a callback number: set "
            f"{' and '.join(missing)} on the call or in the clinic's settings.",
            details=[
                {"field": field, "message": "needed on the call or in the clinic's settings"} for field in missing
            ],
        )


class OutsideCallingHours(Conflict):
    """``call now`` while the clinic is open but the owner is outside their calling hours."""

    code = "outside_calling_hours"

    def __init__(self, next_open_slot: datetime, owner_hours: str):
        super().__init__(
            f"It is outside the owner's calling hours ({owner_hours}) now; the next time the call may be placed is "
            f"{format_utc(next_open_slot)}. Schedule the call for then instead.",
            details=[{"nextOpenSlot": format_utc(next_open_slot)}],
        )


class CallInProgress(Conflict):
    """An erasure while a call to the number is being dialed or is under way."""

    code = "call_in_progress"
    default_message = "A call to this number is being dialed or is under way; erase the owner's data once it has ended."


class NotOnDoNotCallList(NotFound):
    code = "not_on_do_not_call_list"

    def __init__(self, phone_number: str):
        super().__init__(f"{phone_number} is not on the clinic's do-not-call list.")


# -- the API's budget -------------------------------------------------------------------------------------------------


class ClinicRateLimited(TooManyRequests):
    """The clinic used up its request budget for the current window (``shared.logic.request_budget``): this request
    was not served; the next window opens at ``retry_at``."""

    code = "clinic_rate_limited"

    def __init__(self, retry_at: datetime, now: datetime, limit: int, window_seconds: int):
        self.retry_after_seconds = max(1, math.ceil((retry_at - now).total_seconds()))
        super().__init__(
            f"Your clinic made more than {limit} requests in {window_seconds} s, its share of the API; "
            f"try again in {self.retry_after_seconds} s.",
            details=[
                {
                    "retryAfterSeconds": self.retry_after_seconds,
                    "retryAt": format_utc(retry_at),
                    "limit": limit,
                    "windowSeconds": window_seconds,
                }
            ],
        )

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


def error_classes() -> list[type[DomainError]]:
    """Every subclass of ``DomainError`` defined so far, wherever it was defined."""
    found: list[type[DomainError]] = []
    pending = DomainError.__subclasses__()
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def catalogue() -> dict[str, type[DomainError]]:
    """Every error class by its code (a code named twice is a bug the tests catch)."""
    return {cls.code: cls for cls in error_classes()}


# -- clinic settings -----------------------------------------------------------------------------------------------


class WebhookUrlNotWhole(ValidationFailed):
    """A shown (masked) webhook URL sent back that is not the one saved: the whole URL is needed to change it."""

    code = "webhook_url_not_whole"

    def __init__(self) -> None:
        super().__init__(
            "notifications.webhookUrl is shown masked and cannot be saved as it is: paste the whole webhook URL to "
            "change it, send the masked value back (or leave it out) to keep it, or null to remove it.",
            details=[{"field": "notifications.webhookUrl", "message": "paste the whole webhook URL"}],
        )
