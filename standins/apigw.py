"""API Gateway HTTP API (payload v2) events, as API Gateway hands them to a Lambda behind a JWT authorizer."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from standins.api_events import http_api_event


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
    return http_api_event(
        method,
        path,
        raw_query=urlencode(query or {}),
        query=query,
        headers={"content-type": "application/json", **(headers or {})},
        body=text.encode() if text is not None else None,
        claims=claims,
        base64_body=base64_body,
    )


def claims_for(clinic_id: str, role: str = "admin", user: str = "user-1") -> dict[str, Any]:
    """Claims as API Gateway passes them from a Cognito ID token: every value a string, groups flattened to
    ``[a b]``, valid for an hour of real time (the handler checks expiry against the real clock)."""
    now = int(time.time())
    return {
        "sub": user,
        "custom:clinic_id": clinic_id,
        "cognito:groups": f"[{role}]",
        "token_use": "id",
        "iat": str(now),
        "exp": str(now + 3600),
    }
