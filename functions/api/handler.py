"""The calls API (API Gateway HTTP API, payload v2): one resolver, routes in ``routes/``.

Before routing, the handler refuses oversized bodies, applies the auth rule (so a caller without the right to a
route learns nothing about the validity of what they sent), charges the caller's clinic one request of its budget
(``429 clinic_rate_limited`` once the clinic has used up its share of the API: ``shared.logic.request_budget``),
then refuses bodies no route can take (not JSON, not UTF-8, nested too deeply, numbers no store can hold): no route
ever parses hostile bytes, and no service runs for a clinic over its budget.

The public routes are not charged: they name no clinic, and API Gateway gives each its own throttle. The Retell
webhook is another function's and never reaches this one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext

from api.routes import answer_rates, calls, clinic, do_not_call, erasure, integrations, overview
from shared.api.auth import authorize
from shared.api.envelope import failure_responses, success_response
from shared.api.errors import register_error_handlers
from shared.api.refusals import refusal
from shared.api.request_body import check_body_size, check_json_body
from shared.bootstrap.api import ApiServices, api_from_environment
from shared.bootstrap.common import validate_environment
from shared.models.errors import ClinicRateLimited, DomainError
from shared.observability import logger, metrics, tracer
from shared.telemetry import Metric

validate_environment(retell=True, api=True)

PUBLIC_ROUTES = frozenset({("GET", "/health")})

app = APIGatewayHttpResolver(enable_validation=True)
register_error_handlers(app)
app.include_router(calls.router)
app.include_router(clinic.router)
app.include_router(integrations.router)
app.include_router(overview.router)
app.include_router(do_not_call.router)
app.include_router(erasure.router)
app.include_router(answer_rates.router)


@app.get(
    "/health",
    summary="Liveness",
    tags=["health"],
    responses=success_response(200, 'The API is up: `{"status": "ok"}`') | failure_responses(budgeted=False),
)
def health() -> dict[str, str]:
    return {"status": "ok"}


services: Callable[[], ApiServices] = cache(api_from_environment)
"""This container's services: built on first use, reused while the container is warm."""


def _refusal(event: APIGatewayProxyEventV2, services: ApiServices) -> dict[str, Any] | None:
    http, limit, encoded = event.request_context.http, services.config.max_body_bytes, bool(event.is_base64_encoded)
    try:
        check_body_size(event.body, base64_encoded=encoded, max_bytes=limit)
        if (http.method.upper(), event.raw_path) not in PUBLIC_ROUTES:
            principal = authorize(event)
            services.budget.charge(principal.clinic_id)
            app.append_context(principal=principal)
        content_type = event.headers.get("content-type")
        check_json_body(event.body, base64_encoded=encoded, content_type=content_type, max_bytes=limit)
    except ClinicRateLimited as error:
        metrics.add_metric(name=Metric.CLINIC_RATE_LIMITED, unit=MetricUnit.Count, value=1)
        return refusal(error)
    except DomainError as error:
        return refusal(error)
    return None


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    answer: dict[str, Any] = handle(event, context, services=services())
    return answer


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handle(event: dict[str, Any], context: LambdaContext, *, services: ApiServices) -> dict[str, Any]:
    refusal = _refusal(APIGatewayProxyEventV2(event), services)
    if refusal is not None:
        app.clear_context()
        return refusal
    app.append_context(services=services)
    return app.resolve(event, context)
