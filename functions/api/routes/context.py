"""Per-request values the handler puts in the resolver's context before routing."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from shared.bootstrap.api import ApiServices
from shared.models.principal import Principal


def current_principal(router: BaseRouter) -> Principal:
    principal = router.context.get("principal")
    if not isinstance(principal, Principal):  # a private route reached without the auth gate: a wiring bug
        raise RuntimeError("route called without an authorized principal")
    return principal


def current_services(router: BaseRouter) -> ApiServices:
    services = router.context.get("services")
    if not isinstance(services, ApiServices):  # a route reached without the handler: a wiring bug
        raise RuntimeError("route called without the API's services")
    return services
