"""The Cognito stand-in is as strict as Cognito where the sign-in tests depend on it (``standins.moto_cognito``):
SRP proves the password (a wrong one is refused), the authenticator app's codes are checked against the secret it
was given (RFC 6238), MFA_SETUP needs a verified app, and the app client's auth flows are enforced. And the SRP
math of the extension (``extension/lib/srp.js``) is the one the stand-in checks."""

from __future__ import annotations

from typing import Any

import pytest

from standins import totp
from standins.cognito_srp import ClientSrp, N, ServerChallenge, timestamp
from tests.conftest import AwsStandIns
from tests.support.cognito import NEW_PASSWORD, TEMPORARY_PASSWORD, USERNAME, CognitoPool


@pytest.fixture
def pool(aws: AwsStandIns) -> CognitoPool:
    created = CognitoPool("in-process")
    created.invite(USERNAME, "demo", admin=True)
    return created


def error_code(error: pytest.ExceptionInfo[Any]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_srp_signs_in_with_the_right_password_and_refuses_a_wrong_one(pool: CognitoPool) -> None:
    with pytest.raises(pool.idp.exceptions.NotAuthorizedException):
        pool.password_verified(USERNAME, "Not-the-Passw0rd!")
    step = pool.password_verified(USERNAME, TEMPORARY_PASSWORD)
    assert step["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_a_signature_made_for_another_timestamp_or_secret_block_is_refused(pool: CognitoPool) -> None:
    srp = ClientSrp(pool.pool_id)
    started = pool.idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": USERNAME, "SRP_A": f"{srp.big_a:x}"},
    )
    answer = srp.answer(started["ChallengeParameters"], TEMPORARY_PASSWORD)
    answer["TIMESTAMP"] = answer["TIMESTAMP"].replace("UTC", "GMT")
    with pytest.raises(pool.idp.exceptions.NotAuthorizedException):
        pool.idp.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="PASSWORD_VERIFIER",
            Session=started["Session"],
            ChallengeResponses=answer,
        )


def test_the_first_sign_in_sets_up_the_app_and_the_next_asks_for_its_code(pool: CognitoPool) -> None:
    pool.idp.admin_set_user_password(UserPoolId=pool.pool_id, Username=USERNAME, Password=NEW_PASSWORD, Permanent=True)
    setup = pool.password_verified(USERNAME, NEW_PASSWORD)
    assert setup["ChallengeName"] == "MFA_SETUP"
    with pytest.raises(pool.idp.exceptions.NotAuthorizedException):  # no app verified yet: no sign-in
        pool.idp.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="MFA_SETUP",
            Session=setup["Session"],
            ChallengeResponses={"USERNAME": USERNAME},
        )
    secret = pool.idp.associate_software_token(Session=setup["Session"])["SecretCode"]
    assert secret != pool.idp.associate_software_token(Session=setup["Session"])["SecretCode"]  # a new one each time
    secret = pool.idp.associate_software_token(Session=setup["Session"])["SecretCode"]
    wrong = str((int(totp.code(secret)) + 1) % 1_000_000).zfill(6)
    with pytest.raises(pool.idp.exceptions.CodeMismatchException):
        pool.idp.verify_software_token(Session=setup["Session"], UserCode=wrong)
    verified = pool.idp.verify_software_token(Session=setup["Session"], UserCode=totp.code(secret))
    signed_in = pool.idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="MFA_SETUP",
        Session=verified["Session"],
        ChallengeResponses={"USERNAME": USERNAME},
    )
    assert "IdToken" in signed_in["AuthenticationResult"]

    again = pool.password_verified(USERNAME, NEW_PASSWORD)
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    with pytest.raises(pool.idp.exceptions.CodeMismatchException):
        pool.idp.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=again["Session"],
            ChallengeResponses={"USERNAME": USERNAME, "SOFTWARE_TOKEN_MFA_CODE": wrong},
        )
    tokens = pool.idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=again["Session"],
        ChallengeResponses={"USERNAME": USERNAME, "SOFTWARE_TOKEN_MFA_CODE": totp.code(secret)},
    )
    assert "RefreshToken" in tokens["AuthenticationResult"]


def test_the_app_client_refuses_password_sign_in_unless_it_allows_it(aws: AwsStandIns) -> None:
    srp_only = CognitoPool("in-process")
    srp_only.invite(USERNAME, "demo", admin=True)
    with pytest.raises(srp_only.idp.exceptions.InvalidParameterException) as refused:
        srp_only.idp.initiate_auth(
            ClientId=srp_only.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": USERNAME, "PASSWORD": TEMPORARY_PASSWORD},
        )
    assert "USER_PASSWORD_AUTH flow not enabled for this client" in str(refused.value)
    with_passwords = CognitoPool("in-process", flows=("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"))
    with_passwords.invite(USERNAME, "demo", admin=True)
    step = with_passwords.idp.initiate_auth(
        ClientId=with_passwords.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": USERNAME, "PASSWORD": TEMPORARY_PASSWORD},
    )
    assert step["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    with pytest.raises(with_passwords.idp.exceptions.InvalidParameterException):
        with_passwords.idp.initiate_auth(
            ClientId=with_passwords.client_id,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": USERNAME, "SRP_A": "2"},
        )


def test_totp_is_rfc_6238_with_one_step_either_side() -> None:
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 6238's SHA-1 key, "12345678901234567890"
    assert totp.code(secret, at=59) == "287082"
    assert totp.code(secret, at=1111111109) == "081804"
    assert totp.accepts(secret, totp.code(secret, at=1000 - 30), at=1000)
    assert totp.accepts(secret, totp.code(secret, at=1000 + 30), at=1000)
    assert not totp.accepts(secret, totp.code(secret, at=1000 + 90), at=1000)


def test_the_srp_server_refuses_an_a_that_is_a_multiple_of_n() -> None:
    challenge = ServerChallenge(user_pool_id="us-east-1_abc", user_id="someone", password="pw", big_a=N)
    assert challenge.expected_signature(timestamp()) is None
