"""What the vet chooses in the popup beyond the consultation's own fields: the owner's consent to a text after an
unanswered call, the call's language (the owner's, from the IDEXX Neo client record, or the clinic's) and best time
(the first choice once the clinic has the answer history for it). Each test drives the popup as a vet would and
checks what the API stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from shared.dal.answer_counters import DynamoAnswerCounters
from shared.domain.answer_rates import AnswerTally
from standins.gateway import LocalGateway
from standins.stack import LocalFunctions
from tests.conftest import TABLE, ApiClient, AwsStandIns
from tests.extension.conftest import CLINIC, Vet, clinic_calls, screenshot
from tests.extension.test_popup import LA, next_weekday_at
from tests.support.fake_idexx import page_data

BILINGUAL = {
    "defaultLanguage": "en-US",
    "agents": {"en-US": {"agentId": "agent_en_us"}, "es-US": {"agentId": "agent_es_us"}},
}


def save_settings(functions: LocalFunctions, settings: dict[str, Any]) -> None:
    saved = ApiClient(lambda: functions.api, CLINIC).put("/clinic/settings", settings)
    assert saved.status == 200, saved.text


def reviewing(vet: Vet, gateway: LocalGateway, consultation: str = "12345") -> Page:
    vet.configure(gateway.url)
    vet.sign_in()
    popup = vet.popup(over=vet.open_idexx(f"/consultations/{consultation}"))
    expect(popup.locator("body")).to_have_attribute("data-state", "form")
    return popup


def best_time_label(day: datetime) -> str:
    """The best-time choice's name for ``day``: "tomorrow" when it is, else the day (a weekend, a closed date)."""
    if day.date() == datetime.now(LA).date() + timedelta(days=1):
        return "Best time tomorrow"
    return f"Best time on {day.strftime('%A, %B %-d, %Y')}"


def seed_answer_history(aws: AwsStandIns, cells: dict[datetime, tuple[int, int]]) -> None:
    """The clinic's dials and answers ``(dials, answered)`` at the owner's weekday and hour of each moment, counted
    today (any period read includes them), through the counters' own adapter, as ended dials add them."""
    today = datetime.now(ZoneInfo("UTC")).date()
    tallies = [
        AnswerTally(day=today, cell=(at.weekday(), at.hour), dials=dials, answered=answered)
        for at, (dials, answered) in cells.items()
    ]
    DynamoAnswerCounters(aws.dynamodb, TABLE).add(CLINIC, tallies)


def utc(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_text_consent_is_never_ticked_and_goes_only_with_the_calls_consent(
    vet: Vet, gateway: LocalGateway, functions: LocalFunctions, consultations: dict[str, dict[str, Any]]
) -> None:
    consultations["12346"] = page_data(12346, pet="Milo", phone="+14155550111")
    popup = reviewing(vet, gateway)
    text = popup.locator("#text-consent")
    expect(text).not_to_be_checked()
    expect(text).to_be_disabled()  # a text follows an unanswered call: the call's consent comes first
    popup.locator("#consent").check()
    expect(text).to_be_enabled()
    expect(text).not_to_be_checked()  # still never ticked for the vet
    text.check()
    popup.locator("#consent").uncheck()  # no call, no text
    expect(text).not_to_be_checked()
    expect(text).to_be_disabled()
    popup.locator("#consent").check()
    text.check()  # the owner agreed to both at discharge
    screenshot(popup, "15-consent-to-a-call-and-a-text")
    popup.locator("#schedule").click()
    expect(popup.locator("body")).to_have_attribute("data-state", "done")
    expect(popup.locator("#done-how")).to_have_text("In American English; a text if the call goes unanswered.")

    other = vet.popup(over=vet.open_idexx("/consultations/12346"))
    expect(other.locator("#text-consent")).not_to_be_checked()
    other.locator("#consent").check()  # a call, and no text
    other.locator("#schedule").click()
    expect(other.locator("body")).to_have_attribute("data-state", "done")
    expect(other.locator("#done-how")).to_have_text("In American English.")

    channels = {call["petName"]: call["consent"]["channels"] for call in clinic_calls(functions)}
    assert channels == {"Luna": ["call", "text"], "Milo": ["call"]}


def test_the_language_starts_as_the_owners_from_the_consultation(
    vet: Vet, gateway: LocalGateway, functions: LocalFunctions, consultations: dict[str, dict[str, Any]]
) -> None:
    save_settings(functions, BILINGUAL)
    consultations["12345"] = page_data(12345, language="Spanish")
    popup = reviewing(vet, gateway)
    picker = popup.locator("#language")
    expect(picker.locator("option")).to_have_text(["American English", "Spanish (United States)"])
    expect(picker).to_have_value("es-US")
    expect(popup.locator('.hint[data-for="language"]')).to_be_empty()
    screenshot(popup, "16-language-from-the-consultation")
    popup.locator("#consent").check()
    popup.locator("#schedule").click()
    expect(popup.locator("body")).to_have_attribute("data-state", "done")
    expect(popup.locator("#done-how")).to_have_text("In Spanish (United States).")
    [call] = clinic_calls(functions)
    assert call["language"] == "es-US"
    assert call["consent"]["channels"] == ["call"]


def test_a_language_the_clinic_stopped_calling_in_is_marked_on_the_picker(
    vet: Vet, gateway: LocalGateway, functions: LocalFunctions, consultations: dict[str, dict[str, Any]]
) -> None:
    save_settings(functions, BILINGUAL)
    consultations["12345"] = page_data(12345, language="es-US")
    popup = reviewing(vet, gateway)
    expect(popup.locator("#language")).to_have_value("es-US")
    save_settings(functions, {"defaultLanguage": "en-US"})  # meanwhile an admin removes the Spanish agent
    popup.locator("#consent").check()
    popup.locator("#schedule").click()
    expect(popup.locator('.hint.error[data-for="language"]')).to_contain_text("The clinic has no agent for es-US")
    expect(popup.locator("#form-error")).to_have_text("Check the highlighted fields.")
    assert clinic_calls(functions) == []
    popup.locator("#language").select_option("en-US")
    popup.locator("#schedule").click()
    expect(popup.locator("body")).to_have_attribute("data-state", "done")
    assert [call["language"] for call in clinic_calls(functions)] == ["en-US"]


def test_without_one_in_the_consultation_the_language_is_the_clinics_and_the_vet_can_change_it(
    vet: Vet, gateway: LocalGateway, functions: LocalFunctions, consultations: dict[str, dict[str, Any]]
) -> None:
    save_settings(functions, {**BILINGUAL, "defaultLanguage": "es-US"})
    popup = reviewing(vet, gateway)  # the client record names no language
    picker = popup.locator("#language")
    expect(picker.locator("option")).to_have_text(["Spanish (United States)", "American English"])
    expect(picker).to_have_value("es-US")
    picker.select_option("en-US")  # the vet knows better
    popup.locator("#consent").check()
    popup.locator("#schedule").click()
    expect(popup.locator("body")).to_have_attribute("data-state", "done")
    [call] = clinic_calls(functions)
    assert call["language"] == "en-US"


def test_a_language_the_clinic_does_not_call_in_is_said_next_to_the_picker(
    vet: Vet, gateway: LocalGateway, functions: LocalFunctions, consultations: dict[str, dict[str, Any]]
) -> None:
    consultations["12345"] = page_data(12345, language="es")  # the clinic has only its default language
    consultations["12346"] = page_data(12346, language="French")  # a language no call speaks
    popup = reviewing(vet, gateway)
    picker = popup.locator("#language")
    expect(picker.locator("option")).to_have_text(["American English"])
    expect(picker).to_have_value("en-US")
    expect(popup.locator('.hint.warning[data-for="language"]')).to_have_text(
        "The client record says Spanish (United States), which this clinic's calls are not set up for; the call is "
        "in American English unless you pick another."
    )
    screenshot(popup, "17-language-the-clinic-does-not-call-in")

    other = vet.popup(over=vet.open_idexx("/consultations/12346"))
    expect(other.locator("#language")).to_have_value("en-US")
    expect(other.locator('.hint.warning[data-for="language"]')).to_have_text(
        "The client's preferred language 'French' is not one the calls can be placed in; the clinic's default "
        "language is used unless you pick another."
    )


def test_without_answer_history_the_vet_picks_the_time_and_may_still_ask_for_the_best(
    vet: Vet, gateway: LocalGateway, functions: LocalFunctions, consultations: dict[str, dict[str, Any]]
) -> None:
    popup = reviewing(vet, gateway)
    tomorrow_open = next_weekday_at(10)
    expect(popup.locator("#timing-fixed")).to_be_checked()
    expect(popup.locator("#when")).to_be_visible()
    expect(popup.locator("#when")).to_have_value(tomorrow_open.strftime("%Y-%m-%dT%H:%M"))
    expect(popup.locator("#timing-best-basis")).to_contain_text("Too few calls yet")
    expect(popup.locator("#timing-best-label")).to_have_text(best_time_label(tomorrow_open))
    popup.locator("#timing-best").check()
    expect(popup.locator("#when")).to_be_hidden()
    popup.locator("#consent").check()
    popup.locator("#schedule").click()
    expect(popup.locator("body")).to_have_attribute("data-state", "done")
    expect(popup.locator("#done-chosen")).to_have_text("Placed at the earliest open time")
    expect(popup.locator("#done-moved")).to_be_hidden()
    [call] = clinic_calls(functions)
    assert call["chosen"]["reason"] == "earliest_open"
    opens = tomorrow_open.replace(hour=9)
    assert call["scheduledFor"] == utc(opens)  # the earliest time that day within the clinic's and owner's hours
    expect(popup.locator("#done-time")).to_contain_text(opens.strftime("%A, %B %-d") + " at 9:00 AM")


def test_with_answer_history_best_time_is_the_first_choice_and_the_popup_says_what_it_chose(
    vet: Vet,
    gateway: LocalGateway,
    functions: LocalFunctions,
    consultations: dict[str, dict[str, Any]],
    aws: AwsStandIns,
) -> None:
    day = next_weekday_at(9)  # the best-time day: the next open day; the owner (+1 415) is in the clinic's zone
    seed_answer_history(aws, {day: (30, 3), day.replace(hour=14): (30, 24)})  # 60 dials: enough to go by
    popup = reviewing(vet, gateway)
    expect(popup.locator("#timing-best")).to_be_checked()
    expect(popup.locator("#timing-best-label")).to_have_text(best_time_label(day))
    expect(popup.locator("#timing-best-basis")).to_have_text(
        "The hour that day when this clinic's owners answer most (60 dials in the last 90 days), within business "
        "hours and the owner's calling hours."
    )
    expect(popup.locator("#when")).to_be_hidden()
    popup.locator("#consent").check()
    screenshot(popup, "18-best-time-first")

    popup.locator("#timing-fixed").check()  # the vet can still pick a time
    expect(popup.locator("#when")).to_be_visible()
    expect(popup.locator("#when")).to_have_value(day.replace(hour=10).strftime("%Y-%m-%dT%H:%M"))
    popup.locator("#timing-best").check()  # and go back to the best time
    expect(popup.locator("#when")).to_be_hidden()
    popup.locator("#schedule").click()

    expect(popup.locator("body")).to_have_attribute("data-state", "done")
    [call] = clinic_calls(functions)
    best = day.replace(hour=14)  # the hour those owners answered
    assert call["scheduledFor"] == utc(best)
    assert call["chosen"]["reason"] == "best_answer_rate"
    rate = round(call["chosen"]["expectedAnswerRate"] * 100)
    assert 50 < rate <= 80  # 24 of 30, leaning toward what is known more widely
    expect(popup.locator("#done-time")).to_contain_text(best.strftime("%A, %B %-d") + " at 2:00 PM PST (clinic time)")
    expect(popup.locator("#done-chosen")).to_have_text(f"Placed at the best time: expected answer rate {rate}%")
    expect(popup.locator("#done-moved")).to_be_hidden()
    expect(popup.locator("#done-owner-time")).to_be_hidden()  # the owner's clock is the clinic's
    screenshot(popup, "19-scheduled-at-the-best-time")

    with vet.context.expect_page() as opened:
        popup.get_by_role("button", name="View call").click()
    page = opened.value
    expect(page.locator("#details")).to_contain_text(f"Placed at the best time: expected answer rate {rate}%")
    expect(page.locator("#details")).to_contain_text("American English")
    expect(page.locator("#details")).to_contain_text("a call")
