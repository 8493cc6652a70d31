"""The checks every request body passes before any route parses it: size, media type, encoding, JSON shape.

Each refusal is a ``DomainError`` with its own code, so a client learns exactly what to fix, and nothing a hostile
body can contain (a NUL, invalid UTF-8, nesting thousands deep, ``NaN``, ``1e999``, an integer of 5,000 digits)
reaches pydantic, DynamoDB or a log line as anything but a 4xx.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any

from shared.models.errors import InvalidEncoding, MalformedJson, PayloadTooLarge, UnsupportedMediaType

MAX_DEPTH = 32
"""Deeper than any body the API accepts (the settings document is 4 levels deep)."""
MAX_INTEGER_DIGITS = 38
"""DynamoDB keeps 38 significant digits; a longer integer can never be stored, whatever field it is in."""
JSON_MEDIA_TYPE = "application/json"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("numbers must be finite")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"integers may have at most {MAX_INTEGER_DIGITS} digits")
    return int(text)


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")  # a lone surrogate escape ("\ud800") is valid JSON but no character at all
    except UnicodeEncodeError:
        return False
    return True


def _check_shape(document: Any) -> None:
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str) and not _is_text(value):
            raise MalformedJson("The request body has a string that is not text (a lone surrogate escape).")
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise MalformedJson(f"The request body is nested too deeply (at most {MAX_DEPTH} levels).")
            children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)


def parse_json_strictly(text: str) -> Any:
    """``text`` as JSON, refusing what standard JSON or DynamoDB cannot hold (``MalformedJson`` says which)."""
    try:
        document = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_bounded_int)
    except RecursionError:
        raise MalformedJson(f"The request body is nested too deeply (at most {MAX_DEPTH} levels).") from None
    except ValueError as error:
        reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        raise MalformedJson(f"The request body is not valid JSON: {reason}.") from None
    _check_shape(document)
    return document


def _media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    kind, *parameters = (content_type or "").split(";")
    pairs = (parameter.partition("=") for parameter in parameters)
    return kind.strip().lower(), {name.strip().lower(): value.strip().strip('"').lower() for name, _, value in pairs}


def check_body_size(body: str | None, *, base64_encoded: bool, max_bytes: int) -> None:
    """The cheap check, made before anything else (even authentication) looks at the request."""
    if body and len(body) > max_bytes * (4 / 3 if base64_encoded else 1) + 4:
        raise PayloadTooLarge(f"The body is over {max_bytes} bytes.")


def check_json_body(body: str | None, *, base64_encoded: bool, content_type: str | None, max_bytes: int) -> None:
    """Refuse a body the API cannot take; an absent or empty body passes (the route decides whether it needs one)."""
    if not body:
        return  # the size of the text was checked before authentication (check_body_size); its bytes are below
    try:
        raw = base64.b64decode(body, validate=True) if base64_encoded else body.encode("utf-8", "surrogatepass")
    except (binascii.Error, ValueError):
        raise InvalidEncoding("The request body's base64 encoding is broken.") from None
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"The body is over {max_bytes} bytes.")
    kind, parameters = _media_type(content_type)
    if kind != JSON_MEDIA_TYPE or parameters.get("charset", "utf-8") != "utf-8":
        raise UnsupportedMediaType("Send the body as JSON, with the header Content-Type: application/json.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidEncoding("The request body is not valid UTF-8.") from None
    parse_json_strictly(text)
