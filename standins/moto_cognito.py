"""Make moto's Cognito user pools as strict as Amazon Cognito where the sign-in tests depend on it.

moto answers the sign-in steps without checking them: ``USER_SRP_AUTH`` hands out a random B and salt and
``PASSWORD_VERIFIER`` accepts any signature (so any password); AssociateSoftwareToken hands every user the same
secret, VerifySoftwareToken and ``SOFTWARE_TOKEN_MFA`` accept any code, ``MFA_SETUP`` signs in whoever answers it
with the first session; and an app client's ``ExplicitAuthFlows`` are not enforced. Here, as in Cognito:

* **SRP is checked.** InitiateAuth ``USER_SRP_AUTH`` answers with a real B, salt and secret block for the user's
  current password (``standins.cognito_srp``), and ``PASSWORD_VERIFIER`` refuses a signature that was not made with
  that password (``NotAuthorizedException``). ``USER_ID_FOR_SRP`` is the user's username, as Cognito's is.
* **TOTP is checked.** AssociateSoftwareToken hands out a new secret per user; VerifySoftwareToken and
  ``SOFTWARE_TOKEN_MFA`` accept only that secret's code (RFC 6238, the 30-second step either side too), else
  ``CodeMismatchException``; ``MFA_SETUP`` is answered only with the session a successful VerifySoftwareToken gave.
* **The app client's auth flows are enforced**: InitiateAuth with a flow the client does not allow is refused
  (``InvalidParameterException``), e.g. ``USER_PASSWORD_AUTH`` on an SRP-only client.

Everything else (the user's status, the new-password step, the tokens) is still moto's own code; the code under
test is unchanged."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from standins import totp
from standins.cognito_srp import ServerChallenge

# The flows an app client allows, by the names its ExplicitAuthFlows may use (the ALLOW_ ones and the legacy ones).
_ALLOWED_BY = {
    "USER_SRP_AUTH": {"ALLOW_USER_SRP_AUTH"},
    "USER_PASSWORD_AUTH": {"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"},
    "REFRESH_TOKEN_AUTH": {"ALLOW_REFRESH_TOKEN_AUTH"},
    "REFRESH_TOKEN": {"ALLOW_REFRESH_TOKEN_AUTH"},
    "CUSTOM_AUTH": {"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"},
}
# What Cognito allows a client that names no flows.
_DEFAULT_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass
class _SignIns:
    """What the stand-in remembers beside moto's own state, on each regional backend."""

    challenges: dict[str, tuple[ServerChallenge, str]] = field(default_factory=dict)  # secret block -> (SRP, session)
    pending_secrets: dict[tuple[str, str], str] = field(default_factory=dict)  # (pool, username) -> secret
    secrets: dict[tuple[str, str], str] = field(default_factory=dict)  # verified: (pool, username) -> secret
    verified_sessions: set[str] = field(default_factory=set)


def _sign_ins(backend: Any) -> _SignIns:
    state: _SignIns = backend.__dict__.setdefault("_strict_sign_ins", _SignIns())
    return state


def make_moto_cognito_strict() -> None:
    """Idempotent: wraps moto's Cognito backend's sign-in operations once."""
    from moto.cognitoidp.models import CognitoIdpBackend

    wrappers: dict[str, Callable[[Callable[..., Any]], Callable[..., Any]]] = {
        "initiate_auth": _initiate_auth,
        "respond_to_auth_challenge": _respond_to_auth_challenge,
        "associate_software_token": _associate_software_token,
        "verify_software_token": _verify_software_token,
    }
    for name, wrap in wrappers.items():
        method = getattr(CognitoIdpBackend, name)
        if getattr(method, "_strict", False):
            continue
        wrapped = functools.wraps(method)(wrap(method))
        wrapped._strict = True  # type: ignore[attr-defined]
        setattr(CognitoIdpBackend, name, wrapped)


def _user_of_session(backend: Any, session: str) -> Any:
    from moto.cognitoidp.exceptions import NotAuthorizedError

    if session not in backend.sessions:
        raise NotAuthorizedError("Invalid session for the user.")
    username, user_pool = backend.sessions[session]
    return user_pool, backend.admin_get_user(user_pool.id, username)


def _user_of_access_token(backend: Any, access_token: str) -> Any:
    from moto.cognitoidp.exceptions import NotAuthorizedError

    for user_pool in backend.user_pools.values():
        if access_token in user_pool.access_tokens:
            _, username = user_pool.access_tokens[access_token]
            return user_pool, backend.admin_get_user(user_pool.id, username)
    raise NotAuthorizedError("Invalid Access Token")


def _initiate_auth(original: Callable[..., Any]) -> Callable[..., Any]:
    def initiate_auth(self: Any, client_id: str, auth_flow: str, auth_parameters: dict[str, str]) -> Any:
        from moto.cognitoidp.exceptions import InvalidParameterException

        client = next((pool.clients[client_id] for pool in self.user_pools.values() if client_id in pool.clients), None)
        if client is not None and auth_flow in _ALLOWED_BY:
            allowed = client.extended_config.get("ExplicitAuthFlows") or _DEFAULT_FLOWS
            if not _ALLOWED_BY[auth_flow] & set(allowed):
                raise InvalidParameterException(f"{auth_flow} flow not enabled for this client")
        answer = original(self, client_id, auth_flow, auth_parameters)
        if auth_flow != "USER_SRP_AUTH" or answer.get("ChallengeName") != "PASSWORD_VERIFIER":
            return answer
        session = answer["Session"]
        _, user_pool = self.sessions[session]
        user = self.admin_get_user(user_pool.id, auth_parameters["USERNAME"])
        challenge = ServerChallenge(
            user_pool_id=user_pool.id,
            user_id=user.username,
            password=user.password or "",
            big_a=int(auth_parameters["SRP_A"], 16),
        )
        _sign_ins(self).challenges[challenge.secret_block] = (challenge, session)
        answer["ChallengeParameters"].update(
            SALT=f"{challenge.salt:x}",
            SRP_B=f"{challenge.big_b:x}",
            SECRET_BLOCK=challenge.secret_block,
            USERNAME=user.username,
            USER_ID_FOR_SRP=user.username,
        )
        return answer

    return initiate_auth


def _respond_to_auth_challenge(original: Callable[..., Any]) -> Callable[..., Any]:
    def respond_to_auth_challenge(
        self: Any, session: str, client_id: str, challenge_name: str, challenge_responses: dict[str, str]
    ) -> Any:
        from moto.cognitoidp.exceptions import CodeMismatchException, NotAuthorizedError

        sign_ins = _sign_ins(self)
        responses = dict(challenge_responses or {})
        if challenge_name == "PASSWORD_VERIFIER":
            found = sign_ins.challenges.pop(responses.get("PASSWORD_CLAIM_SECRET_BLOCK", ""), None)
            if found is None:
                raise NotAuthorizedError("Invalid session for the user.")
            challenge, moto_session = found
            expected = challenge.expected_signature(responses.get("TIMESTAMP", ""))
            signature = responses.get("PASSWORD_CLAIM_SIGNATURE", "")
            if expected is None or signature != expected or responses.get("USERNAME") != challenge.user_id:
                raise NotAuthorizedError("Incorrect username or password.")
            responses["PASSWORD_CLAIM_SECRET_BLOCK"] = moto_session  # moto keys its session by it
        elif challenge_name == "SOFTWARE_TOKEN_MFA":
            user_pool, user = _user_of_session(self, session)
            secret = sign_ins.secrets.get((user_pool.id, user.username))
            if secret is None or not totp.accepts(secret, responses.get("SOFTWARE_TOKEN_MFA_CODE", "")):
                raise CodeMismatchException("Invalid code received for user")
        elif challenge_name == "MFA_SETUP":
            if session not in sign_ins.verified_sessions:
                raise NotAuthorizedError("Invalid session for the user.")
            sign_ins.verified_sessions.discard(session)
        return original(self, session, client_id, challenge_name, responses)

    return respond_to_auth_challenge


def _associate_software_token(original: Callable[..., Any]) -> Callable[..., Any]:
    def associate_software_token(self: Any, access_token: str, session: str) -> Any:
        answer = dict(original(self, access_token, session))
        user_pool, user = _user_of_session(self, session) if session else _user_of_access_token(self, access_token)
        secret = totp.new_secret()
        _sign_ins(self).pending_secrets[(user_pool.id, user.username)] = secret
        answer["SecretCode"] = secret
        return answer

    return associate_software_token


def _verify_software_token(original: Callable[..., Any]) -> Callable[..., Any]:
    def verify_software_token(
        self: Any, access_token: str, session: str, user_code: str, friendly_device_name: str
    ) -> Any:
        from moto.cognitoidp.exceptions import CodeMismatchException, NotAuthorizedError

        sign_ins = _sign_ins(self)
        user_pool, user = _user_of_session(self, session) if session else _user_of_access_token(self, access_token)
        secret = sign_ins.pending_secrets.get((user_pool.id, user.username))
        if secret is None:
            raise NotAuthorizedError("No software token has been associated with this user.")
        if not totp.accepts(secret, user_code or ""):
            raise CodeMismatchException("Code mismatch")
        answer = dict(original(self, access_token, session, user_code, friendly_device_name))
        sign_ins.secrets[(user_pool.id, user.username)] = sign_ins.pending_secrets.pop((user_pool.id, user.username))
        if answer.get("Session"):
            sign_ins.verified_sessions.add(answer["Session"])
        return answer

    return verify_software_token
