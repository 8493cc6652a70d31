"""The committed OpenAPI document is what the handler generates (run `make openapi` after changing the API)."""

from __future__ import annotations

import json
from pathlib import Path

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
        ("GET", "/clinic/settings"),
        ("PUT", "/clinic/settings"),
        ("POST", "/integrations/idexx/preview"),
    }
    assert "Failure" in document["components"]["schemas"]
