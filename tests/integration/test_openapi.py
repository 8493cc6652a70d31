"""The committed OpenAPI document is what the handler generates (run `make openapi` after changing the API)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic.alias_generators import to_camel

from infra.routes import ROUTES
from scripts.openapi import openapi_document

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_openapi_matches_the_code() -> None:
    assert COMMITTED.read_text() == openapi_document(), "docs/openapi.json is stale: run `make openapi`"


def test_openapi_documents_every_contract_route() -> None:
    document = json.loads(COMMITTED.read_text())
    assert document["openapi"].startswith("3.1")
    routes = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert routes >= {
        ("GET", "/health"),
        ("POST", "/calls/schedule"),
        ("GET", "/calls"),
        ("GET", "/calls/{call_id}"),
        ("PATCH", "/calls/{call_id}"),
        ("POST", "/calls/{call_id}/cancel"),
        ("POST", "/calls/{call_id}/call-now"),
        ("POST", "/calls/{call_id}/follow-up"),
        ("GET", "/clinic/settings"),
        ("PUT", "/clinic/settings"),
        ("POST", "/integrations/idexx/preview"),
    }
    assert "Failure" in document["components"]["schemas"]


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Operations by (method, path), path parameters named as API Gateway names them ({callId})."""
    return {
        (method.upper(), re.sub(r"\{(\w+)\}", lambda match: "{" + to_camel(match.group(1)) + "}", path)): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def test_the_document_has_exactly_the_deployed_routes_and_their_security() -> None:
    operations = _operations(json.loads(COMMITTED.read_text()))
    assert set(operations) == {(route.method, route.path) for route in ROUTES}
    for route in ROUTES:
        security = operations[(route.method, route.path)].get("security")
        assert (security == []) is route.public, (route, security)  # else the document's bearerAuth applies


def test_every_operation_documents_its_success_and_the_401_api_gateway_really_sends() -> None:
    document = json.loads(COMMITTED.read_text())
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in json.dumps(document)  # the handler answers 422 with the error envelope
    for (method, path), operation in _operations(document).items():
        responses = operation["responses"]
        success = min(status for status in responses if status[0] in "23")
        if success == "204":
            assert "content" not in responses[success]
        else:
            (media,) = responses[success]["content"]  # JSON, or the export's CSV: one kind each
            assert media in {"application/json", "text/csv"}, (method, path)
            assert responses[success]["content"][media]["schema"], (method, path)
        throttled = responses["429"]["content"]["application/json"]["schema"]["$ref"]
        if operation.get("security") == []:  # public: API Gateway's throttle only, no clinic to charge
            assert throttled.endswith("/GatewayMessage"), (method, path)
        else:  # API Gateway's throttle, or the clinic's request budget (clinic_rate_limited, Retry-After)
            assert throttled.endswith("/TooManyRequestsBody"), (method, path)
            assert "Retry-After" in responses["429"]["headers"], (method, path)
        if operation.get("security") != []:
            unauthorized = responses["401"]["content"]["application/json"]["schema"]["$ref"]
            assert unauthorized.endswith("/Unauthorized"), (method, path)
    assert {option["$ref"] for option in schemas["Unauthorized"]["anyOf"]} == {
        "#/components/schemas/GatewayMessage",
        "#/components/schemas/Failure",
    }
    assert {option["$ref"] for option in schemas["TooManyRequestsBody"]["anyOf"]} == {
        "#/components/schemas/GatewayMessage",
        "#/components/schemas/Failure",
    }
    replayed = _operations(document)[("POST", "/calls/schedule")]["responses"]["201"]["headers"]
    assert replayed["Idempotent-Replayed"]["schema"] == {"enum": ["true"], "type": "string"}
