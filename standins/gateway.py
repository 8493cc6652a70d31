"""A local API Gateway (HTTP API, payload v2) in front of the functions' real handlers.

Each request is matched against the deployed route table (``infra.routes``), checked like the JWT authorizer
(private routes need ``Authorization: Bearer <token>`` that ``authorize`` accepts, else ``401 {"message":
"Unauthorized"}`` as API Gateway answers), turned into the v2 event API Gateway would send, and the handler's
answer is returned unchanged (status, headers, cookies, body, base64). A handler that raises is answered
``500 {"message":"Internal Server Error"}``, as API Gateway answers a failed invocation.

``issue_token`` (the local stack only, never deployed) serves ``POST /local/token {"clinicId", "role"}`` so the
extension's options page can fetch a development token; ``outbox`` serves ``GET /local/outbox``, the notices the
local stack sent, oldest first (contract section 6).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from infra.routes import EXPOSED_HEADERS, ROUTES, Route
from standins.api_events import http_api_event
from standins.http_server import BackgroundServer
from standins.local_origins import REFUSAL, is_local_request

Authorizer = Callable[[str], dict[str, Any] | None]
"""A bearer token -> its claims, or ``None`` if it is not acceptable."""
Invoke = Callable[[str, dict[str, Any]], Any]
"""(function, event) -> the function's answer (``LocalFunctions.invoke`` runs the real handler over its graph)."""
TokenIssuer = Callable[[str, str], str]
"""(clinic id, role) -> a bearer token the authorizer accepts."""
LOCAL_PREFIX = "/local/"
LOCAL_TOKEN_PATH = "/local/token"  # noqa: S105 - a path, not a password
LOCAL_OUTBOX_PATH = "/local/outbox"


class LambdaContext:
    """The parts of a Lambda context the handlers and Powertools read."""

    def __init__(self, function: str):
        self.function_name = f"local-{function}"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:local-{function}"
        self.aws_request_id = "local"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def _werkzeug_path(path: str) -> str:
    return path.replace("{", "<").replace("}", ">")


class LocalGateway(BackgroundServer):
    def __init__(
        self,
        invoke: Invoke,
        authorize: Authorizer | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        cors_origins: tuple[str, ...] = (),
        issue_token: TokenIssuer | None = None,
        concurrency: Mapping[str, int] | None = None,
        outbox: Callable[[], list[dict[str, Any]]] | None = None,
        local_origins: tuple[str, ...] = (),
    ):
        self._invoke = invoke
        self._outbox = outbox
        self._authorize = authorize
        self._issue_token = issue_token
        # One request at a time per function, as one Lambda container serves them: the API's resolver keeps the
        # request's principal in module state, which concurrent threads would overwrite (a browser sends the
        # preview and the settings request together). ``concurrency`` lets a function that keeps no request in
        # module state (the webhook) run several at once, as Lambda scales out containers under load.
        limits = concurrency or {}
        self._function_gates = {
            route.function: threading.BoundedSemaphore(max(1, limits.get(route.function, 1))) for route in ROUTES
        }
        self._cors_origins = cors_origins
        self._local_origins = local_origins
        self._routes = Map(
            [Rule(_werkzeug_path(route.path), methods=[route.method], endpoint=route) for route in ROUTES]
        )
        super().__init__(self._wsgi, host, port, name="local-gateway")

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return self._with_cors(request, Response(status=204))
        if request.path.startswith(LOCAL_PREFIX) and not is_local_request(
            request.headers.get("Origin"), request.remote_addr, self._local_origins
        ):
            return Response(REFUSAL, 403, mimetype="application/json")
        if request.path == LOCAL_TOKEN_PATH and request.method == "POST" and self._issue_token:
            return self._with_cors(request, self._local_token(request))
        if request.path == LOCAL_OUTBOX_PATH and request.method == "GET" and self._outbox:
            return self._with_cors(request, Response(json.dumps(self._outbox()), mimetype="application/json"))
        try:
            route, path_parameters = self._routes.bind_to_environ(request.environ).match()
        except (NotFound, MethodNotAllowed):
            return self._with_cors(request, Response('{"message":"Not Found"}', 404, mimetype="application/json"))
        assert isinstance(route, Route)
        claims = None
        if not route.public:
            claims = self._claims(request.headers.get("Authorization", ""))
            if claims is None:
                return self._with_cors(
                    request, Response('{"message":"Unauthorized"}', 401, mimetype="application/json")
                )
        event = http_api_event(
            request.method,
            request.path,
            raw_query=request.query_string.decode(),
            query=dict(request.args) or None,
            headers=dict(request.headers),
            body=request.get_data() or None,
            claims=claims,
            route_key=f"{route.method} {route.path}",
            path_parameters={name: str(value) for name, value in path_parameters.items()} or None,
            source_ip=request.remote_addr or "127.0.0.1",
        )
        try:
            with self._function_gates[route.function]:
                result = self._invoke(route.function, event)
        except Exception:
            logging.getLogger(__name__).exception("%s raised", route.function)
            return self._with_cors(
                request, Response('{"message":"Internal Server Error"}', 500, mimetype="application/json")
            )
        return self._with_cors(request, _response(result))

    def _local_token(self, request: Request) -> Response:
        body = request.get_json(silent=True) or {}
        clinic, role = str(body.get("clinicId") or "demo"), str(body.get("role") or "admin")
        if role not in {"admin", "staff"} or not clinic.strip():
            return Response('{"message":"role must be admin or staff"}', 400, mimetype="application/json")
        assert self._issue_token is not None
        return Response(json.dumps({"token": self._issue_token(clinic.strip(), role)}), mimetype="application/json")

    def _claims(self, authorization: str) -> dict[str, Any] | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token or self._authorize is None:
            return None
        return self._authorize(token.strip())

    def _with_cors(self, request: Request, response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin and (origin in self._cors_origins or "*" in self._cors_origins):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Headers"] = "authorization,content-type,idempotency-key,if-match"
            response.headers["Access-Control-Allow-Methods"] = "GET,POST,PUT,PATCH,DELETE,OPTIONS"
            response.headers["Access-Control-Expose-Headers"] = ",".join(EXPOSED_HEADERS)
        return response


def _response(result: Any) -> Response:
    """A Lambda proxy answer as HTTP. A bare value (not a dict with ``statusCode``) is JSON with 200, as API Gateway
    treats it in payload v2."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return Response(json.dumps(result), 200, mimetype="application/json")
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    response = Response(data, status=int(result["statusCode"]))
    response.headers.clear()
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.add(name, str(value))
    for cookie in result.get("cookies") or []:
        response.headers.add("Set-Cookie", cookie)
    return response
