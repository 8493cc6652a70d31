"""The one place where failures become HTTP responses with the contract's error body."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import ValidationError

from shared.models.errors import (
    DomainError,
    ErrorKind,
    InternalError,
    MalformedJson,
    RouteNotFound,
    ValidationFailed,
)
from shared.observability import logger

STATUS_BY_KIND: dict[ErrorKind, int] = {
    ErrorKind.BAD_REQUEST: 400,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorKind.VALIDATION: 422,
    ErrorKind.INTERNAL: 500,
    ErrorKind.UNAVAILABLE: 503,
}


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": message, "details": details or []}}


def error_response(error: DomainError) -> Response[Any]:
    return Response(
        status_code=STATUS_BY_KIND[error.kind],
        content_type=content_types.APPLICATION_JSON,
        body=error_body(error.code, error.message, error.details),
    )


def refusal(error: DomainError) -> dict[str, Any]:
    """An API Gateway (payload v2) response, for answers given before (or without) the resolver."""
    return {
        "statusCode": STATUS_BY_KIND[error.kind],
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
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


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(DomainError)
    def _domain_error(error: DomainError) -> Response[Any]:
        logger.info("request refused", extra={"status": STATUS_BY_KIND[error.kind], "code": error.code})
        return error_response(error)

    @app.exception_handler(RequestValidationError)
    def _request_invalid(error: RequestValidationError) -> Response[Any]:
        errors = list(error.errors())
        if any(item.get("type") == "json_invalid" for item in errors):
            return error_response(MalformedJson())
        details = describe_validation_errors(errors)
        return error_response(ValidationFailed(_summary(details), details=details))

    @app.exception_handler(ValidationError)
    def _model_invalid(error: ValidationError) -> Response[Any]:
        details = describe_validation_errors(error.errors())
        return error_response(ValidationFailed(_summary(details), details=details))

    @app.not_found
    def _route_not_found(_: Exception) -> Response[Any]:
        return error_response(RouteNotFound())

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[Any]:
        logger.exception("unhandled error")
        return error_response(InternalError())


def _summary(details: list[dict[str, Any]]) -> str:
    if not details:
        return "The request is invalid."
    first = details[0]
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    return f"{first['field'] or first['location']}: {first['message']}{more}"
