"""The calls API (API Gateway HTTP API, payload v2): one resolver, routes in ``routes/``.

Before routing, the handler refuses oversized bodies and applies the auth rule, so a caller without the right to
a route learns nothing about the validity of what they sent.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext

from schedule.routes import calls, clinic, integrations
from shared.api.auth import authorize
from shared.api.errors import STATUS_BY_KIND, raw_error_response, register_error_handlers
from shared.dependencies import api_config as config
from shared.dependencies import validate_environment
from shared.models.errors import DomainError
from shared.observability import logger, metrics, tracer

validate_environment(retell=False)

PUBLIC_ROUTES = frozenset({("GET", "/health")})

app = APIGatewayHttpResolver(enable_validation=True)
register_error_handlers(app)
app.include_router(calls.router)
app.include_router(clinic.router)
app.include_router(integrations.router)


@app.get("/health", summary="Liveness", tags=["health"])
def health() -> dict[str, str]:
    return {"status": "ok"}


def _refusal(event: APIGatewayProxyEventV2) -> dict[str, Any] | None:
    body = event.body or ""
    if len(body) > config().max_body_bytes * (4 / 3 if event.is_base64_encoded else 1):
        return raw_error_response(413, "payload_too_large", f"The body is over {config().max_body_bytes} bytes.")
    http = event.request_context.http
    if (http.method.upper(), event.raw_path) in PUBLIC_ROUTES:
        return None
    try:
        app.append_context(principal=authorize(event))
    except DomainError as error:
        return raw_error_response(STATUS_BY_KIND[error.kind], error.code, error.message)
    return None


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refusal = _refusal(APIGatewayProxyEventV2(event))
    if refusal is not None:
        app.clear_context()
        return refusal
    return app.resolve(event, context)
