"""The API reference ``make dev`` serves at ``/api-docs/`` beside the dashboard (``standins/api_docs.py``): Swagger
UI from ``node_modules`` over ``docs/openapi.json``, nothing loaded from another host, every operation rendered.

The dashboard's server is started alone (the page needs no API to render), so these tests do not wait for
``make dev``; the banner ``make dev`` prints names the page's address (``tests/e2e/test_make_dev.py``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Request, expect

from standins.dashboard_server import DashboardServer

ROOT = Path(__file__).resolve().parents[2]
API_URL = "http://127.0.0.1:3999"  # where "Try it out" would send requests; nothing listens there in these tests
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture(scope="module")
def server() -> Iterator[DashboardServer]:
    started = DashboardServer(API_URL).start()
    yield started
    started.stop()


def _operations() -> list[tuple[str, str]]:
    document = json.loads((ROOT / "docs" / "openapi.json").read_text())
    return [(method, path) for path, item in document["paths"].items() for method in item if method in METHODS]


def test_the_page_and_its_files_come_from_the_local_server(server: DashboardServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        assert http.get("/api-docs").headers["location"] == "/api-docs/"
        page = http.get("/api-docs/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        csp = page.headers["content-security-policy"]
        assert "script-src 'self';" in csp
        assert "default-src 'none'" in csp
        references = re.findall(r"""<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)\"""", page.text)
        assert references, page.text
        assert "<script>" not in page.text  # no inline script: the CSP would refuse it
        for reference in references:
            assert not urlsplit(reference).netloc, f"{reference} is loaded from another host"
            assert http.get(f"/api-docs/{reference}").status_code == 200, reference

        served = http.get("/api-docs/openapi.json").json()
        assert served["servers"] == [{"url": API_URL, "description": "This local stack (make dev)"}]
        assert served["paths"] == json.loads((ROOT / "docs" / "openapi.json").read_text())["paths"]
        assert http.get("/api-docs/nothing-here.js").status_code == 404


def test_swagger_ui_renders_every_operation_without_another_host(server: DashboardServer, browser: Browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    elsewhere: list[str] = []
    problems: list[str] = []

    def local_only(request: Request) -> None:
        if urlsplit(request.url).hostname not in {"127.0.0.1", "localhost"} and not request.url.startswith("data:"):
            elsewhere.append(request.url)

    page.on("request", local_only)
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(f"{server.url}/api-docs/")
        operations = _operations()
        blocks = page.locator(".opblock")
        expect(blocks).to_have_count(len(operations))
        for method, path in operations:
            expect(page.locator(f".opblock-{method} .opblock-summary-path[data-path='{path}']")).to_have_count(1)
        expect(page.locator(".btn.authorize")).to_be_visible()  # bearerAuth: where the local token goes
        expect(page.locator(".servers select")).to_have_value(API_URL)
    finally:
        context.close()
    assert elsewhere == []
    assert problems == []
