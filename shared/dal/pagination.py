"""Opaque ``nextToken`` values: the DynamoDB key to resume after, base64url-encoded JSON, bound to one clinic."""

from __future__ import annotations

import base64
import binascii
import json

from shared.dal.table_design import (
    CLINIC_CALLS_PARTITION_KEY,
    CLINIC_CALLS_SORT_KEY,
    PARTITION_KEY,
    SORT_KEY,
    clinic_calls_partition,
)
from shared.models.errors import BadRequest

_KEY_FIELDS = (PARTITION_KEY, SORT_KEY, CLINIC_CALLS_PARTITION_KEY, CLINIC_CALLS_SORT_KEY)


class InvalidNextToken(BadRequest):
    code = "invalid_next_token"

    def __init__(self) -> None:
        super().__init__("nextToken is not one this API issued for this list; start again without it.")


def encode_next_token(key: dict[str, str]) -> str:
    raw = json.dumps({field: key[field] for field in _KEY_FIELDS}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_next_token(token: str, clinic_id: str) -> dict[str, str]:
    """The key a token stands for. A token that is malformed, or was issued for another clinic, is rejected."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidNextToken from error
    if (
        not isinstance(key, dict)
        or set(key) != set(_KEY_FIELDS)
        or not all(isinstance(value, str) for value in key.values())
        or key[CLINIC_CALLS_PARTITION_KEY] != clinic_calls_partition(clinic_id)
    ):
        raise InvalidNextToken
    return key
