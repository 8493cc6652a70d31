"""The API reference, served by the local stack beside the dashboard at ``/api-docs/``: Swagger UI (npm's
``swagger-ui-dist``, pinned in package-lock.json and served from ``node_modules``) over ``docs/openapi.json``.

The document is served with its server set to the local API, so "Try it out" calls the running stack (the local
gateway allows any origin). Nothing is loaded from another host: the page, its script, Swagger UI's bundle and
stylesheet and the document all come from this server, and the Content-Security-Policy says so (Swagger UI's
stylesheet draws its icons as ``data:`` images, its only addition to ``'self'``)."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

from werkzeug.wrappers import Response

ROOT = Path(__file__).resolve().parents[1]
SWAGGER_UI = ROOT / "node_modules" / "swagger-ui-dist"
PAGE = Path(__file__).with_name("api_docs_page")
OPENAPI = ROOT / "docs" / "openapi.json"
PREFIX = "/api-docs/"

FILES = {
    "": PAGE / "index.html",
    "index.html": PAGE / "index.html",
    "initializer.js": PAGE / "initializer.js",
    "swagger-ui-bundle.js": SWAGGER_UI / "swagger-ui-bundle.js",
    "swagger-ui.css": SWAGGER_UI / "swagger-ui.css",
    "favicon-32x32.png": SWAGGER_UI / "favicon-32x32.png",
}


def content_security_policy(api_url: str) -> str:
    return (
        "default-src 'none'; "
        "script-src 'self'; "
        "style-src 'self'; "
        "img-src 'self' data:; "
        f"connect-src 'self' {api_url}; "
        "base-uri 'none'; "
        "form-action 'none'; "
        "frame-ancestors 'none'; "
        "object-src 'none'"
    )


class ApiDocs:
    """Answers the requests under ``/api-docs`` (anything else is the dashboard's)."""

    def __init__(self, api_url: str, openapi: Path = OPENAPI):
        document = json.loads(openapi.read_text())
        document["servers"] = [{"url": api_url, "description": "This local stack (make dev)"}]
        self._openapi = json.dumps(document).encode()
        self.csp = content_security_policy(api_url)

    @staticmethod
    def serves(path: str) -> bool:
        return path == PREFIX.rstrip("/") or path.startswith(PREFIX)

    def respond(self, path: str) -> Response:
        if path == PREFIX.rstrip("/"):
            return Response("", 308, headers={"Location": PREFIX})  # the page's links are relative to the folder
        name = path.removeprefix(PREFIX)
        if name == "openapi.json":
            return Response(self._openapi, mimetype="application/json", headers={"Cache-Control": "no-cache"})
        file = FILES.get(name)
        if file is None:
            return Response("not found", 404, mimetype="text/plain")
        if not file.is_file():
            missing = f"{file.relative_to(ROOT)} is missing: run `npm ci` (make does)"
            return Response(missing, 500, mimetype="text/plain")
        return Response(file.read_bytes(), mimetype=mimetypes.guess_type(file.name)[0] or "application/octet-stream")
