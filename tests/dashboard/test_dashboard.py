"""What a clinic does on its dashboard, in Chromium against ``make dev``'s stack: sign in, read the calls and one
call, act on it (admins), read the overview, change the settings; and every way that can go wrong (signed out,
staff, the API down, a change made meanwhile, a refused field, a call no longer waiting, a closed clinic)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, expect

from standins.dashboard_server import DashboardServer
from standins.dev_process import DevProcess, wait_for
from standins.http_server import free_port
from standins.seed_calls import seed_calls
from standins.tokens import issue
from tests.dashboard.conftest import DESKTOP, Api, Visitor, soon

LA = ZoneInfo("America/Los_Angeles")


def next_weekday(weekday: int, hour: int) -> datetime:
    """The next Monday (0) ... Sunday (6) at ``hour`` in Los Angeles, at least two days ahead."""
    day = datetime.now(LA).date() + timedelta(days=2)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=LA)


class TestSigningIn:
    def test_signed_out_a_calls_link_asks_to_sign_in_then_opens_that_call(
        self, anyone: Visitor, lifecycles: dict[str, dict[str, Any]]
    ) -> None:
        call = lifecycles["answered"]
        page = anyone.open(f"/calls/{call['callId']}")
        expect(page.get_by_role("heading", name="Sign in with your clinic account")).to_have_count(0)
        expect(page.get_by_role("button", name="Sign in as admin")).to_be_visible()
        anyone.check("01-sign-in", keyboard=True)
        page.get_by_role("button", name="Sign in as admin").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bella · Maria Garcia")
        expect(page).to_have_url(re.compile(f"/calls/{call['callId']}$"))

    def test_a_pasted_token_signs_in_and_an_expired_one_is_refused(self, visitor: Visitor) -> None:
        page = visitor.open("/calls")
        page.get_by_label("Or paste a token").fill(issue("demo", "admin", lifetime=-60))
        page.get_by_role("button", name="Use this token").click()
        expect(page.get_by_role("alert")).to_contain_text("expired")
        page.get_by_label("Or paste a token").fill(issue("demo", "staff"))
        page.get_by_role("button", name="Use this token").click()
        expect(page.locator("#who")).to_contain_text("Read-only")
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("button", name="Sign in as admin")).to_be_visible()

    def test_an_expired_session_goes_back_to_sign_in_and_says_why(self, browser: Browser, stack: DevProcess) -> None:
        context = browser.new_context(viewport=DESKTOP)
        session = {"method": "local", "idToken": issue("demo", "admin", lifetime=-60), "expiresAt": 0}
        context.add_init_script(f"sessionStorage.setItem('dcs.session', {json.dumps(json.dumps(session))})")
        page = context.new_page()
        page.goto(f"{stack.web_url}/calls")
        expect(page.get_by_role("status")).to_contain_text("Your sign-in has expired")
        context.close()


class TestCalls:
    def test_the_list_in_clinic_time_with_countdown_attempts_retry_outcome_and_summary(
        self, anyone: Visitor, lifecycles: dict[str, dict[str, Any]]
    ) -> None:
        page = anyone.sign_in()
        retrying = page.locator(f"tr[data-call='{lifecycles['retrying']['callId']}']")
        expect(retrying).to_contain_text("2 of 4")
        expect(retrying).to_contain_text("No answer")
        expect(retrying.locator(".countdown")).to_have_text(re.compile(r"^in \d+ min \d+ s$"))
        first = retrying.locator(".countdown").inner_text()
        expect(retrying.locator(".countdown")).not_to_have_text(first)  # it ticks
        retry_at = datetime.fromisoformat(lifecycles["retrying"]["nextRetryAt"]).astimezone(LA)
        expect(retrying).to_contain_text(f"{retry_at.strftime('%b')} {retry_at.day}, {retry_at.strftime('%-I:%M %p')}")
        answered = page.locator(f"tr[data-call='{lifecycles['answered']['callId']}']")
        expect(answered).to_contain_text("Completed")
        expect(answered).to_contain_text("Answered")
        expect(answered.locator(".summary")).not_to_be_empty()
        # The owner's clock beside the clinic's, when the number's zone differs (the test numbers' zone follows the
        # hour the suite runs at: a daytime one, so either case can come up).
        owner_zone = lifecycles["answered"].get("ownerTimezone")
        if owner_zone:
            owner_at = datetime.fromisoformat(lifecycles["answered"]["scheduledFor"]).astimezone(ZoneInfo(owner_zone))
            expect(answered.locator(".owner-clock")).to_contain_text(f"owner's time {owner_at.strftime('%-I:%M %p')}")
        else:
            expect(answered.locator(".owner-clock")).to_have_count(0)
        anyone.check("02-calls", keyboard=anyone.page.viewport_size == DESKTOP)

    def test_filters_by_status_and_dates_live_in_the_address(
        self, visitor: Visitor, lifecycles: dict[str, dict[str, Any]]
    ) -> None:
        page = visitor.sign_in()
        page.get_by_label("Failed").check()
        expect(page).to_have_url(re.compile(r"/calls\?status=failed$"))
        rows = page.locator("table.calls tbody tr")
        expect(rows.first).to_contain_text("Failed")
        assert all("Failed" in text for text in rows.all_inner_texts())
        today = datetime.now(LA).date()
        page.get_by_label("From").fill((today + timedelta(days=1)).isoformat())
        expect(page.get_by_text("No calls match these filters.")).to_be_visible()
        visitor.check("03-calls-filtered-empty")
        page.reload()
        expect(page.get_by_label("Failed")).to_be_checked()  # the filters survive a reload
        page.get_by_role("button", name="Clear filters").click()
        expect(page).to_have_url(re.compile(r"/calls$"))

    def test_paging_through_hundreds_and_a_refresh_that_keeps_filters_and_scroll(
        self, visitor: Visitor, stack: DevProcess
    ) -> None:
        first = datetime.now(UTC) + timedelta(days=3)
        ids = seed_calls(
            f"http://127.0.0.1:{stack.moto_port}", "calls-local", "paging", 150, first, timedelta(minutes=10)
        )
        page = visitor.page
        page.clock.install()
        visitor.sign_in(clinic="paging", path="/calls?status=scheduled")
        expect(page.locator("#shown")).to_have_text("100 calls shown; there are more")
        page.get_by_role("button", name="Show 100 more").click()
        expect(page.locator("#shown")).to_have_text("150 calls shown")
        page.evaluate("() => window.scrollTo(0, 1500)")
        scrolled = page.evaluate("() => window.scrollY")
        assert scrolled == 1500
        Api(stack.url, "paging").call("POST", f"/calls/{ids[148]}/cancel")

        # Hidden: no request, however long.
        page.evaluate(
            "() => { Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});"
            " document.dispatchEvent(new Event('visibilitychange')); }"
        )
        before = len(visitor.requests)
        page.clock.run_for(120_000)
        assert [r for r in visitor.requests[before:] if "/calls" in r] == []

        # Shown again after the pause: refreshed at once, in place.
        page.evaluate(
            "() => { Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true});"
            " document.dispatchEvent(new Event('visibilitychange')); }"
        )
        expect(page.locator(f"tr[data-call='{ids[148]}']")).to_have_count(0)  # cancelled (below): filtered out
        expect(page.locator("#shown")).to_have_text("149 calls shown")
        assert page.evaluate("() => window.scrollY") == scrolled
        expect(page).to_have_url(re.compile(r"status=scheduled"))
        requests = [r for r in visitor.requests[before:] if "/calls?" in r]
        assert len(requests) == 2, requests  # the two pages that were loaded, nothing more

    def test_an_admin_exports_the_calls_of_the_chosen_dates_as_a_spreadsheet(
        self, visitor: Visitor, lifecycles: dict[str, dict[str, Any]]
    ) -> None:
        page = visitor.sign_in()
        expect(page.locator("table.calls tbody tr").first).to_be_visible()
        with page.expect_download() as downloaded:
            page.get_by_role("button", name="Export to a spreadsheet (CSV)").click()
        download = downloaded.value
        assert download.suggested_filename == "calls.csv"
        table = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
        exported = {row["callId"] for row in table}
        assert {call["callId"] for call in lifecycles.values()} <= exported
        assert "transcript" not in table[0]
        today = datetime.now(LA).date()
        page.get_by_label("From").fill((today + timedelta(days=1)).isoformat())
        with page.expect_download() as later:
            page.get_by_role("button", name="Export to a spreadsheet (CSV)").click()
        assert later.value.suggested_filename.startswith("calls-from-")
        assert list(csv.DictReader(io.StringIO(Path(later.value.path()).read_text()))) == []


class TestOneCall:
    def test_every_field_the_attempts_analysis_transcript_and_consultation_link(
        self, anyone: Visitor, lifecycles: dict[str, dict[str, Any]]
    ) -> None:
        call = lifecycles["answered"]
        page = anyone.sign_in(path=f"/calls/{call['callId']}")
        details = page.locator("dl.details").first
        for text in ("Maria Garcia", call["phoneNumber"], "Dr. Smith", "Paws & Claws", "Ask about appetite", "1 of 4"):
            expect(details).to_contain_text(text)
        expect(details).to_contain_text("Given (verbal at discharge), recorded by")
        # Retell's and the extension's codes in words, not as codes.
        expect(details).to_contain_text("The agent ended the call")
        expect(details).to_contain_text("IDEXX Neo, through the Chrome extension")
        expect(page.locator("main")).not_to_contain_text("agent_hangup")
        expect(page.locator("main")).not_to_contain_text("idexx_neo")
        expect(page.get_by_role("link", name="IDEXX Neo consultation 98765")).to_have_attribute(
            "href", "https://us.idexxneo.com/consultations/98765"
        )
        expect(page.locator("ol.timeline li")).to_contain_text("Attempt 1")
        expect(page.locator("ol.timeline li")).to_contain_text("Answered · The agent ended the call")
        expect(page.locator("ol.timeline li")).to_contain_text(re.compile(r"\(\d+ (min \d+ )?s\)"))
        expect(page.locator("section[aria-labelledby='analysis-title']")).to_contain_text(call["analysis"]["summary"])
        expect(page.locator(".transcript")).to_contain_text(call["transcript"].splitlines()[0][:30])
        page.get_by_role("button", name="Play the recording").click()
        # A fresh, signed link from Retell (through GET /calls/{id}/recording), played in the page.
        audio = page.locator("audio")
        expect(audio).to_be_visible()
        expect(audio).to_have_attribute("src", re.compile(rf"/recordings/{call['retellCallId']}\.wav\?.*signature="))
        anyone.check("04-call-answered", keyboard=anyone.page.viewport_size == DESKTOP)

    def test_a_failed_call_and_an_unknown_one(self, visitor: Visitor, lifecycles: dict[str, dict[str, Any]]) -> None:
        page = visitor.sign_in(path=f"/calls/{lifecycles['failed']['callId']}")
        expect(page.locator(".badge").first).to_have_text("Failed")
        expect(page.locator("dl.details").first).to_contain_text("Not connected")
        visitor.check("05-call-failed")
        page.goto(f"{visitor.base}/calls/no-such-call")
        expect(page.get_by_role("heading", level=1)).to_have_text("Call not found")
        visitor.check("06-call-not-found")


class TestActing:
    def test_reschedule_in_clinic_time_says_plainly_when_it_moved_into_business_hours(
        self, anyone: Visitor, stack: DevProcess
    ) -> None:
        weekdays = Api(stack.url, "weekdays")  # no settings saved: 09:00-17:00 on weekdays, Los Angeles
        tuesday = next_weekday(1, 10)
        call = weekdays.schedule(when=tuesday, petName="Biscuit")
        page = anyone.sign_in(clinic="weekdays", path=f"/calls/{call['callId']}")
        page.get_by_role("button", name="Reschedule").click()
        dialog = page.get_by_role("dialog", name="Reschedule the call")
        expect(dialog.get_by_label("Date")).to_have_value(tuesday.date().isoformat())
        expect(dialog.get_by_label("Time")).to_have_value("10:00")
        expect(dialog).to_contain_text("Clinic time: America/Los_Angeles")
        anyone.check("07-reschedule")

        saturday = next_weekday(5, 10)
        dialog.get_by_label("Date").fill(saturday.date().isoformat())
        dialog.get_by_role("button", name="Save the new time").click()
        monday = datetime.combine(saturday.date() + timedelta(days=2), datetime.min.time(), LA).replace(hour=9)
        status = page.get_by_role("status")
        expect(status).to_contain_text(
            "when the clinic is closed or the owner is outside their calling hours (08:00\u201320:00 their time), "
            "so the call was moved"
        )
        expect(status).to_contain_text(f"{saturday.strftime('%A, %B')} {saturday.day}, {saturday.year} at 10:00 AM")
        expect(status).to_contain_text(f"{monday.strftime('%A, %B')} {monday.day}, {monday.year} at 9:00 AM")
        anyone.check("07-rescheduled-moved")
        stored = weekdays.call("GET", f"/calls/{call['callId']}")
        assert datetime.fromisoformat(stored["requestedFor"]) == saturday
        assert datetime.fromisoformat(stored["scheduledFor"]) == monday

        page.get_by_role("button", name="Reschedule").click()
        dialog.get_by_label("Date").fill((datetime.now(LA).date() - timedelta(days=1)).isoformat())
        dialog.get_by_role("button", name="Save the new time").click()
        expect(dialog.locator("#new-date-error")).to_contain_text("scheduledFor is in the past")
        wednesday = next_weekday(2, 11)
        dialog.get_by_label("Date").fill(wednesday.date().isoformat())
        dialog.get_by_label("Time").fill("11:30")
        dialog.get_by_role("button", name="Save the new time").click()
        expect(page.get_by_role("status")).to_contain_text(
            f"Rescheduled: the call will be placed {wednesday.strftime('%A')}"
        )
        stored = weekdays.call("GET", f"/calls/{call['callId']}")
        assert datetime.fromisoformat(stored["scheduledFor"]) == wednesday.replace(minute=30)

    def test_cancel_asks_first(self, visitor: Visitor, demo: Api) -> None:
        call = demo.schedule(when=soon(3600), petName="Nala")
        page = visitor.sign_in(path=f"/calls/{call['callId']}")
        page.get_by_role("button", name="Cancel call").click()
        dialog = page.get_by_role("dialog", name="Cancel this call?")
        expect(dialog).to_contain_text("Sarah Johnson will not be called about Nala")
        visitor.check("08-cancel-confirmation")
        dialog.get_by_role("button", name="Keep it").click()
        expect(dialog).to_be_hidden()
        assert demo.call("GET", f"/calls/{call['callId']}")["status"] == "scheduled"
        page.get_by_role("button", name="Cancel call").click()
        page.get_by_role("button", name="Cancel the call").click()
        expect(page.get_by_role("status")).to_contain_text("The call is cancelled")
        expect(page.locator(".badge").first).to_have_text("Cancelled")
        assert demo.call("GET", f"/calls/{call['callId']}")["status"] == "cancelled"

    def test_call_now_dials_within_seconds(self, visitor: Visitor, demo: Api) -> None:
        call = demo.schedule("+14155550121", when=soon(3600), petName="Ziggy")  # a number of its own: 3 dials a day
        page = visitor.sign_in(path=f"/calls/{call['callId']}")
        page.get_by_role("button", name="Call now").click()
        expect(page.get_by_role("status")).to_contain_text("Calling now")
        visitor.check("09-calling-now")
        demo.until(call["callId"], "initiated", "in_progress", "completed")

    def test_a_change_made_meanwhile_is_never_overwritten(self, visitor: Visitor, demo: Api) -> None:
        call = demo.schedule(when=soon(3600), petName="Pepper", notes="first")
        page = visitor.sign_in(path=f"/calls/{call['callId']}")
        expect(page.locator("dl.details").first).to_contain_text("first")
        demo.call("PATCH", f"/calls/{call['callId']}", {"notes": "changed by someone else"})  # another admin
        page.get_by_role("button", name="Reschedule").click()
        page.get_by_role("button", name="Save the new time").click()
        expect(page.get_by_role("status")).to_contain_text("Someone else changed this call")
        expect(page.locator("dl.details").first).to_contain_text("changed by someone else")
        visitor.check("10-changed-meanwhile")
        assert demo.call("GET", f"/calls/{call['callId']}")["notes"] == "changed by someone else"

    def test_a_call_no_longer_waiting_cannot_be_acted_on(self, visitor: Visitor, demo: Api) -> None:
        call = demo.schedule("+14155550122", when=soon(3600), petName="Oreo")  # a number of its own: 3 dials a day
        page = visitor.sign_in(path=f"/calls/{call['callId']}")
        expect(page.get_by_role("button", name="Call now")).to_be_visible()  # the page has the call, waiting
        demo.call("POST", f"/calls/{call['callId']}/cancel", None)
        page.get_by_role("button", name="Call now").click()
        expect(page.get_by_role("status")).to_contain_text("Someone else changed this call")
        expect(page.locator(".badge").first).to_have_text("Cancelled")
        expect(page.get_by_role("button", name="Call now")).to_have_count(0)

    def test_call_now_in_a_closed_clinic_says_when_it_opens(self, visitor: Visitor, stack: DevProcess) -> None:
        closed = Api(stack.url, "closed")
        today = datetime.now(LA).date()
        closed.call(
            "PUT",
            "/clinic/settings",
            {
                "timezone": "America/Los_Angeles",
                "businessHours": {
                    day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                },
                "closedDates": [today.isoformat(), (today + timedelta(days=1)).isoformat()],
            },
        )
        call = closed.schedule(petName="Shadow", daytime=False)  # a Los Angeles owner, called when the clinic opens
        opens = datetime.combine(today + timedelta(days=2), datetime.min.time(), LA).replace(hour=9)
        page = visitor.sign_in(clinic="closed", path=f"/calls/{call['callId']}")
        page.get_by_role("button", name="Call now").click()
        status = page.get_by_role("status")
        expect(status).to_contain_text("The clinic is closed now, so nobody was called")
        expect(status).to_contain_text(f"{opens.strftime('%A, %B')} {opens.day}, {opens.year} at 9:00 AM")
        visitor.check("11-closed-clinic")


class TestDoNotCall:
    def test_an_admin_lists_a_number_scheduling_to_it_is_refused_and_it_is_removed(
        self, visitor: Visitor, stack: DevProcess
    ) -> None:
        clinic = Api(stack.url, "dnc")
        page = visitor.sign_in(clinic="dnc", path="/do-not-call")
        expect(page.locator("#dnc-empty")).to_have_text("No number is on the list.")
        page.get_by_label("Phone number").fill("(415) 555-0177")
        page.get_by_label("Reason").fill("asked at the desk")
        page.get_by_role("button", name="Add to the list").click()
        expect(page.locator("#dnc-message")).to_have_text("+14155550177 will not be called.")
        row = page.locator("#dnc-list tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("asked at the desk")
        visitor.check("18-do-not-call", keyboard=True)
        body = {
            "phoneNumber": "+14155550177",
            "petName": "Rex",
            "ownerName": "Sam Lee",
            "clinicName": "Paws",
            "clinicPhone": "+14155559876",
            "consent": {"given": True},
        }
        refused = clinic.http.post("/calls/schedule", json=body)
        assert (refused.status_code, refused.json()["error"]["code"]) == (422, "do_not_call")
        page.get_by_role("button", name="Remove +14155550177").click()
        expect(page.locator("#dnc-message")).to_have_text("+14155550177 may be called again.")
        expect(page.locator("#dnc-empty")).to_be_visible()
        assert clinic.call("GET", "/clinic/do-not-call")["items"] == []

    def test_a_long_list_comes_a_page_at_a_time_and_show_more_reads_the_next(
        self, visitor: Visitor, stack: DevProcess
    ) -> None:
        clinic = Api(stack.url, "dnc-long")
        numbers = [f"+1415555{n:04d}" for n in range(2000, 2105)]  # 105: one page of 100, then 5
        for number in numbers:
            clinic.call("PUT", f"/clinic/do-not-call/{number.replace('+', '%2B')}", {"reason": "asked"})
        page = visitor.sign_in(clinic="dnc-long", path="/do-not-call")
        rows = page.locator("#dnc-list tbody tr")
        expect(rows).to_have_count(100)
        expect(page.locator("#dnc-shown")).to_have_text("100 numbers shown; there are more")
        page.get_by_role("button", name="Show 100 more").click()
        expect(rows).to_have_count(105)
        expect(rows.last).to_contain_text(numbers[-1])
        expect(page.locator("#dnc-more")).to_have_count(0)

    def test_an_owner_who_asks_the_agent_not_to_call_again_is_listed_by_itself(
        self, visitor: Visitor, stack: DevProcess
    ) -> None:
        clinic = Api(stack.url, "dnc-owner")
        always = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
        clinic.call("PUT", "/clinic/settings", {"businessHours": always})
        call = clinic.schedule("+14155550114", soon())
        clinic.until(call["callId"], "completed", timeout=40)
        page = visitor.sign_in(clinic="dnc-owner", path="/do-not-call")
        row = page.locator("#dnc-list tbody tr")
        expect(row).to_contain_text(call["phoneNumber"])
        expect(row).to_contain_text("Owner asked the agent")

    def test_an_admin_erases_an_owners_data_from_a_call_after_confirming(
        self, visitor: Visitor, second_visitor: Visitor, stack: DevProcess
    ) -> None:
        clinic = Api(stack.url, "erasure")
        always = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
        clinic.call("PUT", "/clinic/settings", {"businessHours": always})
        call = clinic.schedule("+14155550100", soon())
        clinic.until(call["callId"], "completed", timeout=40)
        page = visitor.sign_in(clinic="erasure", path=f"/calls/{call['callId']}")
        page.get_by_role("button", name="Erase this owner's data").click()
        dialog = page.locator("dialog#erase-owner")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text(call["phoneNumber"])
        visitor.check("19-erase-owner")
        dialog.get_by_role("button", name="Keep it").click()
        expect(dialog).to_be_hidden()
        assert clinic.call("GET", f"/calls/{call['callId']}")["ownerName"] == "Sarah Johnson"
        page.get_by_role("button", name="Erase this owner's data").click()
        dialog.get_by_role("button", name="Erase", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("The owner's data is erased from 1 call.")
        expect(page.locator("#call-title")).to_have_text("(erased) · (erased)")
        erased = clinic.call("GET", f"/calls/{call['callId']}")
        assert erased["phoneNumber"].startswith("erased:")
        assert erased["transcript"] is None
        expect(page.get_by_role("button", name="Erase this owner's data")).to_have_count(0)
        # From the do-not-call list too: the entry stays, and erasing again is harmless.
        number = call["phoneNumber"]
        clinic.call("PUT", f"/clinic/do-not-call/{number.replace('+', '%2B')}", {"reason": "asked at the desk"})
        page = visitor.open("/do-not-call")
        row = page.locator("#dnc-list tbody tr")
        row.get_by_role("button", name="Erase this owner's data").click()
        page.locator(f"dialog#erase-{number.lstrip('+')}").get_by_role("button", name="Erase", exact=True).click()
        expect(page.locator("#dnc-message")).to_have_text("The owner's data is erased from 1 call.")
        expect(row).to_contain_text(number)
        staff = second_visitor.sign_in(role="staff", clinic="erasure", path=f"/calls/{call['callId']}")
        expect(staff.locator("#read-only")).to_be_visible()
        expect(staff.get_by_role("button", name="Erase this owner's data")).to_have_count(0)


class TestFollowUp:
    def test_a_flagged_call_is_on_the_worklist_until_a_staff_member_marks_it_done_and_the_outbox_shows_the_notice(
        self, visitor: Visitor, stack: DevProcess
    ) -> None:
        clinic = Api(stack.url, "worklist")
        always = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
        notifications = {
            "emails": ["vet@worklist.example"],
            "webhookUrl": "https://hooks.slack.com/services/T0/B0/worklist",
        }
        clinic.call("PUT", "/clinic/settings", {"businessHours": always, "notifications": notifications})
        call = clinic.schedule("+14155550112", soon(), petName="Biscuit", ownerName="Jo March")
        wait_for(lambda: clinic.call("GET", f"/calls/{call['callId']}")["needsFollowUp"], 40, every=0.3)

        page = visitor.sign_in(role="staff", clinic="worklist", path="/follow-up")
        item = page.locator(f"#followup-list li[data-call-id='{call['callId']}']")
        expect(item).to_contain_text("Biscuit")
        expect(item).to_contain_text("The owner says the pet is doing worse")
        visitor.check("21-follow-up", keyboard=True)
        item.get_by_label("Note").fill("Called Jo; Biscuit comes in at 3 pm")
        item.get_by_role("button", name="Mark done").click()
        expect(page.locator("#followup-message")).to_have_text("The follow-up about Biscuit is marked done.")
        expect(page.locator("#followup-empty")).to_be_visible()
        done = clinic.call("GET", f"/calls/{call['callId']}")
        assert done["needsFollowUp"] is False
        assert done["followUp"]["note"] == "Called Jo; Biscuit comes in at 3 pm"
        assert done["followUp"]["resolvedBy"]

        def told() -> list[dict[str, Any]]:
            entries = httpx.get(f"{stack.url}/local/outbox").json()
            return [entry for entry in entries if entry["callId"] == call["callId"]]

        wait_for(lambda: len(told()) == 2, 20, every=0.3)
        page.get_by_role("link", name="Outbox").click()
        rows = page.locator("#outbox-list tbody tr", has_text="Biscuit")
        expect(rows).to_have_count(2)
        expect(rows.first).to_contain_text("needs follow up")
        visitor.check("22-outbox")


class TestStaff:
    def test_staff_see_everything_and_change_nothing(
        self, anyone: Visitor, lifecycles: dict[str, dict[str, Any]]
    ) -> None:
        page = anyone.sign_in(role="staff", path=f"/calls/{lifecycles['retrying']['callId']}")
        expect(page.locator("#who")).to_contain_text("Read-only")
        expect(page.locator("#read-only")).to_contain_text("changing it needs a clinic admin")
        expect(page.get_by_role("button", name="Reschedule")).to_have_count(0)
        expect(page.get_by_role("button", name="Call now")).to_have_count(0)
        anyone.check("12-staff-call")
        page.get_by_role("link", name="Calls", exact=True).first.click()
        expect(page.locator("table.calls tbody tr").first).to_be_visible()
        expect(page.get_by_role("button", name="Export to a spreadsheet (CSV)")).to_have_count(0)
        page.get_by_role("link", name="Settings").click()
        expect(page.get_by_label("Timezone")).to_be_disabled()
        expect(page.get_by_role("button", name="Save settings")).to_have_count(0)
        anyone.check("13-staff-settings")


class TestOverview:
    def test_today_7_and_30_days_by_status_and_outcome_with_the_failed_calls(
        self, anyone: Visitor, lifecycles: dict[str, dict[str, Any]]
    ) -> None:
        page = anyone.sign_in(path="/overview?days=1")
        expect(page.get_by_role("link", name="Today")).to_have_attribute("aria-current", "page")
        cards = page.locator(".cards")
        expect(cards).to_contain_text("Answer rate")
        expect(cards.locator(".card").nth(1).locator(".card-value")).to_have_text(re.compile(r"^\d+%$"))
        expect(page.locator("table.bars").first).to_contain_text("Completed")
        failed = page.locator("section[aria-labelledby='failed-title']")
        expect(failed.get_by_role("link", name="Milo · Ana Silva")).to_be_visible()
        anyone.check("14-overview", keyboard=anyone.page.viewport_size == DESKTOP)
        page.get_by_role("link", name="30 days").click()
        expect(page).to_have_url(re.compile(r"days=30"))
        expect(page.get_by_text("Calls due in the 30 days up to today")).to_be_visible()
        failed.get_by_role("link", name="Milo · Ana Silva").click()
        expect(page).to_have_url(re.compile(f"/calls/{lifecycles['failed']['callId']}$"))


class TestSettings:
    def test_an_admin_changes_the_hours_timezone_closed_dates_and_retries(
        self, visitor: Visitor, stack: DevProcess
    ) -> None:
        safety = {"clinicName": "Settings Clinic", "ownerCallingHours": {"start": "09:00", "end": "19:00"}}
        Api(stack.url, "settings").call("PUT", "/clinic/settings", safety)
        page = visitor.sign_in(clinic="settings", path="/settings")
        expect(page.get_by_label("Clinic name the agent gives")).to_have_value("Settings Clinic")
        expect(page.get_by_label("Call owners from (their local time)")).to_have_value("09:00")
        page.get_by_label("Number owners can call back").fill("+14155559876")
        page.get_by_label("A call needs the owner's consent, recorded when it is scheduled").uncheck()
        page.get_by_label("Until", exact=True).fill("18:00")
        page.get_by_label("Dials to one number in 24 hours, at most").fill("2")
        page.get_by_label("Timezone").fill("America/New_York")
        page.get_by_role("button", name="Add hours on Saturday").click()
        page.get_by_label("Saturday, window 1, opens").fill("10:00")
        page.get_by_label("Saturday, window 1, closes").fill("14:00")
        page.get_by_role("button", name="Add hours on Monday").click()
        page.get_by_label("Monday, window 2, opens").fill("18:00")
        page.get_by_label("Monday, window 2, closes").fill("20:00")
        page.get_by_label("Monday, window 1, closes").fill("12:00")
        page.get_by_label("Add a closed date").fill("2030-12-25")
        page.get_by_role("button", name="Add", exact=True).click()
        page.get_by_label("Minutes to wait before each retry").fill("2, 4")
        page.get_by_label("Retries after no answer or a busy line").fill("2")
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_role("status")).to_contain_text("Settings saved")
        visitor.check("15-settings-saved", keyboard=True)
        saved = Api(stack.url, "settings").call("GET", "/clinic/settings")
        assert saved["timezone"] == "America/New_York"
        assert saved["businessHours"]["mon"] == [["09:00", "12:00"], ["18:00", "20:00"]]
        assert saved["businessHours"]["sat"] == [["10:00", "14:00"]]
        assert saved["closedDates"] == ["2030-12-25"]
        assert saved["retry"]["backoffSeconds"] == [120, 240]
        assert saved["retry"]["maxRetries"] == 2
        assert (saved["clinicName"], saved["clinicPhone"]) == ("Settings Clinic", "+14155559876")
        assert saved["ownerCallingHours"] == {"start": "09:00", "end": "18:00"}
        assert (saved["requireConsent"], saved["maxDialsPerNumber"]) == (False, 2)

    def test_every_refused_field_is_marked_with_the_apis_message(self, anyone: Visitor) -> None:
        page = anyone.sign_in(clinic="refused", path="/settings")
        page.get_by_label("Timezone").fill("Mars/Olympus_Mons")
        page.get_by_label("Tuesday, window 1, opens").fill("17:00")
        page.get_by_label("Tuesday, window 1, closes").fill("09:00")
        page.get_by_label("Minutes to wait before each retry").fill("0.5, ten")
        page.get_by_label("Calls at the same time, at most").fill("0")
        page.get_by_label("Voice agent (Retell agent id)").fill("not an id!")
        page.get_by_label("Calls come from (phone number)").fill("12")
        page.get_by_label("Call owners from (their local time)").fill("07:00")
        page.get_by_label("Dials to one number in 24 hours, at most").fill("5")
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
        errors = {
            "timezone": "unknown IANA timezone",
            "waits": "greater than or equal to 60",
            "maxConcurrentCalls": "greater than or equal to 1",
            "agentId": "should match pattern",
            "fromNumber": "",
            "ownerStart": "narrowed within 08:00-20:00",
            "maxDialsPerNumber": "less than or equal to 3",
        }
        for control, text in errors.items():
            expect(page.locator(f"#{control}-error")).to_contain_text(text)
            expect(page.locator(f"#{control}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(".day.field-invalid")).to_contain_text("must start before it ends")
        anyone.check("16-settings-refused")


class TestApiDown:
    def test_an_unreachable_api_is_said_plainly_and_retried(self, browser: Browser) -> None:
        dead = f"http://127.0.0.1:{free_port()}"
        server = DashboardServer(dead).start()
        try:
            context = browser.new_context(viewport=DESKTOP)
            page = context.new_page()
            page.goto(f"{server.url}/calls")
            page.get_by_role("button", name="Sign in as admin").click()
            expect(page.get_by_role("alert")).to_contain_text(f"Can't reach {dead}")
            token = issue("demo", "admin")
            page.get_by_label("Or paste a token").fill(token)
            page.get_by_role("button", name="Use this token").click()
            expect(page.locator("#api-down")).to_contain_text("Can't reach the scheduling service")
            Visitor(page, server.url).check("17-api-down")
            context.close()
        finally:
            server.stop()


def test_the_page_is_served_with_a_strict_csp_and_app_paths_open_the_app(stack: DevProcess) -> None:
    response = httpx.get(f"{stack.web_url}/calls/abc")
    assert response.status_code == 200
    assert '<div id="app">' in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "unsafe" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    scripts = re.findall(r'src="([^"]+)"', response.text)
    assert scripts
    assert all(src.startswith("/") for src in scripts)
