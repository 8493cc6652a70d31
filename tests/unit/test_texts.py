"""A call's text follow-up: the pure rules (when one is due, when it may go, how chat events move it, opt-out words)
and the services over in-memory stores (planned by the write that ends a call, sent once by its schedule, moved on
by chat events, repaired by the reconciler)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain import texts
from shared.domain.calling_safety import owner_zones
from shared.domain.reconciliation import Check, check_due, index_at
from shared.models.call import Call, CallStatus
from shared.models.execution import ExecutionResult
from shared.models.requests import ConsentInput
from shared.models.results import EventEffect, Repair
from shared.models.retell import RetellChatWebhook
from shared.models.settings import ClinicSettings
from shared.models.texts import TextStatus
from tests.support.graph import ADMIN, Graph, build_graph

TEXT_CONSENT = {"given": True, "method": "verbal_at_discharge", "channels": ["call", "text"]}
CALL_CONSENT = {"given": True, "method": "verbal_at_discharge"}
TEXTING: dict[str, Any] = {"textFollowUp": {"enabled": True, "when": ["no_answer", "voicemail"], "delayMinutes": 10}}
NO_RETRIES: dict[str, Any] = {"retry": {"maxRetries": 0, "backoffSeconds": [300]}}


@pytest.fixture
def graph() -> Graph:
    built = build_graph()
    built.configure(**TEXTING, **NO_RETRIES)
    return built


def unanswered(graph: Graph, **overrides: Any) -> Call:
    """A call whose only attempt rings out."""
    call = graph.dialed_call(**{"consent": TEXT_CONSENT, **overrides})
    graph.finish(call.call_id, "dial_no_answer")
    return graph.stored(call.call_id)


class TestPlanning:
    def test_a_call_failed_on_no_answer_gets_one_text_after_the_delay(self, graph: Graph) -> None:
        call = unanswered(graph)
        assert call.status == CallStatus.FAILED
        assert call.text is not None
        assert call.text.status == TextStatus.SCHEDULED
        assert call.text.trigger == "no_answer"
        assert call.text.scheduled_for == graph.clock() + timedelta(minutes=10)
        assert graph.text_schedule(call.call_id).fire_at == call.text.scheduled_for

    def test_a_voicemail_gets_a_text_when_the_clinic_chooses_it(self, graph: Graph) -> None:
        call = graph.dialed_call(consent=TEXT_CONSENT)
        graph.finish(call.call_id, "voicemail_reached")
        stored = graph.stored(call.call_id)
        assert stored.status == CallStatus.COMPLETED
        assert stored.text is not None
        assert stored.text.trigger == "voicemail"

    def test_no_text_for_voicemail_when_the_clinic_texts_only_after_no_answer(self, graph: Graph) -> None:
        graph.configure(textFollowUp={"enabled": True, "when": ["no_answer"], "delayMinutes": 0})
        call = graph.dialed_call(consent=TEXT_CONSENT)
        graph.finish(call.call_id, "voicemail_reached")
        assert graph.stored(call.call_id).text is None

    def test_no_text_consent_records_a_skipped_text_and_sends_nothing(self, graph: Graph) -> None:
        call = unanswered(graph, consent=CALL_CONSENT)
        assert call.text is not None
        assert (call.text.status, call.text.reason) == (TextStatus.SKIPPED, "no_text_consent")
        assert [p for p in graph.scheduler.schedules.values() if p.action == "text"] == []

    def test_a_clinic_that_does_not_text_records_nothing(self, graph: Graph) -> None:
        graph.configure(textFollowUp={"enabled": False})
        assert unanswered(graph).text is None

    def test_an_answered_call_gets_no_text(self, graph: Graph) -> None:
        call = graph.dialed_call(consent=TEXT_CONSENT)
        graph.finish(call.call_id, "agent_hangup")
        assert graph.stored(call.call_id).text is None

    def test_a_retried_call_gets_its_text_only_when_the_last_attempt_fails(self) -> None:
        graph = build_graph()
        graph.configure(**TEXTING)  # three retries
        call = graph.dialed_call(consent=TEXT_CONSENT)
        graph.finish(call.call_id, "dial_no_answer")
        assert graph.stored(call.call_id).status == CallStatus.SCHEDULED
        assert graph.stored(call.call_id).text is None

    def test_the_delay_ends_inside_the_owners_hours(self, graph: Graph) -> None:
        graph.clock.now = datetime(2026, 11, 24, 3, 50, tzinfo=UTC)  # 19:50 in Los Angeles
        settings = ClinicSettings.model_validate(TEXTING)
        at = texts.next_text_time(settings, "+14155550100", graph.clock() + timedelta(minutes=10))
        assert at.astimezone(ZoneInfo("America/Los_Angeles")).hour == 8


@settings(max_examples=200, deadline=None)
@given(
    at=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)),
    number=st.sampled_from(["+14155550100", "+12125550100", "+19075550100", "+18085550100", "+13125550100"]),
)
def test_a_text_goes_only_inside_the_owners_hours_in_every_zone_of_the_number(at: datetime, number: str) -> None:
    settings = ClinicSettings()
    sent = texts.next_text_time(settings, number, at)
    assert sent >= at
    assert sent - at <= timedelta(hours=13)  # the night at most
    for zone in owner_zones(number, settings.timezone):
        local = sent.astimezone(ZoneInfo(zone))
        assert 8 <= local.hour < 20, (zone, local)


@pytest.mark.parametrize("reply", ["STOP", "stop", " Stop. ", "UNSUBSCRIBE", "quit!", "Alto", "opt out", "CANCELAR"])
def test_opt_out_words_alone_opt_out(reply: str) -> None:
    assert texts.is_opt_out(reply)


@pytest.mark.parametrize("reply", ["She is fine, stop worrying", "Luna stopped limping", "ok", "thanks"])
def test_a_reply_that_merely_contains_a_word_does_not(reply: str) -> None:
    assert not texts.is_opt_out(reply)


class TestSending:
    def test_the_schedule_sends_one_text_with_the_clinics_text_agent_and_the_calls_variables(
        self, graph: Graph
    ) -> None:
        graph.configure(agents={"en-US": {"textAgentId": "agent_text_en"}})
        call = unanswered(graph)
        sent = graph.fire_text(call.call_id)
        assert sent.result == ExecutionResult.TEXTED
        (spec,) = graph.dialer.chats
        assert spec.agent_id == "agent_text_en"
        assert spec.to_number == call.phone_number
        assert spec.metadata["call_id"] == call.call_id
        assert spec.dynamic_variables["pet_name"] == call.pet_name
        stored = graph.stored(call.call_id)
        assert stored.text is not None
        assert (stored.text.status, stored.text.chat_id) == (TextStatus.SENT, "chat_1")

    def test_a_repeated_delivery_of_the_schedule_texts_nobody_twice(self, graph: Graph) -> None:
        call = unanswered(graph)
        pending = graph.text_schedule(call.call_id)
        graph.fire_text(call.call_id)
        graph.scheduler.schedules[pending.schedule_name] = pending  # Scheduler delivers it again
        again = graph.fire_text(call.call_id)
        assert again.result == ExecutionResult.SKIPPED
        assert len(graph.dialer.chats) == 1

    def test_a_number_listed_meanwhile_is_not_texted(self, graph: Graph) -> None:
        call = unanswered(graph)
        graph.do_not_call.add(ADMIN, call.phone_number, "asked at the front desk")
        sent = graph.fire_text(call.call_id)
        assert sent.result == ExecutionResult.TEXT_SKIPPED
        assert graph.dialer.chats == []
        text = graph.stored(call.call_id).text
        assert text is not None
        assert (text.status, text.reason) == (TextStatus.SKIPPED, "do_not_call")

    def test_a_clinic_that_turned_texts_off_meanwhile_sends_none(self, graph: Graph) -> None:
        call = unanswered(graph)
        graph.configure(textFollowUp={"enabled": False})
        assert graph.fire_text(call.call_id).result == ExecutionResult.TEXT_SKIPPED
        text = graph.stored(call.call_id).text
        assert text is not None
        assert (text.status, text.reason) == (TextStatus.SKIPPED, "texts_turned_off")
        assert graph.dialer.chats == []

    def test_outside_the_owners_hours_the_text_waits_for_the_morning(self, graph: Graph) -> None:
        call = unanswered(graph)
        pending = graph.text_schedule(call.call_id)
        del graph.scheduler.schedules[pending.schedule_name]
        graph.clock.now = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # 21:00 in Los Angeles
        sent = graph.texts.send(graph_request(graph, call))
        assert sent.result == ExecutionResult.MOVED
        moved = graph.stored(call.call_id)
        assert moved.text is not None
        assert moved.text.scheduled_for == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 08:00 the next morning
        assert graph.text_schedule(call.call_id).fire_at == moved.text.scheduled_for
        assert graph.dialer.chats == []

    def test_a_refusal_fails_the_text_and_an_unknown_outcome_is_never_resent(self, graph: Graph) -> None:
        refused = unanswered(graph)
        graph.dialer.chat_outcomes = [400]
        assert graph.fire_text(refused.call_id).result == ExecutionResult.TEXT_SKIPPED
        text = graph.stored(refused.call_id).text
        assert text is not None
        assert (text.status, text.reason) == (TextStatus.FAILED, "retell_refused")

    def test_no_text_agent_for_the_language_here_or_in_the_deployment_is_a_misconfiguration(self, graph: Graph) -> None:
        call = unanswered(graph)
        with pytest.raises(texts.TextMisconfigured, match="textAgentId"):
            texts.chat_spec(call, ClinicSettings(), texts.TextDefaults(from_number="+14155550000"))
        assert texts.chat_spec(call, ClinicSettings(), texts.TextDefaults("agent_t", "+14155550000")).agent_id == (
            "agent_t"
        )


def graph_request(graph: Graph, call: Call) -> Any:
    from shared.models.execution import ExecuteAction, ExecuteRequest

    assert call.text is not None
    assert call.text.scheduled_for is not None
    assert call.text_token is not None
    return ExecuteRequest(
        call_id=call.call_id,
        clinic_id=call.clinic_id,
        attempt=call.attempt,
        token=call.text_token,
        scheduled_time=call.text.scheduled_for,
        action=ExecuteAction.TEXT,
    )


class TestChatEvents:
    def sent(self, graph: Graph) -> Call:
        call = unanswered(graph)
        graph.fire_text(call.call_id)
        return graph.stored(call.call_id)

    def test_a_reply_lands_on_the_call_and_a_worse_pet_flags_it(self, graph: Graph) -> None:
        call = self.sent(graph)
        chat = graph.chat(
            call,
            replies=("She is worse, not eating",),
            analysis={
                "chat_summary": "Pet worse",
                "chat_successful": False,
                "user_sentiment": "Negative",
                "custom_analysis_data": {"pet_condition": "worse"},
            },
        )
        outcome = graph.text_events.apply(RetellChatWebhook(event="chat_analyzed", chat=chat))
        assert outcome.effect == EventEffect.TEXT_UPDATED
        stored = graph.stored(call.call_id)
        assert stored.text is not None
        assert stored.text.status == TextStatus.REPLIED
        assert stored.text.transcript is not None
        assert "not eating" in stored.text.transcript
        assert stored.needs_follow_up
        assert "pet_worse" in stored.follow_up_reasons
        assert graph.text_tallies.totals(
            call.clinic_id, [graph.clock().astimezone(ZoneInfo("America/Los_Angeles")).date()]
        ) == (1, 1)

    def test_stop_lists_the_number_as_the_owners_request(self, graph: Graph) -> None:
        call = self.sent(graph)
        outcome = graph.text_events.apply(
            RetellChatWebhook(event="chat_ended", chat=graph.chat(call, replies=("STOP",)))
        )
        assert outcome.do_not_call_added
        entry = graph.do_not_call_store.get(call.clinic_id, call.phone_number)
        assert entry is not None
        assert entry.source == "owner_request"
        stored = graph.stored(call.call_id)
        assert "do_not_call_requested" in stored.follow_up_reasons

    def test_no_reply_ends_the_text_and_repeats_change_nothing(self, graph: Graph) -> None:
        call = self.sent(graph)
        ended = RetellChatWebhook(event="chat_ended", chat=graph.chat(call))
        assert graph.text_events.apply(ended).effect == EventEffect.TEXT_UPDATED
        assert graph.text_events.apply(ended).effect == EventEffect.NO_CHANGE
        text = graph.stored(call.call_id).text
        assert text is not None
        assert text.status == TextStatus.ENDED
        assert (
            not graph.stored(call.call_id).follow_up_reasons
            or "pet_worse" not in graph.stored(call.call_id).follow_up_reasons
        )

    def test_an_event_of_another_chat_changes_nothing(self, graph: Graph) -> None:
        call = self.sent(graph)
        stray = graph.chat(call, replies=("hi",), chat_id="chat_other")
        assert (
            graph.text_events.apply(RetellChatWebhook(event="chat_ended", chat=stray)).effect == EventEffect.NO_CHANGE
        )


class TestReconciliation:
    def test_a_claimed_text_whose_chat_id_was_lost_is_found_in_retell(self, graph: Graph) -> None:
        call = unanswered(graph)
        graph.dialer.chat_outcomes = ["started-then-unknown"]
        assert graph.fire_text(call.call_id).result == ExecutionResult.UNRESOLVED
        claimed = graph.stored(call.call_id)
        due = check_due(claimed)
        assert due is not None
        assert due.check == Check.FIND_CHAT
        assert index_at(claimed) == due.at
        graph.clock.now = due.at
        assert graph.reconciler.repair(ref(claimed)) == Repair.FOUND
        text = graph.stored(call.call_id).text
        assert text is not None
        assert text.chat_id == "chat_1"
        assert len(graph.dialer.chats) == 1

    def test_a_claimed_text_retell_never_started_fails_and_is_not_resent(self, graph: Graph) -> None:
        call = unanswered(graph)
        graph.dialer.chat_outcomes = ["unknown"]
        graph.fire_text(call.call_id)
        due = check_due(graph.stored(call.call_id))
        assert due is not None
        graph.clock.now = due.at
        assert graph.reconciler.repair(ref(graph.stored(call.call_id))) == Repair.TEXT_FAILED
        text = graph.stored(call.call_id).text
        assert text is not None
        assert (text.status, text.reason) == (TextStatus.FAILED, "not_confirmed")
        assert len(graph.dialer.chats) == 1

    def test_a_text_whose_events_were_lost_is_read_with_get_chat(self, graph: Graph) -> None:
        call = unanswered(graph)
        graph.fire_text(call.call_id)
        sent = graph.stored(call.call_id)
        graph.dialer.retell_chats["chat_1"] = graph.chat(sent, replies=("All good",))
        due = check_due(sent)
        assert due is not None
        assert due.check == Check.READ_CHAT
        graph.clock.now = due.at
        assert graph.reconciler.repair(ref(sent)) == Repair.APPLIED
        text = graph.stored(call.call_id).text
        assert text is not None
        assert text.status == TextStatus.REPLIED

    def test_a_lost_text_schedule_is_fired(self, graph: Graph) -> None:
        call = unanswered(graph)
        pending = graph.text_schedule(call.call_id)
        del graph.scheduler.schedules[pending.schedule_name]
        due = check_due(call)
        assert due is not None
        assert due.check == Check.FIRE_TEXT
        graph.clock.now = due.at
        assert graph.reconciler.repair(ref(call)) == Repair.FIRED
        (request,) = graph.invoker.requests
        assert (request.action, request.token) == ("text", call.text_token)


def ref(call: Call) -> Any:
    from shared.models.queries import CallRef

    return CallRef(clinic_id=call.clinic_id, call_id=call.call_id)


def test_consent_to_texts_must_include_the_call() -> None:
    with pytest.raises(ValueError, match="call"):
        ConsentInput.model_validate({"given": True, "channels": ["text"]})


def test_retention_removes_the_texts_words_and_deletes_its_chat_at_retell(graph: Graph) -> None:
    from shared.domain import retention

    call = unanswered(graph)
    graph.fire_text(call.call_id)
    sent = graph.stored(call.call_id)
    graph.text_events.apply(
        RetellChatWebhook(
            event="chat_analyzed",
            chat=graph.chat(
                sent, replies=("She is fine",), analysis={"chat_summary": "Luna is fine", "chat_successful": True}
            ),
        )
    )
    removed = retention.without_texts(graph.stored(call.call_id), graph.clock())
    assert removed is not None
    assert removed.text is not None
    assert (removed.text.transcript, removed.text.analysis and removed.text.analysis.summary) == (None, None)
    assert removed.text.status == TextStatus.REPLIED
    assert "chat:chat_1" in removed.retell_copies_left


def test_an_erased_owners_scheduled_text_is_never_sent(graph: Graph) -> None:
    from shared.domain import retention

    call = unanswered(graph)
    erased = retention.erased(call, "digest", graph.clock())
    assert erased is not None
    assert erased.text is not None
    assert (erased.text.status, erased.text.reason) == (TextStatus.SKIPPED, "erased")
