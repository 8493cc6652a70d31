"""Who is calling, from the JWT claims API Gateway's authorizer (or the local gateway) put in the request context.

The contract's rule, applied to every route before anything else looks at the request: reading needs a member of
the clinic, every write needs an admin. Public routes need nothing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from shared.models.errors import Forbidden, Unauthenticated
from shared.models.principal import Principal

CLINIC_CLAIM = "custom:clinic_id"
GROUPS_CLAIM = "cognito:groups"
ADMIN_GROUP = "admin"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _groups(raw: Any) -> set[str]:
    # API Gateway flattens a JWT array claim to a string like "[admin staff]"; tokens in tests carry real lists.
    if isinstance(raw, list):
        return {str(group) for group in raw}
    if isinstance(raw, str):
        return {part for part in raw.strip("[]").replace(",", " ").split() if part}
    return set()


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    user = claims.get("sub")
    clinic = claims.get(CLINIC_CLAIM)
    if not user or not clinic:
        raise Unauthenticated("Sign in again: your token does not name a user and a clinic.")
    return Principal(
        user_id=str(user), clinic_id=str(clinic), is_admin=ADMIN_GROUP in _groups(claims.get(GROUPS_CLAIM))
    )


def authorize(event: APIGatewayProxyEventV2) -> Principal:
    """The caller of a private route, or ``Unauthenticated``/``Forbidden`` under the contract's rule."""
    principal = principal_from_claims(event.request_context.authorizer.jwt_claim or {})
    if event.request_context.http.method.upper() not in READ_METHODS and not principal.is_admin:
        raise Forbidden("Only clinic admins can make changes; ask an admin of your clinic.")
    return principal
