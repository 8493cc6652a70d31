"""A local API Gateway (HTTP API, payload v2) in front of the functions' real handlers.

Each request is matched against the deployed route table (``infra.routes``), checked like the JWT authorizer
(private routes need ``Authorization: Bearer <token>`` that ``authorize`` accepts, else ``401 {"message":
"Unauthorized"}`` as API Gateway answers), turned into the v2 event API Gateway would send, and the handler's
answer is returned unchanged (status, headers, cookies, body, base64).
"""

from __future__ import annotations

import base64
import importlib
from collections.abc import Callable
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from infra.routes import ROUTES, Route
from local.api_events import http_api_event
from local.http_server import BackgroundServer

Authorizer = Callable[[str], dict[str, Any] | None]
"""A bearer token -> its claims, or ``None`` if it is not acceptable."""


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


def invoke(function: str, event: dict[str, Any]) -> Any:
    handler = importlib.import_module(f"{function}.handler")
    return handler.lambda_handler(event, LambdaContext(function))


def _werkzeug_path(path: str) -> str:
    return path.replace("{", "<").replace("}", ">")


class LocalGateway(BackgroundServer):
    def __init__(
        self,
        authorize: Authorizer | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        cors_origins: tuple[str, ...] = (),
    ):
        self._authorize = authorize
        self._cors_origins = cors_origins
        self._routes = Map(
            [Rule(_werkzeug_path(route.path), methods=[route.method], endpoint=route) for route in ROUTES]
        )
        super().__init__(self._wsgi, host, port, name="local-gateway")

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return self._with_cors(request, Response(status=204))
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
        result = invoke(route.function, event)
        return self._with_cors(request, _response(result))

    def _claims(self, authorization: str) -> dict[str, Any] | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token or self._authorize is None:
            return None
        return self._authorize(token.strip())

    def _with_cors(self, request: Request, response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin and (origin in self._cors_origins or "*" in self._cors_origins):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Headers"] = "authorization,content-type,idempotency-key"
            response.headers["Access-Control-Allow-Methods"] = "GET,POST,PUT,PATCH,OPTIONS"
        return response


def _response(result: Any) -> Response:
    """A Lambda proxy answer as HTTP. A bare value (not a dict with ``statusCode``) is JSON with 200, as API Gateway
    treats it in payload v2."""
    if not isinstance(result, dict) or "statusCode" not in result:
        import json

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
