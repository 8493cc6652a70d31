"""A stand-in for IDEXX Neo over real TLS: a login that sets the session cookies, consultation pages the content
script runs on, and ``/consultations/{id}/page-data``, which answers only with the vet's session (``401`` without).
It records what it was asked, with the cookies that came along."""

from __future__ import annotations

import json
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from standins.http_server import BackgroundServer

HOST = "us.idexxneo.com"
SESSION_COOKIE = "neo_session"
SESSION_VALUE = "vet-7742"


def page_data(
    consultation_id: int,
    *,
    pet: str | None = "Luna",
    owner: str | None = "Sarah Johnson",
    phone: str | None = "+14155550100",
    summary: str | None = "Spay completed. Keep the incision dry; cone for 10 days; carprofen twice daily.",
    notes: str | None = "Post-op check in 10 days.",
    language: str | None = None,
) -> dict[str, Any]:
    """A consultation's ``page-data`` document, in the shape the seed design shows; ``language`` is the client
    record's preferred language ("Spanish", "es"), which the seed design's record does not show."""
    client: dict[str, Any] = {"name": owner, "phone": phone, "email": "owner@example.com"}
    if language is not None:
        client["preferredLanguage"] = language
    return {
        "pageData": {
            "providers": [{"id": 1004, "name": "Dr. K Chaudhary", "userType": "Vet", "companyId": 7742}],
            "patient": {"name": pet, "species": "Canine", "breed": "Labrador Retriever"},
            "client": client,
            "consultation": {
                "id": consultation_id,
                "reason": "Post-surgery follow-up",
                "notes": notes,
                "dischargeSummary": summary,
            },
            "clinic": {"name": "Paws & Claws Veterinary Hospital", "phone": "+14155559876"},
            "companyId": 7742,
        },
    }


@dataclass
class Seen:
    method: str
    path: str
    cookies: dict[str, str]


def self_signed_context(directory: Path) -> ssl.SSLContext:
    cert, key = directory / "idexx.crt", directory / "idexx.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
         "-addext", f"subjectAltName=DNS:{HOST}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


class FakeIdexx(BackgroundServer):
    def __init__(self, ssl_context: ssl.SSLContext):
        self.consultations: dict[str, dict[str, Any]] = {}
        self.seen: list[Seen] = []
        self._routes = Map(
            [
                Rule("/login", endpoint="login"),
                Rule("/logout", endpoint="logout"),
                Rule("/dashboard", endpoint="dashboard"),
                Rule("/consultations/<consultation_id>", endpoint="consultation"),
                Rule("/consultations/<consultation_id>/page-data", endpoint="page_data"),
            ]
        )
        super().__init__(self._wsgi, name="fake-idexx", ssl_context=ssl_context)

    def page_data_requests(self) -> list[Seen]:
        return [seen for seen in self.seen if seen.path.endswith("/page-data")]

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.seen.append(Seen(request.method, request.path, dict(request.cookies)))
        adapter = self._routes.bind_to_environ(environ)
        try:
            endpoint, arguments = adapter.match()
        except Exception:
            return Response("not found", 404)(environ, start_response)
        response = getattr(self, f"_{endpoint}")(request, **arguments)
        return response(environ, start_response)

    @staticmethod
    def _html(title: str, body: str) -> Response:
        page = f"<!doctype html><title>{title} | IDEXX Neo</title><h1>{title}</h1>{body}"
        return Response(page, mimetype="text/html")

    def _login(self, request: Request) -> Response:
        response = self._html("Signed in", "<p>Welcome back.</p>")
        response.set_cookie(SESSION_COOKIE, SESSION_VALUE, secure=True, httponly=True, samesite="Strict")
        return response

    def _logout(self, request: Request) -> Response:
        response = self._html("Signed out", "")
        response.delete_cookie(SESSION_COOKIE, secure=True, httponly=True, samesite="Strict")
        return response

    def _dashboard(self, request: Request) -> Response:
        return self._html("Dashboard", "<p>Today's appointments</p>")

    def _consultation(self, request: Request, consultation_id: str) -> Response:
        return self._html(f"Consultation {consultation_id}", "<p>Discharge notes…</p>")

    def _page_data(self, request: Request, consultation_id: str) -> Response:
        if request.cookies.get(SESSION_COOKIE) != SESSION_VALUE:
            return Response('{"error":"not authenticated"}', 401, mimetype="application/json")
        document = self.consultations.get(consultation_id)
        if document is None:
            return Response('{"error":"not found"}', 404, mimetype="application/json")
        return Response(json.dumps(document), mimetype="application/json")
