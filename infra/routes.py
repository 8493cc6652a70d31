"""The HTTP API's routes: one definition for the CDK stack (API Gateway routes and authorizers) and the local
gateway (``local/gateway.py``), so what runs locally is what is deployed. Plain Python, no CDK imports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway syntax: /calls/{callId}
    function: str  # folder under functions/
    public: bool = False  # no JWT authorizer


SCHEDULE = "schedule"
RETELL_WEBHOOK = "retell_webhook"

ROUTES: tuple[Route, ...] = (
    Route("GET", "/health", SCHEDULE, public=True),
    Route("POST", "/calls/schedule", SCHEDULE),
    Route("GET", "/calls", SCHEDULE),
    Route("GET", "/calls/{callId}", SCHEDULE),
    Route("PATCH", "/calls/{callId}", SCHEDULE),
    Route("POST", "/calls/{callId}/cancel", SCHEDULE),
    Route("POST", "/calls/{callId}/call-now", SCHEDULE),
    Route("GET", "/clinic/settings", SCHEDULE),
    Route("PUT", "/clinic/settings", SCHEDULE),
    Route("POST", "/integrations/idexx/preview", SCHEDULE),
    Route("POST", "/webhooks/retell", RETELL_WEBHOOK, public=True),
)
