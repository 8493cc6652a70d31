"""A vet schedules a discharge call from an IDEXX Neo consultation, and every way that can go wrong says what to
do next. Each test drives the popup as a vet would and checks what the vet sees and what the API stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from standins.gateway import LocalGateway
from standins.http_server import free_port
from standins.stack import LocalFunctions
from standins.tokens import issue
from tests.conftest import AwsStandIns
from tests.extension.conftest import CLINIC, EXTENSION_ID, Authorizers, Vet, clinic_calls, screenshot
from tests.support.fake_idexx import SESSION_COOKIE, SESSION_VALUE, page_data

LA = ZoneInfo("America/Los_Angeles")


def next_weekday_at(hour: int, *, after: datetime | None = None, weekday: int | None = None) -> datetime:
    """The next day after ``after`` (LA time) that is a weekday (or the given weekday), at ``hour``:00 LA."""
    day = (after or datetime.now(LA)).date() + timedelta(days=1)
    while (day.weekday() >= 5) if weekday is None else (day.weekday() != weekday):
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=LA)


def test_a_vet_schedules_a_call_from_the_consultation(
    vet: Vet,
    gateway: LocalGateway,
    functions: LocalFunctions,
    consultations: dict[str, dict[str, Any]],
    aws: AwsStandIns,
) -> None:
    vet.configure(gateway.url)
    vet.sign_in()
    consultation = vet.open_idexx("/consultations/12345")

    popup = vet.popup(over=consultation)
    expect(popup.locator("body")).to_have_attribute("data-state", "form")
    expect(popup.locator("#petName")).to_have_value("Luna")
    expect(popup.locator("#ownerName")).to_have_value("Sarah Johnson")
    expect(popup.locator("#phoneNumber")).to_have_value("+14155550100")
    expect(popup.locator("#vetName")).to_have_value("Dr. K Chaudhary")
    expect(popup.locator("#clinicName")).to_have_value("Paws & Claws Veterinary Hospital")
    expect(popup.locator("#dischargeSummary")).to_have_value(
        "Spay completed. Keep the incision dry; cone for 10 days; carprofen twice daily."
    )
    expect(popup.locator("#timezone")).to_have_text("(clinic time, America/Los_Angeles)")
    suggested = next_weekday_at(10)
    expect(popup.locator("#when")).to_have_value(suggested.strftime("%Y-%m-%dT%H:%M"))
    expect(popup.locator("#who")).to_have_text(f"{CLINIC} · admin")
    screenshot(popup, "01-review")

    popup.locator("#phoneNumber").fill("(415) 555-0104")  # the owner asked to be called on another phone
    expect(popup.locator("#consent")).not_to_be_checked()  # never ticked for the vet
    popup.locator("#schedule").click()
    expect(popup.locator('.hint.error[data-for="consent"]')).to_have_text(
        "Ask the owner whether the clinic's voice assistant may call them, then tick this."
    )
    assert clinic_calls(functions) == []
    popup.locator("#consent").check()  # the owner agreed at discharge
    popup.locator("#schedule").click()

    expect(popup.locator("body")).to_have_attribute("data-state", "done")
    expect(popup.locator("#done-time")).to_contain_text(suggested.strftime("%A, %B %-d"))
    expect(popup.locator("#done-time")).to_contain_text("10:00 AM PST (clinic time)")
    expect(popup.locator("#done-moved")).to_be_hidden()
    expect(popup.locator("#done-who")).to_have_text("Luna · Sarah Johnson · +14155550104")
    screenshot(popup, "02-scheduled")

    [call] = clinic_calls(functions)
    assert call["phoneNumber"] == "+14155550104"
    assert call["scheduledFor"] == suggested.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert call["timezone"] == "America/Los_Angeles"
    assert call["rescheduled"] is False
    assert call["metadata"] == {
        "source": "idexx_neo",
        "consultation_id": "12345",
        "provider_id": 1004,
        "company_id": 7742,
    }
    assert call["notes"] == "Consultation #12345 - Post-surgery follow-up"
    assert call["createdBy"] == f"local-admin-{CLINIC}"
    assert {k: call["consent"][k] for k in ("given", "method", "recordedBy")} == {
        "given": True,
        "method": "verbal_at_discharge",
        "recordedBy": f"local-admin-{CLINIC}",
    }
    # page-data was fetched with the vet's IDEXX session (a SameSite=Strict, HttpOnly cookie)
    [fetched] = vet.idexx.page_data_requests()
    assert fetched.cookies.get(SESSION_COOKIE) == SESSION_VALUE
    # and nothing about the patient was kept in the browser
    stored = str(vet.storage())
    for personal in ("Luna", "Sarah", "4155550", "incision"):
        assert personal not in stored


def test_a_time_when_the_clinic_is_closed_is_moved_and_the_vet_is_told(
    vet: Vet, gateway: LocalGateway, functions: LocalFunctions, consultations: dict[str, dict[str, Any]]
) -> None:
    vet.configure(gateway.url)
    vet.sign_in()
    popup = vet.popup(over=vet.open_idexx("/consultations/12345"))
    saturday_noon = next_weekday_at(12, weekday=5)
    popup.locator("#when").fill(saturday_noon.strftime("%Y-%m-%dT%H:%M"))
    popup.locator("#consent").check()  # the owner agreed at discharge
    popup.locator("#schedule").click()

    expect(popup.locator("body")).to_have_attribute("data-state", "done-moved")
    monday_nine = next_weekday_at(9, after=saturday_noon)
    expect(popup.locator("#done-time")).to_contain_text(monday_nine.strftime("%A, %B %-d") + " at 9:00 AM")
    expect(popup.locator("#done-moved")).to_have_text(
        f"You picked {saturday_noon.strftime('%A, %B %-d')} at 12:00 PM PST, when the clinic is closed or the "
        "owner is outside their calling hours (08:00\u201320:00 their time), so the call was moved to the next "
        "time both allow."
    )
    screenshot(popup, "03-moved-into-business-hours")
    [call] = clinic_calls(functions)
    assert call["rescheduled"] is True
    assert call["requestedFor"] == saturday_noon.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert call["scheduledFor"] == monday_nine.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_what_the_consultation_lacks_is_shown_next_to_the_field_and_a_refused_field_is_marked(
    vet: Vet, gateway: LocalGateway, functions: LocalFunctions, consultations: dict[str, dict[str, Any]]
) -> None:
    consultations["20002"] = page_data(20002, phone="555-01", summary=None)
    vet.configure(gateway.url)
    vet.sign_in()
    popup = vet.popup(over=vet.open_idexx("/consultations/20002"))

    expect(popup.locator('.hint.warning[data-for="phoneNumber"]')).to_contain_text("'555-01' could not be used")
    expect(popup.locator('.hint.warning[data-for="dischargeSummary"]')).to_have_text(
        "No discharge summary; the consultation notes are used instead."
    )
    expect(popup.locator("#dischargeSummary")).to_have_value("Post-op check in 10 days.")
    screenshot(popup, "04-warnings-from-the-consultation")

    popup.locator("#consent").check()  # the owner agreed at discharge

    popup.locator("#schedule").click()  # the vet did not fix the phone: the API refuses it, on that field
    expect(popup.locator('.hint.error[data-for="phoneNumber"]')).to_be_visible()
    expect(popup.locator("#form-error")).to_have_text("Check the highlighted fields.")
    screenshot(popup, "05-validation-error-on-the-field")
    assert clinic_calls(functions) == []

    popup.locator("#phoneNumber").fill("415 555 0100")
    popup.locator("#consent").check()  # the owner agreed at discharge
    popup.locator("#schedule").click()
    expect(popup.locator("body")).to_have_attribute("data-state", "done")
    assert [call["phoneNumber"] for call in clinic_calls(functions)] == ["+14155550100"]


def test_outside_a_consultation_the_popup_says_where_to_go(
    vet: Vet, gateway: LocalGateway, consultations: dict[str, dict[str, Any]]
) -> None:
    vet.configure(gateway.url)
    vet.sign_in()
    for page in (vet.open_idexx("/dashboard"), vet.open_idexx("/consultations/")):
        popup = vet.popup(over=page)
        expect(popup.locator("body")).to_have_attribute("data-state", "not_consultation")
        expect(popup.locator("#notice-title")).to_have_text("Open a consultation first")
        expect(popup.locator("#notice-text")).to_contain_text("us.idexxneo.com/consultations/12345")
    screenshot(popup, "06-not-a-consultation")
    assert vet.idexx.page_data_requests() == []


def test_signed_out_of_idexx_then_signed_in_and_retried(
    vet: Vet, gateway: LocalGateway, consultations: dict[str, dict[str, Any]]
) -> None:
    vet.configure(gateway.url)
    vet.sign_in()
    consultation = vet.open_idexx("/consultations/12345", signed_in=False)
    popup = vet.popup(over=consultation)
    expect(popup.locator("body")).to_have_attribute("data-state", "idexx_signed_out")
    expect(popup.locator("#notice-title")).to_have_text("Sign in to IDEXX Neo")
    expect(popup.locator("#notice-text")).to_contain_text("Sign in at us.idexxneo.com in this browser")
    screenshot(popup, "07-signed-out-of-idexx")

    consultation.goto("https://us.idexxneo.com/login")
    consultation.goto("https://us.idexxneo.com/consultations/12345")
    popup.get_by_role("button", name="Try again").click()
    expect(popup.locator("body")).to_have_attribute("data-state", "form")
    expect(popup.locator("#petName")).to_have_value("Luna")


def test_not_signed_in_to_the_api_leads_to_the_sign_in_page(
    vet: Vet, gateway: LocalGateway, consultations: dict[str, dict[str, Any]]
) -> None:
    vet.configure(gateway.url)
    popup = vet.popup(over=vet.open_idexx("/consultations/12345"))
    expect(popup.locator("body")).to_have_attribute("data-state", "signed_out")
    expect(popup.locator("#notice-title")).to_have_text("Sign in to schedule calls")
    screenshot(popup, "08-not-signed-in")
    with vet.context.expect_page() as opened:
        popup.get_by_role("button", name="Sign in").click()
    expect(opened.value).to_have_url(vet.url("options.html"))
    assert vet.idexx.page_data_requests() == []  # nothing is read from IDEXX for someone who can't schedule


def test_a_staff_account_is_told_it_cannot_schedule(
    vet: Vet, gateway: LocalGateway, consultations: dict[str, dict[str, Any]]
) -> None:
    vet.configure(gateway.url)
    vet.sign_in(role="staff")
    popup = vet.popup(over=vet.open_idexx("/consultations/12345"))
    expect(popup.locator("#notice-title")).to_have_text("Your account can't schedule calls")
    expect(popup.locator("#who")).to_have_text(f"{CLINIC} · staff")
    screenshot(popup, "09-staff-account")


def test_network_down_says_so_and_pressing_again_schedules_once(
    vet: Vet,
    gateway: LocalGateway,
    functions: LocalFunctions,
    consultations: dict[str, dict[str, Any]],
    authorizers: Authorizers,
) -> None:
    vet.configure(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    vet.sign_in_with_token(issue(CLINIC))
    popup = vet.popup(over=vet.open_idexx("/consultations/12345"))
    expect(popup.locator("#notice-title")).to_have_text("Can't reach the scheduling service")
    screenshot(popup, "10-api-unreachable")

    vet.configure(gateway.url)
    popup.get_by_role("button", name="Try again").click()
    expect(popup.locator("body")).to_have_attribute("data-state", "form")
    gateway.stop()  # the connection drops while the vet presses Schedule
    popup.locator("#consent").check()  # the owner agreed at discharge
    popup.locator("#schedule").click()
    expect(popup.locator("#form-error")).to_contain_text("Can't reach the scheduling service")
    screenshot(popup, "11-network-down-while-scheduling")

    with LocalGateway(
        functions.invoke, authorize=authorizers, port=gateway.port, cors_origins=(f"chrome-extension://{EXTENSION_ID}",)
    ).running():
        popup.locator("#consent").check()  # the owner agreed at discharge
        popup.locator("#schedule").click()
        expect(popup.locator("body")).to_have_attribute("data-state", "done")
    assert len(clinic_calls(functions)) == 1


def test_a_second_call_for_the_consultation_shows_the_first_and_opens_it(
    vet: Vet, gateway: LocalGateway, functions: LocalFunctions, consultations: dict[str, dict[str, Any]]
) -> None:
    vet.configure(gateway.url)
    vet.sign_in()
    consultation = vet.open_idexx("/consultations/12345")
    first = vet.popup(over=consultation)
    first.locator("#consent").check()
    first.locator("#schedule").click()
    expect(first.locator("body")).to_have_attribute("data-state", "done")
    [call] = clinic_calls(functions)

    again = vet.popup(over=consultation)
    again.locator("#consent").check()
    again.locator("#schedule").click()
    expect(again.locator("#notice-title")).to_have_text("This consultation already has a call")
    when = datetime.fromisoformat(call["scheduledFor"]).astimezone(LA)
    expect(again.locator("#notice-text")).to_contain_text(f"It is scheduled for {when.strftime('%A, %B %-d')}")
    screenshot(again, "12-duplicate-consultation")

    with vet.context.expect_page() as opened:
        again.get_by_role("button", name="Open the call").click()
    page = opened.value
    expect(page).to_have_url(vet.url(f"call.html?id={call['callId']}"))
    expect(page.locator("#title")).to_have_text("Luna · Scheduled")
    expect(page.locator("#details")).to_contain_text("Sarah Johnson · +14155550100")
    screenshot(page, "13-the-existing-call")
    assert len(clinic_calls(functions)) == 1


def test_a_server_error_says_so_and_the_retry_works(
    vet: Vet,
    gateway: LocalGateway,
    functions: LocalFunctions,
    consultations: dict[str, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from shared.logic.calls import CallService

    vet.configure(gateway.url)
    vet.sign_in()
    popup = vet.popup(over=vet.open_idexx("/consultations/12345"))
    expect(popup.locator("body")).to_have_attribute("data-state", "form")
    original = CallService.schedule
    with monkeypatch.context() as patched:
        patched.setattr(CallService, "schedule", lambda *args, **kwargs: 1 / 0)
        popup.locator("#consent").check()  # the owner agreed at discharge
        popup.locator("#schedule").click()
        expect(popup.locator("#form-error")).to_contain_text("Something went wrong on our side")
        screenshot(popup, "14-server-error")
    assert CallService.schedule is original
    popup.locator("#consent").check()  # the owner agreed at discharge
    popup.locator("#schedule").click()
    expect(popup.locator("body")).to_have_attribute("data-state", "done")
    assert len(clinic_calls(functions)) == 1
