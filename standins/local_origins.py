"""Who may use the local stack's own pages: the machine itself, and never another web page.

A page on any site can make a browser send a request to ``localhost``; what keeps it from taking a token, reading the
outbox or writing to moto is that such a request carries the page's ``Origin``. A request with no ``Origin`` (curl,
boto3, ``make token``) or with an allowed one (the dashboard's own, the Chrome extension's) is the developer's;
anything else, or anything from another address than loopback, is refused."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Collection, Iterable
from typing import Any

EXTENSION_SCHEME = "chrome-extension://"
"""A web page cannot claim an extension's origin, and an unpacked extension's id differs per machine."""


def dashboard_origins(port: int) -> tuple[str, ...]:
    return (f"http://127.0.0.1:{port}", f"http://localhost:{port}")


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def is_local_request(origin: str | None, remote_address: str | None, allowed: Collection[str]) -> bool:
    """True for a request from this machine whose ``Origin`` is absent, allowed, or an extension's."""
    if not is_loopback(remote_address):
        return False
    return origin is None or origin in allowed or origin.startswith(EXTENSION_SCHEME)


REFUSAL = b'{"message":"the local stack answers only this machine, and no other web page"}'

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class LocalOnly:
    """WSGI middleware: ``app`` answers local requests (``is_local_request``); any other gets ``403``."""

    def __init__(self, app: WsgiApp, allowed: Collection[str] = ()):
        self._app = app
        self._allowed = allowed

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if is_local_request(environ.get("HTTP_ORIGIN"), environ.get("REMOTE_ADDR"), self._allowed):
            return self._app(environ, start_response)
        start_response("403 Forbidden", [("Content-Type", "application/json"), ("Content-Length", str(len(REFUSAL)))])
        return [REFUSAL]
