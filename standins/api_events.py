"""API Gateway HTTP API (payload v2) events, built the way API Gateway builds them for a Lambda integration."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any


def http_api_event(
    method: str,
    path: str,
    *,
    raw_query: str = "",
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    claims: dict[str, Any] | None = None,
    route_key: str = "$default",
    path_parameters: dict[str, str] | None = None,
    source_ip: str = "127.0.0.1",
    base64_body: bool | None = None,
) -> dict[str, Any]:
    """``body`` is passed as text when it is UTF-8 (as API Gateway does for JSON), else base64 (``base64_body``
    forces either)."""
    lowered = {name.lower(): value for name, value in (headers or {}).items()}
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": lowered,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": method.upper(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": uuid.uuid4().hex,
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body is not None:
        encode = base64_body
        if encode is None:
            try:
                event["body"] = body.decode("utf-8")
                encode = False
            except UnicodeDecodeError:
                encode = True
        if encode:
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
        else:
            event["body"] = body.decode("utf-8")
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event
