"""Opaque ``nextToken`` values: the DynamoDB key to resume after, authenticated and bound to one clinic's query.

A token is ``<payload>.<tag>``: the payload is base64url JSON of the key; the tag is HMAC-SHA256, under a key only
the API holds (a Secrets Manager secret per deployment), of the payload *and* of the query it continues (clinic,
statuses, time range). A token edited in any way, forged, or replayed by another clinic or for another query fails
the tag and is refused before anything is read. Nothing in the payload is trusted unless the tag matches.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable

from shared.dal.table_design import (
    CLINIC_CALLS_PARTITION_KEY,
    CLINIC_CALLS_SORT_KEY,
    FOLLOW_UP_PARTITION_KEY,
    FOLLOW_UP_SORT_KEY,
    PARTITION_KEY,
    SORT_KEY,
)
from shared.models.errors import InvalidNextToken

KEY_FIELDS = (PARTITION_KEY, SORT_KEY, CLINIC_CALLS_PARTITION_KEY, CLINIC_CALLS_SORT_KEY)
FOLLOW_UP_KEY_FIELDS = (PARTITION_KEY, SORT_KEY, FOLLOW_UP_PARTITION_KEY, FOLLOW_UP_SORT_KEY)
_VERSION = b"next-token/v1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PageTokens:
    """Issues and checks ``nextToken`` values. ``secret`` is read only when a token is made or checked, so functions
    that never list calls never need it."""

    def __init__(self, secret: Callable[[], bytes]):
        self._secret = secret

    def encode(self, key: dict[str, str], binding: str, fields: tuple[str, ...] = KEY_FIELDS) -> str:
        payload = _b64(json.dumps({field: key[field] for field in fields}, separators=(",", ":")).encode())
        return f"{payload}.{_b64(self._tag(payload, binding))}"

    def decode(self, token: str, binding: str, fields: tuple[str, ...] = KEY_FIELDS) -> dict[str, str]:
        """The key ``token`` stands for, if this API issued it for the query ``binding`` describes."""
        payload, dot, tag = token.partition(".")
        try:
            # The tag is compared as text: base64 has several spellings of the same bytes, a token has one.
            if not dot or not token.isascii() or not hmac.compare_digest(tag, _b64(self._tag(payload, binding))):
                raise InvalidNextToken
            key = json.loads(_unb64(payload))
        except (binascii.Error, ValueError) as error:
            raise InvalidNextToken from error
        if not isinstance(key, dict) or set(key) != set(fields):
            raise InvalidNextToken  # only a token of an older layout could get here
        if any(not isinstance(value, str) for value in key.values()):
            raise InvalidNextToken
        return key

    def _tag(self, payload: str, binding: str) -> bytes:
        message = b"\n".join((_VERSION, payload.encode(), binding.encode()))
        return hmac.new(self._secret(), message, hashlib.sha256).digest()
