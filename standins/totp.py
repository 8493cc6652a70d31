"""Time-based one-time passwords (RFC 6238) as an authenticator app makes them from the secret Cognito hands out:
HMAC-SHA1 over the 30-second step, 6 digits. Cognito accepts the code of the current step or of the one either
side of it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time

STEP_SECONDS = 30
DIGITS = 6


def new_secret() -> str:
    """A secret as Cognito's AssociateSoftwareToken hands it out: base32 text, no padding."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def code(secret: str, at: float | None = None) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // STEP_SECONDS)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def accepts(secret: str, candidate: str, at: float | None = None) -> bool:
    now = time.time() if at is None else at
    return any(hmac.compare_digest(code(secret, now + drift * STEP_SECONDS), candidate.strip()) for drift in (-1, 0, 1))
