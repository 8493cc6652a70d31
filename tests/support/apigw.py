"""API Gateway HTTP API (payload v2) events, as API Gateway hands them to a Lambda behind a JWT authorizer."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any
from urllib.parse import urlencode


def http_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    claims: dict[str, Any] | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
    all_headers = {"content-type": "application/json", **{k.lower(): v for k, v in (headers or {}).items()}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "api.local",
            "domainPrefix": "api",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "t"},
            "requestId": uuid.uuid4().hex,
            "routeKey": "$default",
            "stage": "$default",
            "time": "22/Nov/2026:10:00:00 +0000",
            "timeEpoch": 1_795_000_000_000,
        },
        "isBase64Encoded": base64_body,
    }
    if query:
        event["queryStringParameters"] = query
    if text is not None:
        event["body"] = base64.b64encode(text.encode()).decode() if base64_body else text
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event


def claims_for(clinic_id: str, role: str = "admin", user: str = "user-1") -> dict[str, Any]:
    """Claims as API Gateway passes them from a Cognito token (groups flattened to ``[a b]``)."""
    return {"sub": user, "custom:clinic_id": clinic_id, "cognito:groups": f"[{role}]"}
