"""The text follow-up, languages, best time and the answer-rate heat map on the clinic's dashboard, in Chromium
against ``make dev``'s stack: a call the phone did not reach gets a text through the simulated Retell and its page
shows the conversation; the list shows the text's status and a call's language; a call placed at the best time says
so; the settings edit the text follow-up, the languages and their agents; the overview's heat map reads as a table,
shows each hour's counts on hover and on focus, and scrolls inside its card on a phone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from standins.dev_process import DevProcess, wait_for
from standins.seed_calls import seed_answer_counts
from tests.dashboard.conftest import DESKTOP, PHONE, Api, Visitor, soon

DASH = "\u2013"  # the en dash the page writes between two hours and in the legend's ranges
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ALWAYS = {day: [["00:00", "24:00"]] for day in WEEK}
TEXTS = {"enabled": True, "when": ["no_answer", "voicemail"], "delayMinutes": 0}
WITH_TEXTS = {"given": True, "method": "verbal_at_discharge", "channels": ["call", "text"]}


@pytest.fixture(scope="module")
def texting(stack: DevProcess) -> Api:
    """Clinic ``texting``: open all day, no retries (the first unanswered dial fails the call), a text at once after
    a call the phone did not reach, and calls in Spanish too."""
    clinic = Api(stack.url, "texting")
    clinic.call(
        "PUT",
        "/clinic/settings",
        {
            "businessHours": ALWAYS,
            "retry": {"maxRetries": 0, "backoffSeconds": [300], "retryOnVoicemail": False},
            "textFollowUp": TEXTS,
            "defaultLanguage": "en-US",
            "agents": {"es-US": {"agentId": "agent_texting_es", "textAgentId": "agent_texting_es_text"}},
        },
    )
    return clinic


@pytest.fixture(scope="module")
def texted(texting: Api) -> dict[str, dict[str, Any]]:
    """Calls of ``texting`` the phone did not reach: one with consent to texts (texted, the owner replies) and one
    without (its text is skipped)."""
    calls = {
        "replied": texting.schedule("+14155550101", soon(), petName="Rex", ownerName="Tom Lee", consent=WITH_TEXTS),
        "skipped": texting.schedule("+14155550101", soon(), petName="Milo", ownerName="Ana Silva"),
    }

    def text_is(call_id: str, status: str, *, analysed: bool = False) -> dict[str, Any] | None:
        call = texting.call("GET", f"/calls/{call_id}")
        text = call.get("text") or {}
        return call if text.get("status") == status and (text.get("analysis") or not analysed) else None

    return {  # the owner's reply ends the chat; its analysis comes last (chat_analyzed)
        "replied": wait_for(lambda: text_is(calls["replied"]["callId"], "replied", analysed=True), 150, every=0.5),
        "skipped": wait_for(lambda: text_is(calls["skipped"]["callId"], "skipped"), 60, every=0.5),
    }


class TestTexts:
    def test_a_call_the_phone_did_not_reach_shows_its_text_conversation(
        self, anyone: Visitor, texted: dict[str, dict[str, Any]]
    ) -> None:
        call = texted["replied"]
        page = anyone.sign_in(clinic="texting", path=f"/calls/{call['callId']}")
        expect(page.locator(".page-head .badge-text")).to_have_text("Replied by text")
        section = page.locator("#text-follow-up")
        expect(section.get_by_role("heading", name="Text follow-up")).to_be_visible()
        expect(section).to_contain_text("Sent")
        expect(section).to_contain_text("Ended")
        turns = section.locator("ol.conversation li")
        expect(turns.first).to_have_class(re.compile(r"\bturn-agent\b"))
        expect(turns.first).to_contain_text("Clinic's agent")
        expect(turns.first).to_contain_text("We tried to call about Rex")
        owner = section.locator("li.turn-owner").first
        expect(owner).to_contain_text("Owner")
        expect(owner).to_contain_text("eating well")
        expect(section).to_contain_text(call["text"]["analysis"]["summary"])
        expect(section).to_contain_text("Positive")
        expect(page.locator("dl.details").first).to_contain_text("The owner agreed to texts too")
        expect(page.locator("main")).not_to_contain_text(re.compile(r"\bSMS\b|\bchat\b"))
        anyone.check("23-text-replied", keyboard=anyone.page.viewport_size == DESKTOP)

    def test_a_text_not_sent_says_why_and_the_list_shows_each_texts_status(
        self, anyone: Visitor, texted: dict[str, dict[str, Any]]
    ) -> None:
        skipped = texted["skipped"]
        page = anyone.sign_in(clinic="texting", path=f"/calls/{skipped['callId']}")
        section = page.locator("#text-follow-up")
        expect(section.locator(".badge-text")).to_have_text("Text not sent")
        expect(section).to_contain_text("Not sent because")
        expect(section).to_contain_text("The owner did not agree to texts when the call was scheduled")
        expect(section).to_contain_text("No texts were exchanged.")
        expect(page.locator("dl.details").first).to_contain_text("No consent to texts: the owner is only called")
        anyone.check("25-text-not-sent")
        page.get_by_role("link", name="Calls", exact=True).first.click()
        replied = page.locator(f"tr[data-call='{texted['replied']['callId']}']")
        expect(replied.locator(".badge").first).to_have_text("Failed")
        expect(replied.locator(".badge-text")).to_have_text("Replied by text")
        expect(replied.locator(".summary")).to_contain_text(texted["replied"]["text"]["analysis"]["summary"])
        expect(page.locator(f"tr[data-call='{skipped['callId']}'] .badge-text")).to_have_text("Text not sent")
        anyone.check("24-calls-with-texts")

    def test_the_overview_counts_the_texts_sent_and_the_owners_they_reached(
        self, visitor: Visitor, texted: dict[str, dict[str, Any]]
    ) -> None:
        page = visitor.sign_in(clinic="texting", path="/overview?days=1")
        sent = page.locator(".card", has_text="Texts sent")
        reached = page.locator(".card", has_text="Reached by text")
        expect(sent.locator(".card-value")).to_have_text("1")
        expect(reached.locator(".card-value")).to_have_text("1")
        expect(reached).to_contain_text("owners who replied to a text after the phone failed")


class TestLanguages:
    def test_a_call_in_another_language_says_so_in_the_list_and_on_its_page(
        self, visitor: Visitor, texting: Api
    ) -> None:
        later = datetime.now(UTC) + timedelta(days=2)
        spanish = texting.schedule(when=later, petName="Lola", ownerName="Rosa Diaz", language="es-US")
        english = texting.schedule(when=later, petName="Max", ownerName="Jim Hall")
        assert (spanish["language"], english["language"]) == ("es-US", "en-US")
        page = visitor.sign_in(clinic="texting")
        row = page.locator(f"tr[data-call='{spanish['callId']}']")
        expect(row.locator(".language-tag")).to_have_text("Language: Spanish (United States)")
        expect(page.locator(f"tr[data-call='{english['callId']}'] .language-tag")).to_have_count(0)
        row.get_by_role("link", name="Lola · Rosa Diaz").click()
        expect(page.locator("dl.details").first).to_contain_text("Spanish (United States) (es-US)")


class TestSettings:
    def test_an_admin_sets_the_text_follow_up_languages_and_best_hour_retries(
        self, visitor: Visitor, stack: DevProcess
    ) -> None:
        clinic = Api(stack.url, "languages")
        clinic.call("PUT", "/clinic/settings", {"agents": {"en-US": {"agentId": "agent_en"}, "fr-CA": {}}})
        page = visitor.sign_in(clinic="languages", path="/settings")
        page.get_by_label("Send a text when the phone did not reach the owner").check()
        page.get_by_label("The call reached voicemail").uncheck()
        page.get_by_label("Minutes after the call to send it").fill("15")
        page.get_by_label("After no answer, a retry may move to an hour when this clinic's owners answer more").check()
        expect(page.get_by_role("group", name="Canadian French")).to_be_visible()
        page.get_by_role("button", name="Remove Canadian French").click()
        page.get_by_role("button", name="Add a language").click()
        added = page.get_by_role("group", name="Language 2")
        added.get_by_label("Language", exact=True).fill("es-US")
        expect(page.get_by_role("group", name="Spanish (United States)")).to_be_visible()
        page.locator("#agents-1-textAgentId").fill("agent_es_text")
        page.get_by_label("Default language").fill("es-US")
        expect(page.locator("#defaultLanguage-hint")).to_contain_text("Spanish (United States)")
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_role("status")).to_contain_text("Settings saved")
        visitor.check("27-settings-texts-and-languages", keyboard=True)
        saved = clinic.call("GET", "/clinic/settings")
        assert saved["textFollowUp"] == {"enabled": True, "when": ["no_answer"], "delayMinutes": 15}
        assert saved["retry"]["moveToBestHour"] is True
        assert saved["defaultLanguage"] == "es-US"
        assert set(saved["agents"]) == {"en-US", "es-US"}
        assert saved["agents"]["en-US"]["agentId"] == "agent_en"
        assert saved["agents"]["es-US"]["textAgentId"] == "agent_es_text"
        assert not saved["agents"]["es-US"].get("agentId")

    def test_refused_text_and_language_settings_are_marked_on_their_fields(self, anyone: Visitor) -> None:
        page = anyone.sign_in(clinic="languages-refused", path="/settings")
        page.get_by_label("Minutes after the call to send it").fill("2000")
        page.get_by_role("button", name="Add a language").click()
        page.locator("#agents-0-language").fill("es-US")
        page.locator("#agents-0-textAgentId").fill("not an id!")
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
        expect(page.locator("#delayMinutes-error")).to_contain_text("less than or equal to 1440")
        expect(page.locator("#delayMinutes")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#agents-0-textAgentId-error")).to_contain_text("should match pattern")
        anyone.check("28-settings-texts-refused")


# (weekday, hour) -> (dials, answered), as a clinic's answer counters hold them: a season of weekday dials that owners
# answer more at lunch and in the evening, a few on Sunday (none at 15:00), one unanswered dial on Monday at 08:00.
LUNCH_AND_EVENING = {9: 0.2, 10: 0.3, 11: 0.35, 12: 0.55, 13: 0.5, 14: 0.3, 15: 0.25, 16: 0.35, 17: 0.65, 18: 0.8}
SEEDED = {
    **{
        (weekday, hour): (dials, round(dials * min(1.0, rate + 0.05 * (day % 3))))
        for day, weekday in enumerate(WEEK[:6])
        for hour, rate in LUNCH_AND_EVENING.items()
        for dials in [5 + (day * 5 + hour * 3) % 9]
    },
    ("sun", 11): (3, 2),
    ("sun", 12): (2, 1),
    ("tue", 10): (10, 6),
    ("mon", 8): (1, 0),
}


@pytest.fixture(scope="module")
def rates_clinic(stack: DevProcess) -> Api:
    """Clinic ``rates``, with the counts above written straight into the table (no call of its own dialed)."""
    seed_answer_counts(f"http://127.0.0.1:{stack.moto_port}", "calls-local", "rates", SEEDED)
    return Api(stack.url, "rates")


def hour_span(hour: int) -> str:
    return f"{hour:02d}:00{DASH}{hour + 1:02d}:00"


class TestAnswerRates:
    def test_the_heat_map_is_a_table_with_each_hours_counts_on_hover_and_on_focus(
        self, anyone: Visitor, rates_clinic: Api
    ) -> None:
        page = anyone.sign_in(clinic="rates", path="/overview")
        heat = page.locator("#answer-rates table.heat")
        expect(heat.locator("caption")).to_contain_text("Answer rate by weekday and hour")
        expect(heat.locator("tbody th[scope='row']")).to_have_count(7)
        expect(heat.locator("tbody th[scope='row']").first).to_contain_text("Monday")
        expect(heat.locator("thead th[scope='col']")).to_have_count(12)  # the owners' calling hours, 08 to 19
        tuesday_ten = heat.locator("td[data-weekday='tue'][data-hour='10']")
        expect(tuesday_ten).to_have_attribute("title", f"Tuesday 10:00{DASH}11:00: 6 of 10 dials answered (60%)")
        expect(tuesday_ten).to_have_class(re.compile(r"\bheat-3\b"))
        expect(tuesday_ten).to_have_text(re.compile(r"^60"))
        empty = heat.locator("td[data-weekday='sun'][data-hour='15']")
        expect(empty).to_have_attribute("title", f"Sunday 15:00{DASH}16:00: no dials")
        expect(empty).to_have_class(re.compile(r"\bheat-none\b"))
        readout = page.locator("#answer-rates-readout")
        tuesday_ten.hover()
        expect(readout).to_have_text(f"Tuesday 10:00{DASH}11:00: 6 of 10 dials answered (60%)")
        # The keyboard: one Tab stop into the grid, then the arrow keys.
        heat.locator("td[tabindex='0']").focus()
        expect(readout).to_have_text(f"Monday 08:00{DASH}09:00: 0 of 1 dial answered (0%)")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        focused = page.locator("td.heat-cell:focus")
        expect(focused).to_have_attribute("data-weekday", "tue")
        expect(focused).to_have_attribute("data-hour", "10")
        expect(readout).to_have_text(f"Tuesday 10:00{DASH}11:00: 6 of 10 dials answered (60%)")
        expect(heat.locator("td[tabindex='0']")).to_have_count(1)
        legend = page.locator(".heat-legend")
        expect(legend).to_contain_text(f"0{DASH}19%")
        expect(legend).to_contain_text(f"80{DASH}100%")
        expect(legend).to_contain_text("No dials")
        # The best hours in words, as the API ranks them (its rates lean on every clinic's while an hour has few dials).
        names = dict(
            zip(WEEK, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True)
        )
        ranked = rates_clinic.call("GET", "/clinic/answer-rates?days=90")["best"]
        assert ranked
        expect(page.locator("#best-hours li")).to_have_text(
            [
                f"{names[best['weekday']]} {hour_span(best['hour'])} ({round(best['rate'] * 100)}% answered)"
                for best in ranked
            ]
        )
        # On a phone the grid scrolls inside its card; the page itself never scrolls sideways.
        widths = page.evaluate(
            "() => ({page: document.documentElement.scrollWidth, view: window.innerWidth,"
            " grid: document.querySelector('.heat-scroll').scrollWidth,"
            " card: document.querySelector('.heat-scroll').clientWidth})"
        )
        assert widths["page"] <= widths["view"], widths
        if anyone.page.viewport_size == PHONE:
            assert widths["grid"] > widths["card"], widths
        anyone.check("29-answer-rates", keyboard=anyone.page.viewport_size == DESKTOP)

    def test_a_call_placed_at_the_best_time_of_a_window_says_how_it_was_chosen(
        self, anyone: Visitor, rates_clinic: Api
    ) -> None:
        start = datetime.now(UTC) + timedelta(days=1)
        window = {"from": start.isoformat(), "to": (start + timedelta(days=6)).isoformat()}  # weekdays, whatever today
        call = rates_clinic.schedule(when=None, petName="Pip", daytime=False, window=window)
        assert call["chosen"]["reason"] == "best_answer_rate"  # the seeded hours tell the hours apart
        rate = round(call["chosen"]["expectedAnswerRate"] * 100)
        page = anyone.sign_in(clinic="rates", path=f"/calls/{call['callId']}")
        details = page.locator("dl.details").first
        expect(details).to_contain_text(f"Placed at the best time: expected answer rate {rate}%")
        anyone.check("26-best-time")

    def test_a_clinic_without_dials_sees_an_empty_grid_and_no_best_hours(self, visitor: Visitor) -> None:
        page = visitor.sign_in(clinic="no-dials-yet", path="/overview")
        expect(page.locator("#answer-rates-empty")).to_contain_text("No dials in these 90 days yet")
        expect(page.locator("#answer-rates td.heat-none")).to_have_count(7 * 12)
        expect(page.locator("#best-hours-none")).to_be_visible()
