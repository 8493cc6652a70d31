"""The local stack's own pages (tokens, the outbox, moto) answer this machine's tools and the dashboard's and the
extension's pages, never another web page nor another host."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client

from standins.local_origins import LocalOnly, dashboard_origins, is_local_request

DASHBOARD = dashboard_origins(3002)


@pytest.mark.parametrize(
    ("origin", "address", "local"),
    [
        (None, "127.0.0.1", True),
        (None, "::1", True),
        ("http://127.0.0.1:3002", "127.0.0.1", True),
        ("http://localhost:3002", "127.0.0.1", True),
        ("chrome-extension://oeckfognfcjnjiompgndknhkephdongp", "127.0.0.1", True),
        ("http://evil.example", "127.0.0.1", False),
        ("http://localhost:3002.evil.example", "127.0.0.1", False),
        ("http://127.0.0.1:8080", "127.0.0.1", False),
        ("null", "127.0.0.1", False),
        (None, "192.168.1.20", False),
        (None, None, False),
        ("http://127.0.0.1:3002", "10.0.0.7", False),
    ],
)
def test_who_is_local(origin: str | None, address: str | None, local: bool) -> None:
    assert is_local_request(origin, address, DASHBOARD) is local


def _hello(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def test_the_middleware_refuses_a_foreign_origin_and_serves_the_rest() -> None:
    client = Client(LocalOnly(_hello, DASHBOARD))
    base = {"REMOTE_ADDR": "127.0.0.1"}
    assert client.get("/", environ_base=base).status_code == 200
    refused = client.get("/", headers={"Origin": "http://evil.example"}, environ_base=base)
    assert refused.status_code == 403
    assert b"hello" not in refused.data
    assert client.get("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403
