"""The response envelopes of the API contract: ``{"success": true, "data": ...}`` and the error body, and the
OpenAPI ``responses`` of each route, so the document says what really comes back."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseHeader
from pydantic import BaseModel, ConfigDict, Field, RootModel

from shared.models.base import empty_list

T = TypeVar("T")


class Success(BaseModel, Generic[T]):
    success: Literal[True] = True
    data: T


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable snake_case code to branch on, e.g. invalid_state")
    message: str = Field(description="A sentence for a person")
    details: list[dict[str, Any]] = Field(default_factory=empty_list)


class Failure(BaseModel):
    success: Literal[False] = False
    error: ErrorInfo


class GatewayMessage(BaseModel):
    """What API Gateway answers by itself, before any function runs: its JWT authorizer's `401`
    (`{"message": "Unauthorized"}`), its throttling's `429` (`{"message": "Too Many Requests"}`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"message": "Unauthorized"}]})

    message: str


class Unauthorized(RootModel[GatewayMessage | Failure]):
    """API Gateway's JWT authorizer's `{"message": "Unauthorized"}`, or the error envelope when the handler refuses
    the token's claims."""


class TooManyRequestsBody(RootModel[GatewayMessage | Failure]):
    """API Gateway's throttling's `{"message": "Too Many Requests"}`, or the error envelope (`clinic_rate_limited`)
    when the clinic has used up its request budget."""


FAILURE_DESCRIPTIONS = {
    400: "A body that is not JSON (`malformed_json`) or not UTF-8 (`invalid_encoding`), or a `nextToken` this API "
    "did not issue for this query (`invalid_next_token`)",
    401: 'No bearer token, or one the JWT authorizer refuses (API Gateway\'s own `{"message": "Unauthorized"}`), '
    "or a token that names no user and clinic (the error envelope, `code: unauthenticated`)",
    403: "Signed in, but not an admin of the clinic (every write needs one)",
    404: "No such call in your clinic (another clinic's call is a 404 too)",
    409: "The call's state does not allow this, a duplicate, or a concurrent change",
    413: "The body is over 64 KB (`payload_too_large`)",
    415: "The body's `Content-Type` is not `application/json` (UTF-8) (`unsupported_media_type`)",
    422: "Invalid input: `details` names each field and why",
    429: 'Throttled by API Gateway (the stage\'s rate and burst limits): `{"message": "Too Many Requests"}`',
    503: "Retell did not answer just now (`retell_unavailable`); nothing was changed, try again shortly",
}
BUDGET_429 = (
    'Throttled: by API Gateway (the stage\'s rate and burst limits: `{"message": "Too Many Requests"}`), or because '
    "the clinic used up its request budget (`clinic_rate_limited`: `Retry-After` says in how many seconds to try "
    "again, as does `details[0].retryAfterSeconds`)"
)
RETRY_AFTER: dict[str, OpenAPIResponseHeader] = {
    "Retry-After": {
        "description": "Seconds until the clinic's next budget window (with `clinic_rate_limited`); absent when API "
        "Gateway throttled the request",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}

_BY_GATEWAY = frozenset({429})
"""Statuses only API Gateway answers: its own ``{"message"}`` body."""
_BY_AUTHORIZER_OR_HANDLER = frozenset({401})
"""Statuses the JWT authorizer answers with its ``{"message"}`` body and the handler with the error envelope."""


IDEMPOTENT_REPLAYED: dict[str, OpenAPIResponseHeader] = {
    "Idempotent-Replayed": {
        "description": "`true` when this is the first answer to an earlier request with the same `Idempotency-Key`, "
        "replayed: nothing new was created. Absent otherwise.",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def success_response(
    status: int, description: str, headers: dict[str, OpenAPIResponseHeader] | None = None
) -> dict[int, OpenAPIResponse]:
    """The route's success ``responses`` entry; its body schema is the route's return annotation (``Success[...]``)."""
    response: OpenAPIResponse = {"description": description}
    if headers:
        response["headers"] = headers
    return {status: response}


def failure_responses(
    *statuses: int, described: dict[int, str] | None = None, authorizer: bool = True, budgeted: bool = True
) -> dict[int, OpenAPIResponse]:
    """OpenAPI ``responses`` entries for ``statuses``, each with the body that really comes back: the error envelope
    from the handler, API Gateway's ``{"message"}`` for what it answers itself, or either for a ``401`` of a route
    behind the JWT ``authorizer``. ``429`` is always there: every route is behind the stage's throttling, and a
    ``budgeted`` route (every one a clinic's member calls) behind its clinic's request budget too. ``described``
    replaces the usual descriptions."""
    responses: dict[int, OpenAPIResponse] = {}
    for status in sorted({*statuses, 429}):
        model: Any = Failure
        description = FAILURE_DESCRIPTIONS[status]
        if status == 429 and budgeted:
            model, description = TooManyRequestsBody, BUDGET_429
        elif status in _BY_GATEWAY:
            model = GatewayMessage
        elif status in _BY_AUTHORIZER_OR_HANDLER and authorizer:
            model = Unauthorized
        responses[status] = {
            "description": (described or {}).get(status) or description,
            "content": {"application/json": {"model": model}},
        }
        if status == 429 and budgeted:
            responses[status]["headers"] = RETRY_AFTER
    return responses
