"""Failures as the contract's error body and their HTTP status: the one mapping from an error's kind to a status.

Plain Python (no Powertools event handler), so the webhook and execute functions, which answer before or without
the API's resolver, do not import the event handler at start (about 30 ms each); ``shared.api.errors`` adds the
resolver's side.
"""

from __future__ import annotations

import json
from typing import Any

from shared.models.errors import DomainError, ErrorKind

STATUS_BY_KIND: dict[ErrorKind, int] = {
    ErrorKind.BAD_REQUEST: 400,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorKind.VALIDATION: 422,
    ErrorKind.TOO_MANY_REQUESTS: 429,
    ErrorKind.INTERNAL: 500,
    ErrorKind.UNAVAILABLE: 503,
}


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": message, "details": details or []}}


def refusal(error: DomainError) -> dict[str, Any]:
    """An API Gateway (payload v2) response, for answers given before (or without) the resolver."""
    return {
        "statusCode": STATUS_BY_KIND[error.kind],
        "headers": {"Content-Type": "application/json", **error.headers()},
        "body": json.dumps(error_body(error.code, error.message, error.details)),
        "isBase64Encoded": False,
    }


def describe_validation_errors(errors: Any) -> list[dict[str, Any]]:
    """Field, message and type of each validation error; never the input itself (it may be personal data)."""
    described = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        where = location[0] if location and location[0] in {"body", "query", "path", "header"} else "body"
        field = ".".join(location[1:] if location and location[0] == where else location)
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        described.append({"location": where, "field": field, "message": message, "type": error.get("type")})
    return described
