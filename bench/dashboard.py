"""The clinic dashboard's figures, measured in headless Chromium against ``make dev``'s stack: the bytes of a first
load (gzip), the time from navigation to a rendered list of 1,000 calls and to an opened call, and the API requests
an open, idle dashboard makes per minute (the page's clock run forward ten minutes)."""

from __future__ import annotations

import gzip
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from infra.dashboard_site import built_dashboard
from standins import dev_process
from standins.seed_calls import seed_calls

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/lib/chromium/chromium"))
CALLS = 1_000


def _gzip_bytes(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def _signed_in(page: Page, web_url: str, clinic: str) -> None:
    """Signed in as the clinic's admin through the local stack's sign-in page, as a user does (the session is kept in
    the tab's sessionStorage, so later navigations of this page stay signed in)."""
    page.goto(web_url + "/calls")
    page.get_by_label("Clinic").fill(clinic)
    page.get_by_role("button", name="Sign in as admin").click()
    expect(page.locator("#who")).to_contain_text(f"clinic {clinic}")


def dashboard_figures() -> None:
    folder = built_dashboard()
    first_load = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    raw = sum(len(data) for data in first_load.values())
    packed = sum(_gzip_bytes(data) for data in first_load.values())
    print("\nClinic dashboard (web/, esbuild)")
    print(f"  first load: {len(first_load)} files, {raw / 1024:.1f} KB, {packed / 1024:.1f} KB gzip (+ config.json)")
    for name, data in sorted(first_load.items()):
        print(f"    {name:28} {len(data) / 1024:7.1f} KB  {_gzip_bytes(data) / 1024:6.1f} KB gzip")
    if not CHROMIUM.exists():
        print("  (no Chromium: `make browser` installs it; the timings are skipped)")
        return
    with dev_process.running() as stack, sync_playwright() as driver:
        stack.wait_ready()
        started = time.perf_counter()
        ids = seed_calls(
            f"http://127.0.0.1:{stack.moto_port}",
            "calls-local",
            "bench",
            CALLS,
            datetime.now(UTC) + timedelta(days=1),
            timedelta(minutes=3),
        )
        print(f"  seeded {CALLS} calls straight into moto in {time.perf_counter() - started:.1f} s")
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        _signed_in(page, stack.web_url, "bench")
        page.goto(stack.web_url + "/overview")  # warm: the browser's cache holds the bundle, as on a second visit
        expect(page.locator(".cards")).to_be_visible(timeout=30_000)

        rows = page.locator("table.calls tbody tr")
        started = time.perf_counter()
        page.goto(stack.web_url + "/calls")
        expect(rows).to_have_count(100, timeout=30_000)
        first_page = time.perf_counter() - started
        while page.get_by_role("button", name="Show 100 more").count():
            page.get_by_role("button", name="Show 100 more").click()
            expect(page.get_by_role("button", name="Show 100 more").or_(page.locator("#shown"))).to_be_visible()
            page.wait_for_function("() => !document.querySelector('.list-foot button[disabled]')")
        expect(rows).to_have_count(CALLS, timeout=60_000)
        thousand = time.perf_counter() - started
        print(f"  navigation to the first 100 calls rendered: {first_page * 1000:.0f} ms")
        print(f"  navigation to {CALLS} calls rendered (10 pages of 100 through Show more): {thousand * 1000:.0f} ms")

        started = time.perf_counter()
        page.goto(f"{stack.web_url}/calls/{ids[500]}")
        expect(page.locator("#details-title")).to_be_visible(timeout=30_000)
        print(f"  navigation to an opened call: {(time.perf_counter() - started) * 1000:.0f} ms")

        for path, label in (
            ("/calls", "calls list (first page)"),
            ("/overview", "overview"),
            (f"/calls/{ids[0]}", "a call"),
        ):
            idle = context.new_page()
            _signed_in(idle, stack.web_url, "bench")
            idle.clock.install()
            seen: list[str] = []
            idle.on("request", lambda request: seen.append(request.url))  # noqa: B023 - read before the next page
            idle.goto(stack.web_url + path)
            idle.wait_for_load_state("networkidle")
            before = len([url for url in seen if url.startswith(stack.url)])
            idle.clock.run_for(10 * 60_000)
            idle.wait_for_load_state("networkidle")
            after = len([url for url in seen if url.startswith(stack.url)])
            print(f"  idle, {label}: {(after - before) / 10:.1f} API requests per minute (hidden tab: 0)")
            idle.close()
        browser.close()


if __name__ == "__main__":
    dashboard_figures()
