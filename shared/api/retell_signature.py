"""Retell's webhook signature, checked with the standard library.

``x-retell-signature: v=<unix ms>,d=<hex HMAC-SHA256(api key, raw body + str(ms))>``, accepted within five minutes
of now. This is exactly what ``retell.lib.verify`` does (the tests compare the two on generated cases), without
importing the SDK, whose generated models cost the webhook's cold start about a second.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

TOLERANCE_MS = 5 * 60 * 1000
# 16 digits reach the year 318857: a longer stamp is no clock reading, and int() refuses over 4,300 digits.
_SIGNATURE = re.compile(r"v=(\d{1,16}),d=([0-9a-f]{64})")


def sign(body: str, key: str, timestamp_ms: int) -> str:
    digest = hmac.new(key.encode(), (body + str(timestamp_ms)).encode(), hashlib.sha256).hexdigest()
    return f"v={timestamp_ms},d={digest}"


def verify(body: str, signature: str | None, keys: Iterable[str], now_ms: int) -> bool:
    """True if ``signature`` signs ``body`` (the raw text, not re-serialised) with one of ``keys`` (two during a
    key rotation) and is no more than five minutes off ``now_ms``."""
    match = _SIGNATURE.fullmatch(signature or "")
    if match is None:
        return False
    stamp = int(match.group(1))
    if abs(now_ms - stamp) > TOLERANCE_MS:
        return False
    message = (body + str(stamp)).encode()
    expected = match.group(2)
    return any(
        hmac.compare_digest(hmac.new(key.encode(), message, hashlib.sha256).hexdigest(), expected)
        for key in keys
        if key
    )
