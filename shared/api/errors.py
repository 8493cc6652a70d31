"""The API resolver's error handlers: every failure becomes the contract's error body, with the status
``shared.api.refusals`` maps its kind to."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import ValidationError

from shared.api.refusals import STATUS_BY_KIND, describe_validation_errors, error_body
from shared.models.errors import (
    DomainError,
    InternalError,
    MalformedJson,
    RouteNotFound,
    ValidationFailed,
)
from shared.observability import logger


def error_response(error: DomainError) -> Response[Any]:
    return Response(
        status_code=STATUS_BY_KIND[error.kind],
        content_type=content_types.APPLICATION_JSON,
        body=error_body(error.code, error.message, error.details),
        headers=error.headers(),
    )


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
