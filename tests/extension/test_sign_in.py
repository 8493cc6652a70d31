"""Signing in from the preferences page: a clinic account in Cognito (first sign-in with a temporary password,
refresh when the token expires, sign out), and the local stack's tokens (fetched or pasted)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from playwright.sync_api import expect

from standins.aws_stand_ins import REGION
from standins.gateway import LocalGateway
from standins.http_server import free_port
from standins.stack import LocalFunctions
from standins.tokens import issue
from tests.conftest import AwsStandIns
from tests.extension.conftest import CLINIC, Authorizers, Vet, clinic_calls, screenshot
from tests.support.cognito import CognitoAuthorizer
from tests.support.fake_idexx import page_data

USERNAME = "vet@paws.example"
TEMPORARY_PASSWORD = "Temporary-Passw0rd!"
NEW_PASSWORD = "My-own-Passw0rd!"


class CognitoPool:
    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.idp: Any = boto3.client("cognito-idp", region_name=REGION)
        pool = self.idp.create_user_pool(
            PoolName="clinic-staff",
            Schema=[{"Name": "clinic_id", "AttributeDataType": "String", "Mutable": False}],
        )["UserPool"]
        self.pool_id = pool["Id"]
        self.client_id = self.idp.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName="extension",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
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


@pytest.fixture
def cognito(aws: AwsStandIns, authorizers: Authorizers) -> Iterator[CognitoPool]:
    """moto's server answers the extension's Cognito calls over HTTP; it shares moto's state with this process."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        pool = CognitoPool(f"http://127.0.0.1:{port}")
        authorizers.extra.append(CognitoAuthorizer(pool.pool_id, pool.client_id))
        yield pool
    finally:
        server.stop()


def session_in_storage(vet: Vet) -> dict[str, Any] | None:
    session: dict[str, Any] | None = vet.storage().get("session")
    return session


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
    expect(options.locator("#account-status")).to_have_text(f"Signed in as {USERNAME}, admin of clinic {CLINIC}.")
    screenshot(options, "21-signed-in")
    session = session_in_storage(vet)
    assert session is not None
    assert NEW_PASSWORD not in str(vet.storage())
    assert TEMPORARY_PASSWORD not in str(vet.storage())

    popup = vet.popup(over=vet.open_idexx("/consultations/12345"))
    popup.locator("#consent").check()
    popup.locator("#schedule").click()
    expect(popup.locator("body")).to_have_attribute("data-state", "done")
    [call] = clinic_calls(functions)
    user = cognito.idp.admin_get_user(UserPoolId=cognito.pool_id, Username=USERNAME)
    sub = next(attribute["Value"] for attribute in user["UserAttributes"] if attribute["Name"] == "sub")
    assert call["createdBy"] == sub

    # The ID token expires (an hour in Cognito): the next use refreshes it without asking the vet.
    vet.worker.evaluate(
        "async () => { const {session} = await chrome.storage.local.get('session');"
        " await chrome.storage.local.set({session: {...session, expiresAt: 0}}); }"
    )
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
    cognito.idp.admin_set_user_password(
        UserPoolId=cognito.pool_id, Username=USERNAME, Password=NEW_PASSWORD, Permanent=True
    )
    vet.configure(
        gateway.url,
        signInMethod="cognito",
        cognito={"region": REGION, "clientId": cognito.client_id, "endpoint": cognito.endpoint},
    )
    options = vet.options()
    options.locator("#username").fill(USERNAME)
    options.locator("#password").fill(NEW_PASSWORD)
    options.locator("#sign-in").click()
    expect(options.locator("#account-status")).to_contain_text("Signed in as")

    cognito.idp.admin_user_global_sign_out(UserPoolId=cognito.pool_id, Username=USERNAME)  # an admin revokes it
    vet.worker.evaluate(
        "async () => { const {session} = await chrome.storage.local.get('session');"
        " await chrome.storage.local.set({session: {...session, expiresAt: 0}}); }"
    )
    popup = vet.popup(over=vet.open_idexx("/consultations/12345"))
    expect(popup.locator("#notice-title")).to_have_text("Sign in to schedule calls")
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
