"""The clinic dashboard served locally as CloudFront serves it: the built files, ``config.json`` pointing at the
local API (with local tokens), the deployment's security headers, and ``index.html`` for every app path (a call's
link, ``/calls/<id>``, opens that call). The API reference is served beside it at ``/api-docs/``
(``standins/api_docs.py``), under its own Content-Security-Policy."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from infra.dashboard_site import built_dashboard, content_security_policy
from standins.api_docs import ApiDocs
from standins.http_server import BackgroundServer

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class DashboardServer(BackgroundServer):
    def __init__(
        self,
        api_url: str,
        host: str = "127.0.0.1",
        port: int = 0,
        folder: Path | None = None,
        cognito: dict[str, str] | None = None,
    ):
        """``cognito``: a user pool to sign in with (region, userPoolId, clientId and the stand-in's endpoint)
        beside the local tokens; none by default, as ``make dev`` has none."""
        self._folder = folder or built_dashboard()
        signing_in = cognito or {"region": "", "clientId": ""}
        self._config = json.dumps({"apiBase": api_url, "cognito": signing_in, "localTokens": True}).encode()
        connect = [api_url, *([signing_in["endpoint"]] if signing_in.get("endpoint") else [])]
        # The recording's link points at the simulated Retell locally, over plain http.
        self._csp = content_security_policy(connect, media=["https:", "http://127.0.0.1:*"])
        self.api_docs = ApiDocs(api_url)
        self.requests: list[str] = []
        super().__init__(self._wsgi, host, port, name="dashboard")

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        self.requests.append(request.path)
        if request.method not in {"GET", "HEAD"}:
            return Response("", 405)
        if ApiDocs.serves(request.path):
            response = self.api_docs.respond(request.path)
            response.headers["Content-Security-Policy"] = self.api_docs.csp
            response.headers.update(SECURITY_HEADERS)
            return response
        if request.path == "/config.json":
            response = Response(self._config, mimetype="application/json")
        else:
            name = request.path.lstrip("/")
            file = (self._folder / name).resolve()
            if not name or not file.is_file() or self._folder.resolve() not in file.parents:
                file = self._folder / "index.html"  # an app path: the app decides what it shows
            response = Response(file.read_bytes(), mimetype=mimetypes.guess_type(file.name)[0] or "text/plain")
            if file.name == "index.html":
                response.headers["Cache-Control"] = "no-cache"
        response.headers["Content-Security-Policy"] = self._csp
        response.headers.update(SECURITY_HEADERS)
        return response
