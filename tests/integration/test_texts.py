"""A text after an unanswered phone, and calls in the owner's language, through the whole system: the API, the
scheduler's schedules firing execute, the simulated Retell (real retell-sdk over HTTP) placing the call and then the
chat, and its signed chat webhooks back through the webhook handler."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from standins.aws_stand_ins import DEFAULT_TEXT_AGENT_ID
from tests.support.lifecycle import Stand

MONDAY_0930_LA = "2026-11-23T17:30:00Z"
TEXT_CONSENT = {"given": True, "method": "verbal_at_discharge", "channels": ["call", "text"]}


@pytest.fixture
def texting(stand: Stand) -> Stand:
    settings = stand.api.get("/clinic/settings").data
    changed = {
        **settings,
        "retry": {"maxRetries": 0, "backoffSeconds": [300], "retryOnVoicemail": False},
        "textFollowUp": {"enabled": True, "when": ["no_answer", "voicemail"], "delayMinutes": 10},
        "agents": {"es-US": {"agentId": "agent_es_voice", "textAgentId": "agent_es_text"}},
    }
    answer = stand.api.put("/clinic/settings", changed)
    assert answer.status == 200, answer.text
    return stand


def unanswered_then_texted(stand: Stand, number: str, **overrides: Any) -> dict[str, Any]:
    """The call rings out, its text goes out 10 minutes later, and the chat's webhooks arrive."""
    call = stand.schedule(phoneNumber=number, scheduledFor=MONDAY_0930_LA, consent=TEXT_CONSENT, **overrides)
    failed = stand.run_to_the_end(call["callId"])
    assert (failed["status"], failed["outcome"]) == ("failed", "no_answer")
    assert failed["text"]["status"] == "scheduled"
    assert failed["text"]["scheduledFor"] > MONDAY_0930_LA
    stand.advance_and_fire()  # the text's schedule
    assert all(status == 204 for status in stand.sim.flush())
    return stand.call(call["callId"])


def test_an_unanswered_owner_gets_one_text_and_the_reply_lands_on_the_call(texting: Stand) -> None:
    final = unanswered_then_texted(texting, "+14155550101")
    text = final["text"]
    assert text["status"] == "replied"
    assert text["chatId"]
    assert "User:" in text["transcript"]
    assert text["analysis"]["successful"] is True
    (chat,) = texting.sim.chat_requests()
    assert chat.to_number == "+14155550101"
    assert chat.agent_id == DEFAULT_TEXT_AGENT_ID
    assert chat.metadata["call_id"] == final["callId"]
    assert texting.aws.schedules() == []
    overview = texting.api.get("/clinic/overview", query={"days": "1"}).data
    assert (overview["textsSent"], overview["reachedByText"]) == (1, 1)


def test_stop_lists_the_number_and_nothing_more_goes_to_it(texting: Stand) -> None:
    final = unanswered_then_texted(texting, "+14155550117")
    assert final["text"]["status"] == "replied"
    assert "do_not_call_requested" in final["followUpReasons"]
    listed = texting.api.get("/clinic/do-not-call").data["items"]
    assert [(entry["phoneNumber"], entry["source"]) for entry in listed] == [("+14155550117", "owner_request")]
    again = texting.api.post(
        "/calls/schedule",
        {
            "phoneNumber": "+14155550117",
            "petName": "Luna",
            "ownerName": "Sarah Johnson",
            "clinicName": "Paws",
            "clinicPhone": "+14155559876",
            "consent": TEXT_CONSENT,
            "metadata": {"consultation_id": "other"},
        },
    )
    assert again.status == 422
    assert again.json["error"]["code"] == "do_not_call"


def test_an_owner_who_never_replies_ends_the_text_without_a_reply(texting: Stand) -> None:
    final = unanswered_then_texted(texting, "+14155550118")
    assert final["text"]["status"] == "ended"
    assert "User:" not in (final["text"]["transcript"] or "")


def test_no_text_without_text_consent(texting: Stand) -> None:
    call = texting.schedule(
        phoneNumber="+14155550101", scheduledFor=MONDAY_0930_LA, consent={"given": True, "method": "verbal"}
    )
    final = texting.run_to_the_end(call["callId"])
    assert (final["text"]["status"], final["text"]["reason"]) == ("skipped", "no_text_consent")
    assert texting.aws.schedules() == []
    assert texting.sim.chat_requests() == []


def test_a_voicemail_gets_a_text_too(texting: Stand) -> None:
    call = texting.schedule(phoneNumber="+14155550104", scheduledFor=MONDAY_0930_LA, consent=TEXT_CONSENT)
    final = texting.run_to_the_end(call["callId"])
    assert (final["status"], final["outcome"], final["text"]["trigger"]) == ("completed", "voicemail", "voicemail")


def test_a_spanish_call_is_placed_and_texted_with_the_spanish_agents(texting: Stand) -> None:
    final = unanswered_then_texted(texting, "+14155550101", language="es-US")
    assert final["language"] == "es-US"
    (dial,) = texting.sim.requests()
    assert dial.agent_id == "agent_es_voice"
    (chat,) = texting.sim.chat_requests()
    assert chat.agent_id == "agent_es_text"


def test_a_language_without_an_agent_is_refused(texting: Stand) -> None:
    answer = texting.api.post(
        "/calls/schedule",
        {
            "phoneNumber": "+14155550100",
            "petName": "Luna",
            "ownerName": "Sarah Johnson",
            "clinicName": "Paws",
            "clinicPhone": "+14155559876",
            "consent": TEXT_CONSENT,
            "language": "fr-CA",
        },
    )
    assert answer.status == 422
    assert answer.json["error"]["code"] == "language_unsupported"
    assert answer.json["error"]["details"][0]["supported"] == ["en-US", "es-US"]


def test_a_text_whose_webhooks_were_lost_is_read_by_the_reconciler(texting: Stand) -> None:
    call = texting.schedule(phoneNumber="+14155550101", scheduledFor=MONDAY_0930_LA, consent=TEXT_CONSENT)
    texting.run_to_the_end(call["callId"])
    texting.sim.set_faults(webhooks="drop")
    texting.advance_and_fire()
    texting.sim.flush()
    assert texting.call(call["callId"])["text"]["status"] == "sent"
    texting.sim.set_faults(webhooks="deliver")
    texting.clock.now += timedelta(hours=27)
    texting.invoke("reconcile", {})
    assert texting.call(call["callId"])["text"]["status"] == "replied"


def test_a_text_that_needs_the_clinic_is_told_as_a_call_would_be(texting: Stand) -> None:
    settings = texting.api.get("/clinic/settings").data
    settings["notifications"] = {"emails": ["frontdesk@clinic.example"]}
    assert texting.api.put("/clinic/settings", settings).status == 200
    final = unanswered_then_texted(texting, "+14155550117")
    texting.feed_stream()
    told = [(notice["event"], notice["callId"]) for notice in texting.outbox()]
    assert ("needs_follow_up", final["callId"]) in told
    assert ("call_failed", final["callId"]) in told


def test_a_text_started_behind_a_lost_answer_is_found_by_the_reconciler_and_never_sent_again(texting: Stand) -> None:
    from standins.retell_sim import Fault

    call = texting.schedule(phoneNumber="+14155550101", scheduledFor=MONDAY_0930_LA, consent=TEXT_CONSENT)
    texting.run_to_the_end(call["callId"])
    texting.sim.set_faults(webhooks="drop")
    texting.sim.inject(Fault("error_after_create_sms_chat"))
    texting.advance_and_fire()
    claimed = texting.call(call["callId"])["text"]
    assert (claimed["status"], claimed["chatId"]) == ("sent", None)
    texting.sim.set_faults(webhooks="deliver")
    texting.clock.now += timedelta(minutes=11)
    texting.invoke("reconcile", {})
    found = texting.call(call["callId"])["text"]
    assert found["chatId"] == texting.sim.chat_requests()[0].chat_id
    assert found["status"] == "replied"
    assert len(texting.sim.chat_requests()) == 1


def test_a_text_retell_never_started_fails_and_is_never_sent_again(texting: Stand) -> None:
    from standins.retell_sim import Fault

    call = texting.schedule(phoneNumber="+14155550101", scheduledFor=MONDAY_0930_LA, consent=TEXT_CONSENT)
    texting.run_to_the_end(call["callId"])
    texting.sim.inject(Fault("fail_create_sms_chat", status=503))
    texting.advance_and_fire()
    texting.clock.now += timedelta(minutes=11)
    texting.invoke("reconcile", {})
    text = texting.call(call["callId"])["text"]
    assert (text["status"], text["reason"]) == ("failed", "not_confirmed")
    assert [request.chat_id for request in texting.sim.chat_requests()] == [None]
