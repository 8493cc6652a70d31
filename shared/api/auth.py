"""Who is calling, from the JWT claims API Gateway's authorizer (or the local gateway) put in the request context.

The claims are parsed strictly, the same way in the handler and in the local gateway: a user id and a single clinic
id of the expected shapes (``shared.models.ids``), an expiry in the future, an issue time not in the future and, if
the token says what it is, an ID token. API Gateway has already checked the signature; anything it lets through that
does not have this shape is refused rather than interpreted (a list where the clinic should be, an ``exp`` that is
not a number).

The contract's rule, applied to every route before anything else looks at the request: reading needs a member of
the clinic, every write needs an admin, except marking a call's follow-up done (``MEMBER_WRITES``: the staff who
called the owner back say so). Public routes need nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError

from shared.models.errors import Forbidden, Unauthenticated
from shared.models.ids import ClinicId
from shared.models.principal import Principal

CLINIC_CLAIM = "custom:clinic_id"
GROUPS_CLAIM = "cognito:groups"
ADMIN_GROUP = "admin"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CLOCK_SKEW_SECONDS = 300
MEMBER_WRITES = (("POST", re.compile(r"/calls/[^/]+/follow-up")),)
"""Writes any member of the clinic may make."""
"""How far in the future a token's ``iat`` may be (the issuer's clock may run ahead of ours)."""


def _epoch_seconds(value: Any) -> Any:
    # API Gateway hands every claim to the function as a string ("1767225600"); tokens in tests carry numbers.
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 12:
        return int(value)
    return value


def _groups(value: Any) -> Any:
    # API Gateway flattens a JWT array claim to a string like "[admin staff]"; tokens in tests carry real lists.
    if isinstance(value, str):
        if not (value.startswith("[") and value.endswith("]")):
            raise ValueError("cognito:groups must be a list")
        return [part for part in value[1:-1].replace(",", " ").split() if part]
    return value


EpochSeconds = Annotated[int, BeforeValidator(_epoch_seconds), Field(strict=True, ge=0, le=10**11)]
GroupName = Annotated[str, StringConstraints(min_length=1, max_length=128), Field(strict=True)]


class TokenClaims(BaseModel):
    """The claims the API relies on, each of one exact type; other claims are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    sub: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@:\-]{1,128}$"), Field(strict=True)]
    clinic_id: Annotated[ClinicId, Field(strict=True, alias=CLINIC_CLAIM)]
    groups: Annotated[list[GroupName], BeforeValidator(_groups), Field(alias=GROUPS_CLAIM, max_length=50)] = []
    exp: EpochSeconds
    iat: EpochSeconds | None = None
    token_use: Literal["id"] | None = None


def parse_claims(claims: Mapping[str, Any], now: float) -> TokenClaims:
    """The token's claims if they can be trusted at ``now`` (epoch seconds); ``Unauthenticated`` if not."""
    try:
        parsed = TokenClaims.model_validate(dict(claims))
    except ValidationError:
        raise Unauthenticated("Sign in again: your token does not name one user and one clinic.") from None
    if parsed.exp <= now:
        raise Unauthenticated("Sign in again: your token has expired.")
    if parsed.iat is not None and parsed.iat > now + CLOCK_SKEW_SECONDS:
        raise Unauthenticated("Sign in again: your token was issued in the future.")
    return parsed


def principal_from_claims(claims: Mapping[str, Any], now: float | None = None) -> Principal:
    parsed = parse_claims(claims, time.time() if now is None else now)
    return Principal(user_id=parsed.sub, clinic_id=parsed.clinic_id, is_admin=ADMIN_GROUP in parsed.groups)


def authorize(event: APIGatewayProxyEventV2) -> Principal:
    """The caller of a private route, or ``Unauthenticated``/``Forbidden`` under the contract's rule."""
    claims = event.request_context.authorizer.jwt_claim
    principal = principal_from_claims(claims if isinstance(claims, Mapping) else {})
    method = event.request_context.http.method.upper()
    member_write = any(method == m and path.fullmatch(event.raw_path or "") for m, path in MEMBER_WRITES)
    if method not in READ_METHODS and not member_write and not principal.is_admin:
        raise Forbidden("Only clinic admins can make changes; ask an admin of your clinic.")
    return principal
