"""Bearer tokens for the local stack: JWTs (HS256) carrying the claims Cognito's ID tokens carry (``sub``,
``custom:clinic_id``, ``cognito:groups``), signed with a key kept in ``.build/`` so ``make token`` and
``make dev`` agree. The local gateway checks them as API Gateway's JWT authorizer checks Cognito's: signature,
expiry, issuer.

``make token CLINIC=demo ROLE=admin`` prints one (last line of output)."""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import time
from pathlib import Path
from typing import Any

from shared.api.auth import parse_claims
from shared.models.errors import Unauthenticated

KEY_FILE = Path(__file__).resolve().parents[1] / ".build" / "local-token-key"
ISSUER = "discharge-call-scheduler-local"
LIFETIME_SECONDS = 12 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key() -> bytes:
    if not KEY_FILE.exists():
        KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        KEY_FILE.write_text(secrets.token_hex(32))
        KEY_FILE.chmod(0o600)
    return KEY_FILE.read_text().strip().encode()


def issue(clinic_id: str, role: str = "admin", user: str | None = None, lifetime: int = LIFETIME_SECONDS) -> str:
    now = int(time.time())
    claims = {
        "sub": user or f"local-{role}-{clinic_id}",
        "custom:clinic_id": clinic_id,
        "cognito:groups": [role] if role == "admin" else [],
        "iss": ISSUER,
        "iat": now,
        "exp": now + lifetime,
        "token_use": "id",
    }
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(signing_key(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


def verify(token: str) -> dict[str, Any] | None:
    """The claims as API Gateway passes them to the handler (every value a string, groups flattened to ``[a b]``),
    or ``None``. After the signature, the claims are checked by the handler's own strict parser."""
    try:
        head, body, signature = token.split(".")
        expected = hmac.new(signing_key(), f"{head}.{body}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            return None
        header, claims = json.loads(_unb64(head)), json.loads(_unb64(body))
    except (ValueError, RecursionError):
        return None
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
        return None
    if claims.get("iss") != ISSUER:
        return None
    try:
        parsed = parse_claims(claims, time.time())
    except Unauthenticated:
        return None
    flattened = {name: value if isinstance(value, str) else json.dumps(value) for name, value in claims.items()}
    return {**flattened, "cognito:groups": f"[{' '.join(parsed.groups)}]"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a bearer token the local stack accepts.")
    parser.add_argument("--clinic", default="demo")
    parser.add_argument("--role", default="admin", choices=["admin", "staff"])
    parser.add_argument("--user", default=None)
    args = parser.parse_args(argv)
    print(f"# token for clinic {args.clinic!r}, role {args.role}, valid {LIFETIME_SECONDS // 3600} h")
    print(issue(args.clinic, args.role, args.user))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
