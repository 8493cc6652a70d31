"""Domain errors: what went wrong, in business terms. ``shared.api.errors`` maps them to HTTP in one place."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


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
    NOT_IMPLEMENTED = "not_implemented"
    UNAVAILABLE = "unavailable"


class DomainError(Exception):
    """Base of every error the system raises on purpose. ``code`` is stable snake_case for clients to branch on."""

    kind: ErrorKind = ErrorKind.BAD_REQUEST
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or []


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


class CallNotFound(NotFound):
    code = "call_not_found"

    def __init__(self, call_id: str):
        super().__init__(f"No call with id {call_id!r} exists in this clinic.")


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT
    code = "conflict"


class InvalidState(Conflict):
    code = "invalid_state"

    def __init__(self, call_id: str, status: str, action: str):
        super().__init__(
            f"Call {call_id} is {status}; it can only be {action} while it is scheduled.",
            details=[{"callId": call_id, "status": status}],
        )


class ValidationFailed(DomainError):
    kind = ErrorKind.VALIDATION
    code = "validation_error"


class PayloadTooLarge(DomainError):
    kind = ErrorKind.TOO_LARGE
    code = "payload_too_large"


class NotImplementedYet(DomainError):
    kind = ErrorKind.NOT_IMPLEMENTED
    code = "not_implemented"


class ServiceUnavailable(DomainError):
    kind = ErrorKind.UNAVAILABLE
    code = "service_unavailable"


class UnsupportedMediaType(DomainError):
    kind = ErrorKind.UNSUPPORTED_MEDIA_TYPE
    code = "unsupported_media_type"
