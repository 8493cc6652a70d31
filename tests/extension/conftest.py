"""The extension loaded in a real headless Chromium (Debian's, driven by Playwright), a fake IDEXX Neo over TLS
on its real host name, and the API's real handlers behind the local gateway, on moto.

Chromium reaches ``https://us.idexxneo.com`` through ``--host-resolver-rules``, so the manifest, the content
script's match and the host permission are the production ones. Screenshots of every state the popup reaches go
to ``test-artifacts/extension/``."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, Worker, expect, sync_playwright

from scripts.build_extension import extension_id
from standins.gateway import LocalGateway
from standins.stack import LocalFunctions
from standins.tokens import issue, verify
from tests.conftest import ApiClient, AwsStandIns
from tests.support.fake_idexx import HOST, FakeIdexx, page_data, self_signed_context

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
ARTIFACTS = ROOT / "test-artifacts" / "extension"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/lib/chromium/chromium"))
EXTENSION_ID = extension_id(json.loads((EXTENSION / "manifest.json").read_text())["key"])
CLINIC = "demo"

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: `make test` installs it (scripts/install-chromium.sh)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def idexx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeIdexx]:
    server = FakeIdexx(self_signed_context(tmp_path_factory.mktemp("tls")))
    with server.running():
        yield server


@pytest.fixture
def consultations(idexx: FakeIdexx) -> Iterator[dict[str, dict[str, Any]]]:
    idexx.consultations.clear()
    idexx.seen.clear()
    idexx.consultations["12345"] = page_data(12345)
    yield idexx.consultations
    idexx.consultations.clear()


class Authorizers:
    """The local stack's own tokens, plus whatever a test adds (Cognito's)."""

    def __init__(self) -> None:
        self.extra: list[Callable[[str], dict[str, Any] | None]] = []

    def __call__(self, token: str) -> dict[str, Any] | None:
        for check in (verify, *self.extra):
            if claims := check(token):
                return claims
        return None


@pytest.fixture
def authorizers() -> Authorizers:
    return Authorizers()


@pytest.fixture
def functions(aws: AwsStandIns) -> LocalFunctions:
    """The functions' graphs over moto, on the wall clock (the extension schedules relative to today)."""
    return LocalFunctions.from_environment()


@pytest.fixture
def gateway(functions: LocalFunctions, authorizers: Authorizers) -> Iterator[LocalGateway]:
    server = LocalGateway(
        functions.invoke, authorize=authorizers, cors_origins=(f"chrome-extension://{EXTENSION_ID}",), issue_token=issue
    )
    with server.running():
        yield server


class Vet:
    """A vet's browser with the extension installed: IDEXX Neo tabs, the popup, the preferences page."""

    def __init__(self, context: BrowserContext, worker: Worker, idexx: FakeIdexx):
        self.context = context
        self.worker = worker
        self.idexx = idexx
        self.extension_id = worker.url.split("/")[2]

    def url(self, page: str) -> str:
        return f"chrome-extension://{self.extension_id}/{page}"

    def configure(self, api_url: str, **preferences: Any) -> None:
        values = {
            "apiBase": api_url,
            "idexxBase": f"https://{HOST}",
            "signInMethod": "local",
            "cognito": {"region": "", "clientId": "", "endpoint": ""},
            **preferences,
        }
        self.worker.evaluate("preferences => chrome.storage.local.set({preferences})", values)

    def storage(self) -> dict[str, Any]:
        return dict(self.worker.evaluate("() => chrome.storage.local.get(null)"))

    def options(self) -> Page:
        page = self.context.new_page()
        page.goto(self.url("options.html"))
        expect(page.locator("body")).to_have_attribute("data-account", re.compile("signed-(in|out)"))
        return page

    def sign_in_with_token(self, token: str) -> None:
        page = self.options()
        page.locator("#token").fill(token)
        page.locator("#use-token").click()
        expect(page.locator("#account-status")).to_contain_text("Signed in as")
        page.close()

    def sign_in(self, role: str = "admin", clinic: str = CLINIC) -> None:
        self.sign_in_with_token(issue(clinic, role))

    def open_idexx(self, path: str, *, signed_in: bool = True) -> Page:
        page = self.context.new_page()
        page.goto(f"https://{HOST}/{'login' if signed_in else 'logout'}")
        page.goto(f"https://{HOST}{path}")
        return page

    def tab_id(self, page: Page) -> int:
        return int(
            self.worker.evaluate("async url => (await chrome.tabs.query({})).find(tab => tab.url === url).id", page.url)
        )

    def popup(self, over: Page) -> Page:
        """The popup as it opens over ``over`` (the tab the vet is looking at)."""
        popup = self.context.new_page()
        popup.set_viewport_size({"width": 400, "height": 720})
        popup.goto(self.url(f"popup.html?tab={self.tab_id(over)}"))
        return popup


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.locator("body").screenshot(path=str(path))
    return path


@pytest.fixture
def vet(playwright: Playwright, idexx: FakeIdexx, tmp_path: Path) -> Iterator[Vet]:
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        locale="en-US",
        args=[
            f"--disable-extensions-except={EXTENSION}",
            f"--load-extension={EXTENSION}",
            f"--host-resolver-rules=MAP {HOST} 127.0.0.1:{idexx.port}",
            "--ignore-certificate-errors",  # self-signed fake IDEXX; ignore_https_errors misses the SW
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )
    try:
        worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
        yield Vet(context, worker, idexx)
    finally:
        context.close()


def clinic_calls(functions: LocalFunctions, clinic: str = CLINIC) -> list[dict[str, Any]]:
    """The clinic's calls, read through the API as one of its admins would."""
    return list(ApiClient(lambda: functions.api, clinic).get("/calls").data["items"])
