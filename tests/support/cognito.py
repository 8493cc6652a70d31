"""Amazon Cognito for the extension's and the dashboard's sign-in tests: moto's user pools (served over HTTP by
moto's server), as strict as Cognito about passwords, codes and auth flows (``standins.moto_cognito``), and a check
of their ID tokens as API Gateway's JWT authorizer makes it (signature, issuer, audience, expiry)."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

import boto3
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from moto.server import ThreadedMotoServer

from standins import totp
from standins.aws_stand_ins import REGION
from standins.cognito_srp import ClientSrp
from standins.http_server import free_port
from standins.moto_cognito import make_moto_cognito_strict


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


USERNAME = "vet@paws.example"
TEMPORARY_PASSWORD = "Temporary-Passw0rd!"
NEW_PASSWORD = "My-own-Passw0rd!"


class CognitoPool:
    """A user pool as the stack deploys it (``infra/api.py``): TOTP MFA required, an app client without a secret
    that allows SRP sign-in and refresh only. moto's Cognito is made as strict as Cognito first
    (``standins.moto_cognito``): a wrong password or code is refused."""

    def __init__(self, endpoint: str, *, flows: tuple[str, ...] = ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")):
        make_moto_cognito_strict()
        self.endpoint = endpoint
        self.idp: Any = boto3.client("cognito-idp", region_name=REGION)
        pool = self.idp.create_user_pool(
            PoolName="clinic-staff",
            Schema=[{"Name": "clinic_id", "AttributeDataType": "String", "Mutable": False}],
        )["UserPool"]
        self.pool_id: str = pool["Id"]
        self.idp.set_user_pool_mfa_config(
            UserPoolId=self.pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
        )
        self.client_id: str = self.idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="extension", ExplicitAuthFlows=list(flows)
        )["UserPoolClient"]["ClientId"]
        self.idp.create_group(UserPoolId=self.pool_id, GroupName="admin")

    def invite(self, username: str, clinic: str, *, admin: bool) -> None:
        """As a clinic admin invites staff: a temporary password to change at the first sign-in."""
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username=username,
            TemporaryPassword=TEMPORARY_PASSWORD,
            UserAttributes=[{"Name": "custom:clinic_id", "Value": clinic}, {"Name": "email", "Value": username}],
            MessageAction="SUPPRESS",
        )
        if admin:
            self.idp.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username, GroupName="admin")

    def password_verified(self, username: str, password: str) -> dict[str, Any]:
        """InitiateAuth USER_SRP_AUTH and its PASSWORD_VERIFIER answer, as the extension sends them: Cognito's next
        step (a new password, the authenticator app's set-up or its code)."""
        srp = ClientSrp(self.pool_id)
        started = self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": username, "SRP_A": f"{srp.big_a:x}"},
        )
        answer: dict[str, Any] = self.idp.respond_to_auth_challenge(
            ClientId=self.client_id,
            ChallengeName="PASSWORD_VERIFIER",
            Session=started["Session"],
            ChallengeResponses=srp.answer(started["ChallengeParameters"], password),
        )
        return answer

    def set_up_authenticator(self, username: str, password: str = NEW_PASSWORD) -> str:
        """An invited user who chose ``password`` and set up an authenticator app: its secret."""
        self.idp.admin_set_user_password(UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True)
        setup = self.password_verified(username, password)
        assert setup["ChallengeName"] == "MFA_SETUP", setup
        secret: str = self.idp.associate_software_token(Session=setup["Session"])["SecretCode"]
        verified = self.idp.verify_software_token(Session=setup["Session"], UserCode=totp.code(secret))
        self.idp.respond_to_auth_challenge(
            ClientId=self.client_id,
            ChallengeName="MFA_SETUP",
            Session=verified["Session"],
            ChallengeResponses={"USERNAME": username},
        )
        return secret


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's server on a free port, answering the browser's Cognito calls over HTTP; it shares moto's state with
    this process."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def a_wrong_code(secret: str) -> str:
    """A six-digit code the authenticator app with ``secret`` does not show now."""
    return str((int(totp.code(secret)) + 1) % 1_000_000).zfill(6)
