"""The clinic dashboard in a real headless Chromium (Debian's, driven by Playwright) against ``make dev``'s whole
stack, started once for the module as a user starts it (``make dev`` on free ports): the dashboard it serves on
``WEB_PORT``, the real handlers behind the local gateway, moto's server, the scheduler loop and the simulated Retell.
Calls reach their states through the real lifecycle (the simulated Retell's test numbers), except the hundreds a
paging test needs, which are written straight into the table (``standins/seed_calls.py``).

Every state a test reaches is checked with axe-core (from the npm lock; no serious or critical violation), keyboard
reachability where it matters, no Content-Security-Policy violation, and saved as a screenshot in
``test-artifacts/dashboard/``; the set from the last run is in ``docs/dashboard/``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, ViewportSize, expect, sync_playwright

from standins import dev_process
from standins.daytime import daytime_number
from standins.dev_process import DevProcess, wait_for
from standins.tokens import issue

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/lib/chromium/chromium"))
AXE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}

expect.set_options(timeout=10_000)


@pytest.fixture(scope="package")
def stack() -> Iterator[DevProcess]:
    with dev_process.running(env={"RETELL_SIM_STEP_SECONDS": "0.3"}) as started:  # webhooks sooner
        started.wait_ready()
        yield started


class Api:
    """The local API as a clinic's admin (or staff) uses it over HTTP."""

    def __init__(self, url: str, clinic: str, role: str = "admin"):
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {issue(clinic, role)}"}, timeout=10)

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> dict[str, Any]:
        response = self.http.request(method, path, json=body, headers=headers)
        assert response.status_code < 300, response.text
        return dict(response.json()["data"])

    def schedule(
        self, phone: str = "+14155550100", when: datetime | None = None, *, daytime: bool = True, **fields: Any
    ) -> dict[str, Any]:
        """A call to ``phone``'s scenario; one due within the hour goes to the same scenario under a prefix whose
        owners are inside calling hours from now until then (``standins.daytime``), so it is dialed (or dialed now)
        at any hour of the day without being moved."""
        if daytime and (when is None or when <= datetime.now(UTC) + timedelta(hours=1)):
            phone = daytime_number(phone, until=when)
        body = {
            "phoneNumber": phone,
            "petName": "Luna",
            "ownerName": "Sarah Johnson",
            "clinicName": "Paws & Claws",
            "clinicPhone": "+14155559876",
            "consent": {"given": True, "method": "verbal_at_discharge"},
            **fields,
        }
        if when is not None:
            body["scheduledFor"] = when.isoformat()
        return self.call("POST", "/calls/schedule", body)

    def until(self, call_id: str, *statuses: str, timeout: float = 20) -> dict[str, Any]:
        def reached() -> dict[str, Any] | None:
            call = self.call("GET", f"/calls/{call_id}")
            return call if call["status"] in statuses else None

        return dict(wait_for(reached, timeout, every=0.3))


@pytest.fixture(scope="package")
def demo(stack: DevProcess) -> Api:
    """Clinic ``demo``: open all day, every day (``make dev`` seeds it)."""
    return Api(stack.url, "demo")


def soon(seconds: float = 2) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


@pytest.fixture(scope="package")
def lifecycles(demo: Api) -> dict[str, dict[str, Any]]:
    """Calls of ``demo`` in every state a clinic sees, each reached through the real lifecycle."""
    calls = {
        "answered": demo.schedule(
            "+14155550100",
            soon(),
            petName="Bella",
            ownerName="Maria Garcia",
            vetName="Dr. Smith",
            clinicName="Paws & Claws",
            dischargeSummary="Dental cleaning; soft food for three days.",
            notes="Ask about appetite",
            metadata={"source": "idexx_neo", "consultation_id": "98765"},
        ),
        "retrying": demo.schedule("+14155550101", soon(), petName="Rex", ownerName="Tom Lee"),
        "failed": demo.schedule("+14155550103", soon(), petName="Milo", ownerName="Ana Silva"),
        "voicemail": demo.schedule("+14155550104", soon(), petName="Coco", ownerName="Sam Brown"),
    }
    finished = {
        "answered": demo.until(calls["answered"]["callId"], "completed", timeout=40),
        "failed": demo.until(calls["failed"]["callId"], "failed", timeout=40),
        "voicemail": demo.until(calls["voicemail"]["callId"], "completed", timeout=40),
    }
    # The answered call's analysis comes last (call_analyzed); the no-answer one waits for its retry.
    wait_for(lambda: demo.call("GET", f"/calls/{calls['answered']['callId']}").get("analysis"), 20)
    finished["answered"] = demo.call("GET", f"/calls/{calls['answered']['callId']}")
    wait_for(lambda: demo.call("GET", f"/calls/{calls['retrying']['callId']}")["attempt"] == 2, 40)
    finished["retrying"] = demo.call("GET", f"/calls/{calls['retrying']['callId']}")
    return finished


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: `make test` installs it (scripts/install-chromium.sh)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    yield chromium
    chromium.close()


@dataclass
class Visitor:
    """One person's browser tab on the dashboard, with what it logged."""

    page: Page
    base: str
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def sign_in(self, role: str = "admin", clinic: str = "demo", path: str = "/calls") -> Page:
        self.open(path)
        self.page.get_by_label("Clinic").fill(clinic)
        self.page.get_by_role("button", name=f"Sign in as {role}").click()
        expect(self.page.locator("#who")).to_contain_text(f"clinic {clinic}")
        return self.page

    def check(self, name: str, *, keyboard: bool = False) -> None:
        """The state on screen: no serious or critical axe violation, no CSP violation or script error, every
        control reachable with Tab (``keyboard``), and a screenshot."""
        page = self.page
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(AXE)  # through the DevTools protocol: the page's CSP (rightly) refuses inline scripts
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join('; ')})`)"""
        )
        assert violations == [], violations
        assert self.problems == [], self.problems
        if keyboard:
            assert_keyboard_reachable(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        width = "phone" if page.viewport_size and page.viewport_size["width"] < 600 else "desktop"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)


def assert_keyboard_reachable(page: Page) -> None:
    """Tab from the top reaches every visible, enabled control on the page."""
    count = page.evaluate(
        """() => {
            const controls = [...document.querySelectorAll('a[href], button, input, select, textarea, summary')]
                .filter(el => !el.disabled && el.offsetParent !== null && !el.closest('dialog:not([open])'));
            controls.forEach((el, i) => el.dataset.kbd = String(i));
            return controls.length;
        }"""
    )
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    reached: set[str] = set()
    for _ in range(count + 10):
        page.keyboard.press("Tab")
        mark = page.evaluate("() => document.activeElement?.dataset.kbd ?? ''")
        if mark:
            reached.add(mark)
    missing = page.evaluate(
        "(reached) => [...document.querySelectorAll('[data-kbd]')].filter(el => !reached.includes(el.dataset.kbd))"
        ".map(el => el.outerHTML.slice(0, 80))",
        sorted(reached),
    )
    assert missing == [], missing


def _visitor(context: BrowserContext, base: str) -> Iterator[Visitor]:
    page = context.new_page()
    visitor = Visitor(page, base)
    page.on("pageerror", lambda error: visitor.problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            visitor.problems.append(message.text)
            if re.search(r"Content Security Policy|Refused to", message.text)
            else None
        ),
    )
    page.on("request", lambda request: visitor.requests.append(f"{request.method} {request.url}"))
    yield visitor
    context.close()


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def anyone(request: pytest.FixtureRequest, browser: Browser, stack: DevProcess) -> Iterator[Visitor]:
    """A visitor at desktop and at phone width."""
    yield from _visitor(browser.new_context(viewport=request.param, locale="en-US"), stack.web_url)


@pytest.fixture
def visitor(browser: Browser, stack: DevProcess) -> Iterator[Visitor]:
    """A visitor at desktop width."""
    yield from _visitor(browser.new_context(viewport=DESKTOP, locale="en-US"), stack.web_url)


@pytest.fixture
def second_visitor(browser: Browser, stack: DevProcess) -> Iterator[Visitor]:
    yield from _visitor(browser.new_context(viewport=DESKTOP, locale="en-US"), stack.web_url)
