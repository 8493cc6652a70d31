"""Signing in from the preferences page: a clinic account in Cognito with SRP and a required authenticator app
(first sign-in with a temporary password and the app's set-up, the app's code at the next sign-in, refresh when
the token expires, sign out), the session kept only in chrome.storage.session, and the local stack's tokens
(fetched or pasted)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from standins import totp
from standins.aws_stand_ins import REGION
from standins.gateway import LocalGateway
from standins.stack import LocalFunctions
from standins.tokens import issue
from tests.conftest import AwsStandIns
from tests.extension.conftest import CLINIC, Authorizers, Vet, clinic_calls, screenshot
from tests.support.cognito import (
    NEW_PASSWORD,
    TEMPORARY_PASSWORD,
    USERNAME,
    CognitoAuthorizer,
    CognitoPool,
    a_wrong_code,
    moto_server,
)
from tests.support.fake_idexx import page_data


@pytest.fixture
def cognito(aws: AwsStandIns, authorizers: Authorizers) -> Iterator[CognitoPool]:
    """A user pool as the stack deploys it, its Cognito calls answered over HTTP by moto's server."""
    with moto_server() as endpoint:
        pool = CognitoPool(endpoint)
        authorizers.extra.append(CognitoAuthorizer(pool.pool_id, pool.client_id))
        yield pool


def session_in_storage(vet: Vet) -> dict[str, Any] | None:
    """The session as the extension keeps it: in chrome.storage.session, gone when the browser closes."""
    session: dict[str, Any] | None = vet.worker.evaluate(
        "async () => (await chrome.storage.session.get('session')).session"
    )
    return session


def expire_the_id_token(vet: Vet) -> None:
    vet.worker.evaluate(
        "async () => { const {session} = await chrome.storage.session.get('session');"
        " await chrome.storage.session.set({session: {...session, expiresAt: 0}}); }"
    )


def test_a_clinic_account_signs_in_schedules_refreshes_and_signs_out(
    vet: Vet,
    gateway: LocalGateway,
    functions: LocalFunctions,
    cognito: CognitoPool,
    consultations: dict[str, dict[str, Any]],
) -> None:
    cognito.invite(USERNAME, CLINIC, admin=True)
    options = vet.options()
    options.locator("#apiBase").fill(gateway.url)
    options.locator('input[name="signInMethod"][value="cognito"]').check()
    options.locator("#region").fill(REGION)
    options.locator("#clientId").fill(cognito.client_id)
    options.locator("#userPoolId").fill(cognito.pool_id)
    options.locator("#endpoint").fill(cognito.endpoint)
    options.locator("#save").click()
    expect(options.locator("#preferences-status")).to_have_text("Saved.")

    options.locator("#username").fill(USERNAME)
    options.locator("#password").fill("not-my-password")
    options.locator("#sign-in").click()
    expect(options.locator("#account-error")).to_have_text("Wrong username or password.")

    options.locator("#password").fill(TEMPORARY_PASSWORD)
    options.locator("#sign-in").click()
    expect(options.locator("#challenge-text")).to_contain_text("This is your first sign-in: choose your own password")
    expect(options.locator("#cognito-sign-in")).to_be_hidden()
    expect(options.locator("#sign-out")).to_be_hidden()
    screenshot(options, "20-first-sign-in-new-password")
    options.locator("#answer").fill(NEW_PASSWORD)
    options.locator("#challenge-submit").click()

    # The pool requires an authenticator app: the first sign-in sets one up with the key shown on the page.
    expect(options.locator("#challenge-text")).to_contain_text("Your clinic requires an authenticator app")
    secret = options.locator("#mfa-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    expect(options.locator("#mfa-uri")).to_have_text(
        f"otpauth://totp/Discharge%20calls%3A{quote(USERNAME)}?secret={secret}&issuer=Discharge%20calls"
        "&algorithm=SHA1&digits=6&period=30"
    )
    screenshot(options, "23-first-sign-in-authenticator-app")
    options.locator("#answer").fill(a_wrong_code(secret))
    options.locator("#challenge-submit").click()
    expect(options.locator("#account-error")).to_have_text(
        "That code is not right. Check your authenticator app and try again."
    )
    options.locator("#answer").fill(totp.code(secret))
    options.locator("#challenge-submit").click()
    expect(options.locator("#account-status")).to_have_text(f"Signed in as {USERNAME}, admin of clinic {CLINIC}.")
    screenshot(options, "21-signed-in")
    session = session_in_storage(vet)
    assert session is not None
    assert "session" not in vet.storage()  # nothing of the sign-in on disk
    for secret_value in (NEW_PASSWORD, TEMPORARY_PASSWORD, session["refreshToken"]):
        assert secret_value not in str(vet.storage())

    popup = vet.popup(over=vet.open_idexx("/consultations/12345"))
    popup.locator("#consent").check()
    popup.locator("#schedule").click()
    expect(popup.locator("body")).to_have_attribute("data-state", "done")
    [call] = clinic_calls(functions)
    user = cognito.idp.admin_get_user(UserPoolId=cognito.pool_id, Username=USERNAME)
    sub = next(attribute["Value"] for attribute in user["UserAttributes"] if attribute["Name"] == "sub")
    assert call["createdBy"] == sub

    # The ID token expires (an hour in Cognito): the next use refreshes it without asking the vet.
    expire_the_id_token(vet)
    consultations["12346"] = page_data(12346)
    popup = vet.popup(over=vet.open_idexx("/consultations/12346"))
    expect(popup.locator("body")).to_have_attribute("data-state", "form")
    refreshed = session_in_storage(vet)
    assert refreshed is not None
    assert refreshed["idToken"] != session["idToken"]
    assert refreshed["expiresAt"] > time.time() * 1000
    assert refreshed["refreshToken"] == session["refreshToken"]

    options.reload()
    options.locator("#sign-out").click()
    expect(options.locator("#account-status")).to_have_text("Not signed in.")
    assert session_in_storage(vet) is None
    with pytest.raises(cognito.idp.exceptions.NotAuthorizedException):  # signed out everywhere, not just here
        cognito.idp.initiate_auth(
            ClientId=cognito.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": session["refreshToken"]},
        )
    popup = vet.popup(over=vet.open_idexx("/consultations/12345"))
    expect(popup.locator("#notice-title")).to_have_text("Sign in to schedule calls")


def test_a_revoked_session_asks_to_sign_in_again(
    vet: Vet, gateway: LocalGateway, cognito: CognitoPool, consultations: dict[str, dict[str, Any]]
) -> None:
    cognito.invite(USERNAME, CLINIC, admin=True)
    secret = cognito.set_up_authenticator(USERNAME)
    vet.configure(
        gateway.url,
        signInMethod="cognito",
        cognito={
            "region": REGION,
            "userPoolId": cognito.pool_id,
            "clientId": cognito.client_id,
            "endpoint": cognito.endpoint,
        },
    )
    options = vet.options()
    options.locator("#username").fill(USERNAME)
    options.locator("#password").fill(NEW_PASSWORD)
    options.locator("#sign-in").click()
    expect(options.locator("#challenge-text")).to_have_text("Enter the 6-digit code from your authenticator app.")
    expect(options.locator("#mfa-setup")).to_be_hidden()
    options.locator("#answer").fill(a_wrong_code(secret))
    options.locator("#challenge-submit").click()
    expect(options.locator("#account-error")).to_have_text(
        "That code is not right. Check your authenticator app and try again."
    )
    options.locator("#answer").fill(totp.code(secret))
    options.locator("#challenge-submit").click()
    expect(options.locator("#account-status")).to_contain_text("Signed in as")

    cognito.idp.admin_user_global_sign_out(UserPoolId=cognito.pool_id, Username=USERNAME)  # an admin revokes it
    expire_the_id_token(vet)
    popup = vet.popup(over=vet.open_idexx("/consultations/12345"))
    expect(popup.locator("#notice-title")).to_have_text("Sign in to schedule calls")
    assert session_in_storage(vet) is None


def test_a_session_an_earlier_version_kept_on_disk_is_removed(vet: Vet, gateway: LocalGateway) -> None:
    vet.configure(gateway.url)
    kept = {"method": "local", "idToken": issue(CLINIC, "admin"), "expiresAt": 4_102_444_800_000}
    vet.worker.evaluate(
        "session => chrome.storage.local.set({session: {...session, refreshToken: 'thirty-days'}})", kept
    )
    options = vet.options()
    expect(options.locator("#account-status")).to_have_text("Not signed in.")
    assert "session" not in vet.storage()
    assert session_in_storage(vet) is None


def test_the_local_stack_hands_out_a_token_or_takes_a_pasted_one(
    vet: Vet, gateway: LocalGateway, consultations: dict[str, dict[str, Any]]
) -> None:
    vet.configure(gateway.url)
    options = vet.options()
    expect(options.locator("#local-sign-in")).to_be_visible()
    options.locator("#fetch-token").click()
    expect(options.locator("#account-status")).to_have_text(
        f"Signed in as local-admin-{CLINIC}, admin of clinic {CLINIC}."
    )
    screenshot(options, "22-local-token")

    options.locator("#sign-out").click()
    expect(options.locator("#account-status")).to_have_text("Not signed in.")
    expect(options.locator("#sign-out")).to_be_hidden()
    options.locator("#token").fill("not a token")
    options.locator("#use-token").click()
    expect(options.locator("#account-error")).to_contain_text("That is not a token of the local stack")
    options.locator("#token").fill(issue("clinic-b", "staff"))
    options.locator("#use-token").click()
    expect(options.locator("#account-status")).to_have_text(
        "Signed in as local-staff-clinic-b, staff of clinic clinic-b."
    )


def test_preferences_refuse_an_address_that_is_not_https(vet: Vet) -> None:
    options = vet.options()
    options.locator("#apiBase").fill("http://api.example.com")
    options.locator("#save").click()
    expect(options.locator('.hint[data-for="API address"]')).to_contain_text("must use https")
    expect(options.locator("#preferences-status")).to_have_text("Not saved: fix the highlighted field.")
    assert "preferences" not in vet.storage()


def test_preferences_saved_under_the_older_key_are_read_and_moved_on_the_next_save(vet: Vet) -> None:
    older = {"apiBase": "https://api.older.example", "idexxBase": "https://us.idexxneo.com", "signInMethod": "local"}
    vet.worker.evaluate("older => chrome.storage.local.set({settings: older})", older)
    options = vet.options()
    expect(options.locator("#apiBase")).to_have_value("https://api.older.example")
    options.locator("#dashboardUrl").fill("https://dashboard.older.example")
    options.locator("#save").click()
    expect(options.locator("#preferences-status")).to_have_text("Saved.")
    stored = vet.storage()
    assert "settings" not in stored
    assert stored["preferences"]["apiBase"] == "https://api.older.example"
    assert stored["preferences"]["dashboardUrl"] == "https://dashboard.older.example"
