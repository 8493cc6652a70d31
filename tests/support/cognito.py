"""Amazon Cognito for the extension's sign-in tests: moto's user pools (served over HTTP by moto's server), and
a check of their ID tokens as API Gateway's JWT authorizer makes it (signature, issuer, audience, expiry)."""

from __future__ import annotations

import gzip
import json
import time
from importlib import resources
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from standins.aws_stand_ins import REGION


class CognitoAuthorizer:
    def __init__(self, user_pool_id: str, client_id: str):
        self.issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{user_pool_id}"
        self.client_id = client_id
        public = resources.files("moto.cognitoidp").joinpath("resources/jwks-public.json.gz").read_bytes()
        self._keys = KeySet.import_key_set(json.loads(gzip.decompress(public)))

    def __call__(self, token: str) -> dict[str, Any] | None:
        try:
            claims = dict(jwt.decode(token, self._keys, algorithms=["RS256"]).claims)
        except (JoseError, ValueError):
            return None
        if claims.get("iss") != self.issuer or claims.get("aud") != self.client_id:
            return None
        if claims.get("token_use") != "id" or int(claims.get("exp", 0)) <= time.time():
            return None
        groups = claims.get("cognito:groups") or []
        return {**claims, "cognito:groups": f"[{' '.join(groups)}]"}  # flattened, as API Gateway passes them
