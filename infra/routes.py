"""The HTTP API's routes: one definition for the CDK stack (API Gateway routes and authorizers) and the local
gateway (``standins/gateway.py``), so what runs locally is what is deployed. Plain Python, no CDK imports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway syntax: /calls/{callId}
    function: str  # folder under functions/
    public: bool = False  # no JWT authorizer


EXPOSED_HEADERS = ("x-export-truncated",)
"""What a page may read of an answer besides CORS's safe headers: whether an export was cut at its row limit."""

API = "api"
RETELL_WEBHOOK = "retell_webhook"

ROUTES: tuple[Route, ...] = (
    Route("GET", "/health", API, public=True),
    Route("POST", "/calls/schedule", API),
    Route("GET", "/calls", API),
    Route("GET", "/calls/export", API),
    Route("GET", "/calls/{callId}", API),
    Route("PATCH", "/calls/{callId}", API),
    Route("POST", "/calls/{callId}/cancel", API),
    Route("POST", "/calls/{callId}/call-now", API),
    Route("POST", "/calls/{callId}/follow-up", API),
    Route("GET", "/calls/{callId}/recording", API),
    Route("GET", "/clinic/settings", API),
    Route("PUT", "/clinic/settings", API),
    Route("GET", "/clinic/overview", API),
    Route("GET", "/clinic/answer-rates", API),
    Route("GET", "/clinic/do-not-call", API),
    Route("PUT", "/clinic/do-not-call/{phoneNumber}", API),
    Route("DELETE", "/clinic/do-not-call/{phoneNumber}", API),
    Route("POST", "/clinic/erasure", API),
    Route("POST", "/integrations/idexx/preview", API),
    Route("POST", "/webhooks/retell", RETELL_WEBHOOK, public=True),
)
