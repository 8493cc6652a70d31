"""Signing in to the dashboard with a clinic account, as deployed: SRP against a user pool that requires an
authenticator app (moto's Cognito, as strict as Cognito: ``standins.moto_cognito``), a first sign-in that chooses
a password and sets the app up from the key on the page, the app's code at the next sign-in, and the session kept
in sessionStorage only (one an earlier version kept in localStorage is removed). The dashboard is served as
CloudFront serves it, the API's real handlers behind the local gateway checking Cognito's ID tokens, all over moto
in this process (no ``make dev``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from standins import totp
from standins.aws_stand_ins import REGION
from standins.dashboard_server import DashboardServer
from standins.gateway import LocalGateway
from standins.http_server import free_port
from standins.stack import LocalFunctions
from standins.tokens import issue, verify
from tests.conftest import AwsStandIns
from tests.dashboard.conftest import DESKTOP, Visitor, _visitor
from tests.support.cognito import (
    NEW_PASSWORD,
    TEMPORARY_PASSWORD,
    USERNAME,
    CognitoAuthorizer,
    CognitoPool,
    a_wrong_code,
    moto_server,
)

CLINIC = "demo"


@pytest.fixture
def cognito(aws: AwsStandIns) -> Iterator[CognitoPool]:
    with moto_server() as endpoint:
        pool = CognitoPool(endpoint)
        pool.invite(USERNAME, CLINIC, admin=True)
        yield pool


@pytest.fixture
def dashboard(cognito: CognitoPool) -> Iterator[str]:
    """The dashboard's address, its config.json naming the user pool, its API behind the local gateway."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    cognito_tokens = CognitoAuthorizer(cognito.pool_id, cognito.client_id)
    functions = LocalFunctions.from_environment()
    gateway = LocalGateway(
        functions.invoke,
        authorize=lambda token: verify(token) or cognito_tokens(token),
        cors_origins=(origin,),
        issue_token=issue,
    )
    with gateway.running():
        signing_in = {
            "region": REGION,
            "userPoolId": cognito.pool_id,
            "clientId": cognito.client_id,
            "endpoint": cognito.endpoint,
        }
        server = DashboardServer(gateway.url, port=port, cognito=signing_in).start()
        try:
            yield server.url
        finally:
            server.stop()


@pytest.fixture
def visitor(browser: Browser, dashboard: str) -> Iterator[Visitor]:
    yield from _visitor(browser.new_context(viewport=DESKTOP, locale="en-US"), dashboard)


def sign_in_with_password(page: Page, password: str) -> None:
    page.get_by_label("Email or username").fill(USERNAME)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def stored(page: Page, storage: str) -> str | None:
    value: str | None = page.evaluate(f"() => {storage}.getItem('dcs.session')")
    return value


def test_the_first_sign_in_chooses_a_password_and_sets_up_the_authenticator_app(
    visitor: Visitor, cognito: CognitoPool
) -> None:
    page = visitor.open("/calls")
    sign_in_with_password(page, "Not-the-Passw0rd!")
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")

    sign_in_with_password(page, TEMPORARY_PASSWORD)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    secret = page.locator("#mfa-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    expect(page.locator("#mfa-uri")).to_have_text(
        f"otpauth://totp/Discharge%20calls%3A{quote(USERNAME)}?secret={secret}&issuer=Discharge%20calls"
        "&algorithm=SHA1&digits=6&period=30"
    )
    visitor.check("19-first-sign-in-authenticator-app", keyboard=True)
    answer_a_wrong_code_then_the_right_one(page, secret, "6-digit code from the app")
    expect(page.locator("#who")).to_contain_text(f"clinic {CLINIC}")

    session = json.loads(stored(page, "sessionStorage") or "{}")
    assert session["method"] == "cognito"
    assert session["refreshToken"]
    assert stored(page, "localStorage") is None
    assert session["refreshToken"] not in page.evaluate("() => JSON.stringify(localStorage)")
    page.reload()  # the tab keeps its sign-in
    expect(page.locator("#who")).to_contain_text(f"clinic {CLINIC}")


def answer_a_wrong_code_then_the_right_one(page: Page, secret: str, label: str) -> None:
    page.get_by_label(label).fill(a_wrong_code(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That code is not right. Check your authenticator app and try again."
    )
    page.get_by_label(label).fill(totp.code(secret))
    page.get_by_role("button", name="Continue").click()


def test_the_next_sign_in_asks_for_the_apps_code(visitor: Visitor, cognito: CognitoPool) -> None:
    secret = cognito.set_up_authenticator(USERNAME)
    page = visitor.open("/calls")
    sign_in_with_password(page, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Enter the code from your authenticator app")).to_be_visible()
    answer_a_wrong_code_then_the_right_one(page, secret, "6-digit code")
    expect(page.locator("#who")).to_contain_text(f"clinic {CLINIC}")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    assert stored(page, "sessionStorage") is None


def test_a_session_an_earlier_version_kept_in_local_storage_is_removed(browser: Browser, dashboard: str) -> None:
    context = browser.new_context(viewport=DESKTOP)
    kept = {"method": "local", "idToken": issue(CLINIC, "admin"), "expiresAt": 4_102_444_800_000, "refreshToken": "x"}
    context.add_init_script(f"localStorage.setItem('dcs.session', {json.dumps(json.dumps(kept))})")
    page = context.new_page()
    page.goto(f"{dashboard}/calls")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    assert stored(page, "localStorage") is None
    assert stored(page, "sessionStorage") is None
    context.close()
