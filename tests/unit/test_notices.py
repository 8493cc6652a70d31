"""Notices (``shared.logic.notices``) on the in-memory fakes: which events a call's change amounts to, the message
each becomes (minimal personal data), once per event and recipient however often it is seen, delivered later when a
channel was down (once), given up after three days; the daily digest at the clinic's hour, once, never on a day
without calls."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from itertools import count
from typing import Any

import pytest
from pydantic import ValidationError

from shared.bootstrap.notices import build_notices
from shared.config import NoticesConfig
from shared.domain.notices import CallImage, breaker_occurrence, call_occurrences, compose
from shared.logic.notice_delivery import RunBudget
from shared.logic.notices import GIVE_UP_AFTER, LEASE, RETRY_EVERY, SWEEP_BATCH, NoticeStores, recipient_id
from shared.logic.ports import Notice, NoticeState
from shared.models.call import Call
from shared.models.principal import Principal
from shared.models.settings import ClinicSettings
from tests.support.fakes import FakeChannel, InMemoryEmailRateLimits, InMemoryNoticeStore
from tests.support.graph import Graph, build_graph

DASHBOARD = "https://dashboard.example"
EMAILS = ["vet@clinic.example", "front@clinic.example"]
HOOK = "https://hooks.slack.com/services/T0/B0/x"
PUBLIC = ("34.120.0.10",)  # what the webhook hosts resolve to in these tests (no lookups leave the machine)
PET_WORSE = {
    "call_successful": False,
    "user_sentiment": "Negative",
    "custom_analysis_data": {"pet_condition": "worse", "owner_concerns": "Not eating since yesterday."},
}


class Notified:
    def __init__(
        self, graph: Graph, *, delivery_deadline: float = 15.0, email_domains: str = "", **settings: Any
    ) -> None:
        self.graph = graph
        self.store = InMemoryNoticeStore()
        self.email, self.chat = FakeChannel(), FakeChannel()
        self.email_limits = InMemoryEmailRateLimits()
        graph.configure(notifications={"emails": EMAILS, "webhookUrl": HOOK, **settings}, clinicName="Paws & Claws")
        stores = NoticeStores(
            notices=self.store, clinics=graph.settings_store, calls=graph.calls, email_limits=self.email_limits
        )
        self.service = build_notices(
            NoticesConfig(
                table_name="calls",
                dashboard_url=DASHBOARD,
                operator_emails="ops@example.com",
                notice_email_domains=email_domains,
            ),
            stores=stores,
            settings=graph.settings_store,
            channels={"email": self.email, "chat": self.chat},
            clock=graph.clock,
            delivery_deadline=delivery_deadline,
        ).notices

    def see(self, before: Call | None, after: Call) -> int:
        """The stream's view of one write: the call before and after; returns the notices recorded."""
        old = CallImage.model_validate(before.model_dump(mode="json")) if before is not None else None
        new = CallImage.model_validate(after.model_dump(mode="json"))
        return sum(self.service.occurred(occurrence).recorded for occurrence in call_occurrences(old, new))

    def webhook(self, call_id: str, event: str, reason: str, analysis: dict[str, Any] | None = None) -> int:
        before = self.graph.stored(call_id)
        self.graph.deliver(self.graph.webhook(event, before, reason, analysis=analysis))
        return self.see(before, self.graph.stored(call_id))

    def events(self) -> list[tuple[str, str]]:
        return [(n.event, n.channel) for n in self.email.sent + self.chat.sent]


def test_a_pet_doing_worse_is_told_once_per_recipient_when_the_analysis_comes() -> None:
    notified = Notified(build_graph())
    call = notified.graph.dialed_call()
    assert notified.webhook(call.call_id, "call_started", "agent_hangup") == 0
    assert notified.webhook(call.call_id, "call_ended", "agent_hangup") == 0
    assert notified.webhook(call.call_id, "call_analyzed", "agent_hangup", PET_WORSE) == 3
    assert sorted(notified.events()) == [("needs_follow_up", "chat"), *[("needs_follow_up", "email")] * 2]
    # the same write seen again (a stream batch delivered twice), and the webhook repeated: nothing more
    stored = notified.graph.stored(call.call_id)
    assert notified.see(None, stored) == 0
    assert notified.webhook(call.call_id, "call_analyzed", "agent_hangup", PET_WORSE) == 0
    assert len(notified.events()) == 3


def test_a_callback_request_waits_for_the_analysis_and_is_told_once() -> None:
    notified = Notified(build_graph())
    call = notified.graph.dialed_call()
    notified.webhook(call.call_id, "call_started", "user_requested_callback")
    assert notified.webhook(call.call_id, "call_ended", "user_requested_callback") == 0
    analysis = {"call_successful": False, "custom_analysis_data": {"callback_requested": True}}
    assert notified.webhook(call.call_id, "call_analyzed", "user_requested_callback", analysis) == 3
    (email, *_) = notified.email.sent
    assert "call back" in email.text


def test_a_callback_after_a_retried_dial_is_told_once_when_its_own_analysis_comes() -> None:
    graph = build_graph()
    notified = Notified(graph)
    call = graph.dialed_call()
    notified.webhook(call.call_id, "call_ended", "telephony_provider_unavailable")
    assert notified.webhook(call.call_id, "call_analyzed", "telephony_provider_unavailable") == 0  # a retry
    graph.fire(call.call_id)
    notified.webhook(call.call_id, "call_started", "user_requested_callback")
    assert notified.webhook(call.call_id, "call_ended", "user_requested_callback") == 0  # its analysis is to come
    analysis = {"call_successful": False, "custom_analysis_data": {"callback_requested": True}}
    assert notified.webhook(call.call_id, "call_analyzed", "user_requested_callback", analysis) == 3
    assert [event for event, _ in notified.events()] == ["needs_follow_up"] * 3


def test_a_failed_call_is_told_as_a_failure_not_also_as_a_follow_up() -> None:
    notified = Notified(build_graph())
    call = notified.graph.dialed_call()
    assert notified.webhook(call.call_id, "call_ended", "dial_failed") == 3
    assert notified.webhook(call.call_id, "call_analyzed", "dial_failed") == 0
    assert {event for event, _ in notified.events()} == {"call_failed"}


def test_the_message_names_pet_and_owner_first_name_and_links_the_call_but_no_number_or_transcript() -> None:
    notified = Notified(build_graph())
    call = notified.graph.dialed_call()
    notified.webhook(call.call_id, "call_ended", "agent_hangup")
    notified.webhook(call.call_id, "call_analyzed", "agent_hangup", PET_WORSE)
    email = next(n for n in notified.email.sent)
    chat = notified.chat.sent[0]
    for text in (email.subject, email.text, email.html, chat.text):
        assert call.phone_number not in text
        assert call.phone_number[2:] not in text
        assert "Johnson" not in text  # the owner's first name at most
        assert "Hello, this is about" not in text  # never the transcript
    assert "Luna" in email.subject
    assert "Paws &amp; Claws" not in email.subject
    assert f"{DASHBOARD}/calls/{call.call_id}" in email.text
    assert f'href="{DASHBOARD}/calls/{call.call_id}"' in email.html
    assert "Sarah" in email.text
    assert "worse" in email.text


def test_a_clinic_that_does_not_want_an_event_is_not_told() -> None:
    notified = Notified(build_graph(), events=["needs_follow_up"])
    call = notified.graph.dialed_call()
    assert notified.webhook(call.call_id, "call_ended", "dial_failed") == 0
    assert notified.events() == []


def test_a_channel_down_for_a_while_delivers_later_once() -> None:
    graph = build_graph()
    notified = Notified(graph)
    notified.chat.down = True
    call = graph.dialed_call()
    notified.webhook(call.call_id, "call_ended", "dial_failed")
    assert [n.channel for n in notified.email.sent] == ["email", "email"]
    assert notified.chat.sent == []
    for _ in range(5):
        graph.clock.now += RETRY_EVERY
        assert notified.service.sweep().sent == 0
    notified.chat.down = False
    assert notified.service.sweep().sent == 0  # not due yet: a minute after the last failure
    graph.clock.now += RETRY_EVERY
    assert notified.service.sweep().sent == 1
    for _ in range(3):
        graph.clock.now += RETRY_EVERY
        assert notified.service.sweep().sent == 0
    assert [n.event for n in notified.chat.sent] == ["call_failed"]
    assert len(notified.email.sent) == 2


def test_a_channel_down_for_three_days_is_given_up() -> None:
    graph = build_graph()
    notified = Notified(graph, emails=[], webhookUrl=HOOK)
    notified.chat.down = True
    call = graph.dialed_call()
    notified.webhook(call.call_id, "call_ended", "dial_failed")
    graph.clock.now += GIVE_UP_AFTER
    assert notified.service.sweep().given_up == 1
    (stored,) = notified.store.notices.values()
    assert stored.state == NoticeState.GAVE_UP


def test_two_deliverers_never_send_the_same_notice() -> None:
    graph = build_graph()
    notified = Notified(graph)
    notified.chat.down = True
    call = graph.dialed_call()
    notified.webhook(call.call_id, "call_ended", "dial_failed")
    notified.chat.down = False
    graph.clock.now += RETRY_EVERY
    (pending,) = notified.store.due("clinic-a", graph.clock(), 10)
    assert notified.service.deliver(pending.notice) is True
    assert notified.service.deliver(pending.notice) is False
    assert notified.service.sweep().sent == 0
    assert len(notified.chat.sent) == 1


def test_the_retell_account_tells_every_clinic_with_recipients_and_the_operators() -> None:
    graph = build_graph()
    notified = Notified(graph)
    graph.configure("clinic-b", notifications={"emails": ["b@clinic.example"], "events": ["call_failed"]})
    graph.configure("clinic-c", notifications={"emails": ["c@clinic.example"]})
    occurrence = breaker_occurrence("2026-11-23T17:30:00Z", "no_valid_payment")
    assert notified.service.occurred(occurrence).recorded == 5  # 2 emails + chat of clinic-a, clinic-c, operators
    assert notified.service.occurred(occurrence).recorded == 0
    assert {n.to for n in notified.email.sent} == {*EMAILS, "c@clinic.example", "ops@example.com"}
    assert notified.service.occurred(breaker_occurrence("2026-11-24T10:00:00Z", None)).recorded == 5


class TestDigest:
    def test_at_the_clinic_hour_once_with_the_worklist(self) -> None:
        graph = build_graph()  # Monday 09:30 in Los Angeles
        notified = Notified(graph, digestHour=8)
        call = graph.dialed_call()
        graph.finish(call.call_id, "user_requested_callback")
        other = graph.dialed_call(phoneNumber="+14155550100")
        graph.finish(other.call_id, "agent_hangup")
        graph.clock.now += timedelta(hours=22, minutes=40)  # Tuesday 08:10 local
        delivery = notified.service.digests()
        assert (delivery.recorded, delivery.sent) == (3, 3)
        email = notified.email.sent[0]
        assert email.event == "daily_digest"
        assert "2 follow-up calls" in email.subject
        assert "1 need" in email.subject
        assert "Luna (owner Sarah): the owner asked the clinic to call back" in email.text
        graph.clock.now += timedelta(minutes=30)
        assert notified.service.digests().recorded == 0

    def test_not_at_another_hour_nor_on_a_day_without_calls(self) -> None:
        graph = build_graph()
        notified = Notified(graph, digestHour=8)
        graph.clock.now += timedelta(hours=22, minutes=40)
        assert notified.service.digests().recorded == 0  # Monday had no calls
        call = graph.dialed_call()
        graph.finish(call.call_id, "agent_hangup")
        graph.clock.now += timedelta(hours=3)  # Tuesday 11:10 local: not the hour
        assert notified.service.digests().recorded == 0


class TestSettings:
    @pytest.mark.parametrize(
        ("notifications", "field"),
        [
            ({"emails": [f"a{i}@x.example" for i in range(11)]}, "emails"),
            ({"emails": ["not an address"]}, "emails"),
            ({"webhookUrl": "http://hooks.example/x"}, "webhookUrl"),
            ({"webhookUrl": "https://user:pw@hooks.example/x"}, "webhookUrl"),
            ({"digestHour": 24}, "digestHour"),
            ({"events": ["everything"]}, "events"),
        ],
    )
    def test_invalid_notification_settings_name_their_field(self, notifications: dict[str, Any], field: str) -> None:
        with pytest.raises(ValidationError) as raised:
            ClinicSettings.model_validate({"notifications": notifications})
        assert any(field in error["loc"] for error in raised.value.errors())

    def test_follow_up_rules_accept_only_known_reasons(self) -> None:
        with pytest.raises(ValidationError):
            ClinicSettings.model_validate({"followUpRules": {"flag": ["pet_is_cute"]}})


def test_a_message_for_the_account_names_no_call() -> None:
    message = compose(breaker_occurrence("2026-11-23T17:30:00Z", "no_valid_payment"), "Paws", DASHBOARD)
    assert "paused" in message.subject
    assert "no_valid_payment" in message.text
    assert "/calls/" not in message.text


class TestChatWebhookBodies:
    """What the chat channel posts (through httpx, answered by a mock transport, as the channel posts to https on
    Slack's and Microsoft's hosts only): Slack's ``{"text"}`` to Slack, an Adaptive Card message to Teams, whose
    Workflows answer a ``{"text"}`` body 202 and never show it."""

    CHAT_LINE = (
        "*Paws &amp; Claws: Luna needs follow-up (the pet is worse)*\n"
        "The follow-up call about Luna (owner Sarah) needs the clinic's attention: the pet is worse.\n"
        f"<{DASHBOARD}/calls/c1|Open the call>"
    )

    def post(
        self,
        url: str,
        status: int = 200,
        addresses: tuple[str, ...] = PUBLIC,
        delay: float = 0.0,
        deadline: float = 5.0,
    ) -> tuple[Any, list[Any]]:
        import httpx

        from shared.adapters.notice_channels import ChatWebhookChannel

        posted: list[Any] = []

        def answer(request: httpx.Request) -> httpx.Response:
            posted.append(request)
            time.sleep(delay)
            return httpx.Response(status, headers={"Location": "https://169.254.169.254/"} if status == 302 else {})

        channel = ChatWebhookChannel(
            httpx.Client(transport=httpx.MockTransport(answer)), deadline=deadline, resolve=lambda host: list(addresses)
        )
        return channel, posted

    def notice(self, to: str) -> Any:
        from datetime import UTC, datetime

        from shared.logic.ports import Notice

        return Notice(
            subject_id="c1",
            event_key="needs_follow_up-1",
            event="needs_follow_up",
            clinic_id="clinic-1",
            call_id="c1",
            channel="chat",
            to=to,
            recipient_id="r1",
            subject="Paws & Claws: Luna needs follow-up (the pet is worse)",
            text=self.CHAT_LINE,
            html="<p>...</p>",
            created_at=datetime(2026, 11, 23, 17, 30, tzinfo=UTC),
        )

    def test_slack_gets_its_text(self) -> None:
        import json

        url = "https://hooks.slack.com/services/T0/B0/x"
        channel, posted = self.post(url)
        channel.send(self.notice(url))
        (request,) = posted
        assert str(request.url) == url
        assert json.loads(request.content) == {"text": self.CHAT_LINE}

    @pytest.mark.parametrize(
        "url",
        [
            "https://contoso.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d",
            "https://prod-12.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01",
            "https://default0123.45.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/x",
        ],
        ids=["incoming-webhook", "workflows-logic-apps", "workflows-power-platform"],
    )
    def test_teams_gets_an_adaptive_card_message(self, url: str) -> None:
        import json

        channel, posted = self.post(url, status=202)
        channel.send(self.notice(url))
        (request,) = posted
        body = json.loads(request.content)
        assert body["type"] == "message"
        (attachment,) = body["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        card = attachment["content"]
        assert (card["type"], card["version"]) == ("AdaptiveCard", "1.2")
        assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
        title, text = card["body"]
        assert title == {
            "type": "TextBlock",
            "text": "Paws & Claws: Luna needs follow-up (the pet is worse)",
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
        assert text["type"] == "TextBlock"
        assert text["wrap"] is True
        assert text["text"] == (
            "The follow-up call about Luna (owner Sarah) needs the clinic's attention: the pet is worse.\n\n"
            f"[Open the call]({DASHBOARD}/calls/c1)"
        )
        assert "text" not in body  # not the shape Workflows accept and never show

    @pytest.mark.parametrize(
        "url",
        [
            "http://hooks.slack.com/services/T0/B0/x",  # not https
            "https://hooks.slack.com:8443/services/T0/B0/x",  # not 443
            "https://hooks.slack.com.example/services/x",  # a look-alike
            "https://webhook.office.com.example/x",
            "https://127.0.0.1/hook",
            "https://[::1]/hook",
            "https://169.254.169.254/latest/meta-data/",
            "https://user:pass@hooks.slack.com/services/x",
            "https://webhook.office.com/x",  # the suffix alone is no tenant's host
        ],
    )
    def test_anything_else_is_refused_without_posting(self, url: str) -> None:
        from shared.logic.ports import ChannelFailed

        channel, posted = self.post(url)
        with pytest.raises(ChannelFailed):
            channel.send(self.notice(url))
        assert posted == []

    @pytest.mark.parametrize(
        "addresses",
        [("169.254.169.254",), ("10.0.0.7",), ("127.0.0.1",), ("::1",), ("fd00::1",), ("34.120.0.10", "192.168.1.1")],
    )
    def test_a_host_that_resolves_to_a_private_address_is_never_posted_to(self, addresses: tuple[str, ...]) -> None:
        from shared.logic.ports import ChannelFailed

        url = "https://hooks.slack.com/services/T0/B0/x"
        channel, posted = self.post(url, addresses=addresses)
        with pytest.raises(ChannelFailed, match="private address"):
            channel.send(self.notice(url))
        assert posted == []

    def test_a_redirect_is_not_followed(self) -> None:
        from shared.logic.ports import ChannelFailed

        url = "https://hooks.slack.com/services/T0/B0/x"
        channel, posted = self.post(url, status=302)
        with pytest.raises(ChannelFailed, match="302"):
            channel.send(self.notice(url))
        assert len(posted) == 1

    def test_a_webhook_that_hangs_fails_at_the_deadline(self) -> None:
        from shared.logic.ports import ChannelFailed

        url = "https://hooks.slack.com/services/T0/B0/x"
        channel, _ = self.post(url, delay=3.0, deadline=0.3)
        started = time.monotonic()
        with pytest.raises(ChannelFailed, match=r"within 0\.3 s"):
            channel.send(self.notice(url))
        assert time.monotonic() - started < 1.5

    def test_a_refusal_by_the_webhook_fails_the_channel(self) -> None:
        from shared.logic.ports import ChannelFailed

        url = "https://hooks.slack.com/services/T0/B0/x"
        channel, _ = self.post(url, status=400)
        with pytest.raises(ChannelFailed, match="400"):
            channel.send(self.notice(url))


class TestChatMarkup:
    """Whatever a clinic types into a name reaches Slack and Teams as text: no mention, no link, no markup."""

    def test_slack_shows_a_mention_or_a_link_in_a_name_as_text(self) -> None:
        from shared.domain.notices import chat_escape

        line = chat_escape("Luna <!channel> <https://evil.example|your invoice> & co")
        assert "<" not in line
        assert ">" not in line
        assert line == "Luna &lt;!channel&gt; &lt;https://evil.example|your invoice&gt; &amp; co"

    def test_teams_shows_a_markdown_link_in_a_name_as_text_and_keeps_our_own_link(self) -> None:
        from shared.adapters.notice_channels import card_markdown
        from shared.domain.notices import chat_escape

        subject = "Paws: [Luna](https://evil.example) needs follow-up"
        chat = f"*{chat_escape(subject)}*\n{chat_escape('About [Luna](https://evil.example) & <b>')}\n"
        chat += f"<{DASHBOARD}/calls/c1|Open the call>"
        text = card_markdown(chat, subject)
        assert text == f"About \\[Luna\\](https://evil.example) & <b>\n\n[Open the call]({DASHBOARD}/calls/c1)"

    def test_httpx_never_logs_a_request_url(self) -> None:
        import logging

        import shared.observability  # noqa: F401 - configures the loggers

        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)


OTHER_HOOK = "https://hooks.slack.com/services/T1/B1/other"


def _queued(
    store: InMemoryNoticeStore, clinic_id: str, to: str, count: int, now: datetime, channel: str = "chat"
) -> list[Notice]:
    """``count`` notices of ``clinic_id`` to ``to``, recorded (due now) as the stream would have left them."""
    notices = [
        Notice(
            subject_id=f"{clinic_id}-call{index}",
            event_key=f"call_failed-{index}",
            event="call_failed",
            clinic_id=clinic_id,
            call_id=f"{clinic_id}-call{index}",
            channel=channel,
            to=to,
            recipient_id=recipient_id(f"{channel}:{to}"),
            subject="A call failed",
            text="A call failed",
            html="",
            created_at=now,
        )
        for index in range(count)
    ]
    for notice in notices:
        assert store.record(notice, now)
    return notices


def _budget(checks: int) -> RunBudget:
    """A run whose time is spent after ``checks`` looks at it."""
    looks = count()
    return RunBudget(lambda: 600.0 if next(looks) < checks else 0.0)


class TestNoClinicHoldsUpAnother:
    def test_a_hanging_webhook_of_one_clinic_does_not_delay_another_clinics_notice_beyond_the_run(self) -> None:
        graph = build_graph()
        notified = Notified(graph, delivery_deadline=0.2)
        graph.configure("clinic-b", notifications={"webhookUrl": OTHER_HOOK})
        notified.chat.hanging = {HOOK}
        try:
            hanging = _queued(notified.store, "clinic-a", HOOK, 12, graph.clock())
            (other,) = _queued(notified.store, "clinic-b", OTHER_HOOK, 1, graph.clock())
            started = time.monotonic()
            delivery = notified.service.sweep()
            assert time.monotonic() - started < 2.0  # twelve sends of 0.2 s, eight at a time: never 12 x the hang
            assert notified.chat.sent == [other]
            assert (delivery.sent, delivery.failed) == (1, 12)
            for notice in hanging:  # marked failed at their deadline, the attempt counted, due again in a minute
                stored = notified.store.notices[(notice.subject_id, notice.event_key, "chat", notice.recipient_id)]
                assert (stored.state, stored.attempts) == (NoticeState.PENDING, 1)
                assert stored.next_attempt_at == graph.clock() + RETRY_EVERY
        finally:
            notified.chat.release.set()

    def test_a_delivery_past_its_deadline_is_marked_failed_and_retried_by_the_next_sweep(self) -> None:
        graph = build_graph()
        notified = Notified(graph, delivery_deadline=0.2)
        notified.chat.hanging = {HOOK}
        try:
            (notice,) = _queued(notified.store, "clinic-a", HOOK, 1, graph.clock())
            assert notified.service.sweep().failed == 1
            notified.chat.hanging = set()  # the webhook answers again
            assert notified.service.sweep().sent == 0  # not due before a minute
            graph.clock.now += RETRY_EVERY
            assert notified.service.sweep().sent == 1
            stored = notified.store.notices[(notice.subject_id, notice.event_key, "chat", notice.recipient_id)]
            assert (stored.state, stored.attempts) == (NoticeState.SENT, 2)
        finally:
            notified.chat.release.set()

    def test_a_notice_whose_deliverer_died_while_sending_is_retried_once_its_lease_expires(self) -> None:
        graph = build_graph()
        notified = Notified(graph)
        (notice,) = _queued(notified.store, "clinic-a", HOOK, 1, graph.clock())
        assert notified.store.claim(notice, graph.clock(), LEASE) is not None  # a run killed at its timeout
        assert notified.service.sweep().sent == 0  # leased: nobody else sends it meanwhile
        graph.clock.now += LEASE
        assert notified.service.sweep().sent == 1
        stored = notified.store.notices[(notice.subject_id, notice.event_key, "chat", notice.recipient_id)]
        assert (stored.state, stored.attempts) == (NoticeState.SENT, 2)  # the lost attempt counts as a failure

    def test_ten_thousand_queued_notices_of_one_clinic_do_not_hold_up_another_clinics_one(self) -> None:
        graph = build_graph()
        notified = Notified(graph)
        graph.configure("clinic-b", notifications={"webhookUrl": OTHER_HOOK})
        notified.chat.dead = {HOOK}
        _queued(notified.store, "clinic-a", HOOK, 10_000, graph.clock())
        (other,) = _queued(notified.store, "clinic-b", OTHER_HOOK, 1, graph.clock())
        delivery = notified.service.sweep()
        assert notified.chat.sent == [other]
        assert delivery.sent + delivery.failed <= SWEEP_BATCH  # a bounded batch, whatever is waiting

    def test_a_run_out_of_time_leaves_the_rest_for_the_next_runs_each_sent_once(self) -> None:
        graph = build_graph()
        notified = Notified(graph)
        clinics = self.clinics_with_one_notice(graph, notified)
        first = notified.service.sweep(_budget(5))
        assert 0 < first.sent < len(clinics)
        while notified.service.sweep(_budget(5)).sent:
            pass
        assert sorted(notice.clinic_id or "" for notice in notified.chat.sent) == clinics

    def test_the_next_sweep_starts_after_the_clinic_where_the_last_one_stopped(self) -> None:
        graph = build_graph()
        notified = Notified(graph)
        clinics = self.clinics_with_one_notice(graph, notified)
        notified.chat.dead = {f"https://hooks.slack.com/services/T0/B0/{clinic_id}" for clinic_id in clinics}
        for _ in range(len(clinics)):  # every webhook dead: each run's time is spent on the first clinics it takes
            notified.service.sweep(_budget(5))
            graph.clock.now += RETRY_EVERY
        attempts = {stored.notice.clinic_id: stored.attempts for stored in notified.store.notices.values()}
        assert min(attempts.values()) >= 1  # every clinic had its turn, not only the first few in order

    @staticmethod
    def clinics_with_one_notice(graph: Graph, notified: Notified) -> list[str]:
        clinics = [f"clinic-{index:02}" for index in range(12)]
        for clinic_id in clinics:
            hook = f"https://hooks.slack.com/services/T0/B0/{clinic_id}"
            graph.configure(clinic_id, notifications={"webhookUrl": hook})
            _queued(notified.store, clinic_id, hook, 1, graph.clock())
        return clinics


class TestEmailRateLimits:
    def test_the_clinic_hourly_limit_holds_under_repeated_events_and_held_emails_go_in_the_next_window(self) -> None:
        graph = build_graph()
        notified = Notified(graph)
        notified.email_limits.per_clinic_hour = 5
        for minute in range(10):  # the account's breaker opening ten times within the hour
            notified.service.occurred(breaker_occurrence(f"2026-11-23T17:3{minute}:00Z", None))
        clinic_emails = [notice for notice in notified.email.sent if notice.clinic_id == "clinic-a"]
        assert len(clinic_emails) == 5
        assert len([notice for notice in notified.email.sent if notice.clinic_id is None]) == 10  # the operators'
        assert len(notified.chat.sent) == 10  # a webhook is the clinic's own endpoint: no e-mail limit
        assert notified.service.sweep().sent == 0  # held until the hour ends, not retried every minute
        for _ in range(3):
            graph.clock.now += timedelta(hours=1)
            assert notified.service.sweep().sent == 5
        clinic_emails = [notice for notice in notified.email.sent if notice.clinic_id == "clinic-a"]
        assert len(clinic_emails) == 20  # every one sent once: held, never lost
        assert len({(notice.event_key, notice.to) for notice in clinic_emails}) == 20

    def test_one_recipient_gets_at_most_the_daily_limit(self) -> None:
        graph = build_graph()
        notified = Notified(graph, emails=["vet@clinic.example"])
        notified.email_limits.per_recipient_day = 3
        for minute in range(8):
            notified.service.occurred(breaker_occurrence(f"2026-11-23T17:3{minute}:00Z", None))
        assert len([notice for notice in notified.email.sent if notice.clinic_id == "clinic-a"]) == 3
        graph.clock.now += timedelta(hours=2)
        assert notified.service.sweep().sent == 0
        held = [stored for stored in notified.store.notices.values() if stored.state == NoticeState.PENDING]
        assert len(held) == 5
        assert all(stored.attempts == 0 for stored in held)  # a hold is no failed attempt

    def test_a_held_email_is_not_given_up_for_the_wait(self) -> None:
        graph = build_graph()
        notified = Notified(graph, emails=["vet@clinic.example"], webhookUrl=None)
        notified.email_limits.per_recipient_day = 1
        for minute in range(3):
            notified.service.occurred(breaker_occurrence(f"2026-11-23T17:3{minute}:00Z", None))
        for _ in range(3):
            graph.clock.now += timedelta(days=1)
            notified.service.sweep()
        assert len([notice for notice in notified.email.sent if notice.clinic_id == "clinic-a"]) == 3


def test_with_allowed_domains_a_clinic_is_never_emailed_outside_them() -> None:
    graph = build_graph()
    emails = ["vet@clinic.example", "desk@branch.clinic.example", "victim@elsewhere.example", "x@notclinic.example"]
    notified = Notified(graph, email_domains="Clinic.example", emails=emails)
    call = graph.dialed_call()
    notified.webhook(call.call_id, "call_ended", "dial_failed")
    assert sorted(notice.to for notice in notified.email.sent) == ["desk@branch.clinic.example", "vet@clinic.example"]
    assert len(notified.chat.sent) == 1
    notified.service.occurred(breaker_occurrence("2026-11-23T17:30:00Z", None))
    assert "ops@example.com" in {notice.to for notice in notified.email.sent}  # the deployment's own operators


class TestDigestAcrossRuns:
    def test_the_digest_over_many_clinics_completes_across_runs_each_once(self) -> None:
        graph = build_graph()  # Monday 09:30 in Los Angeles
        notified = Notified(graph, digestHour=8)
        clinics = ["clinic-a", *(f"clinic-{index:02}" for index in range(24))]
        for clinic_id in clinics[1:]:
            graph.configure(clinic_id, notifications={"emails": ["vet@clinic.example"], "digestHour": 8})
            graph.schedule(Principal(user_id=f"admin-{clinic_id}", clinic_id=clinic_id, is_admin=True))
        graph.dialed_call()
        graph.clock.now += timedelta(hours=22, minutes=35)  # Tuesday 08:05 local
        runs = [notified.service.digests(_budget(6))]
        assert 0 < runs[0].recorded < len(clinics) + 2
        while len(runs) < 40 and (runs[-1].recorded or len(runs) == 1):
            graph.clock.now += timedelta(minutes=10)
            runs.append(notified.service.digests(_budget(6)))
        digests = [notice for notice in notified.email.sent if notice.event == "daily_digest"]
        assert sorted({notice.clinic_id or "" for notice in digests}) == sorted(clinics)
        assert len(digests) == len(clinics) + 1  # clinic-a has two addresses; each clinic and address once
        assert len(runs) > 2

    def test_a_walk_not_done_within_its_hour_is_finished_in_the_next_hour(self) -> None:
        graph = build_graph()
        notified = Notified(graph, digestHour=8)
        for index in range(6):
            clinic_id = f"clinic-{index:02}"
            graph.configure(clinic_id, notifications={"emails": ["vet@clinic.example"], "digestHour": 8})
            graph.schedule(Principal(user_id=f"admin-{clinic_id}", clinic_id=clinic_id, is_admin=True))
        graph.clock.now += timedelta(hours=22, minutes=35)  # Tuesday 08:05 local
        first = notified.service.digests(_budget(3))
        graph.clock.now += timedelta(hours=1)  # 09:05 local: no clinic's hour, but the 08:00 walk is unfinished
        second = notified.service.digests()
        assert first.recorded + second.recorded == 6
        assert first.recorded < 6
        graph.clock.now += timedelta(minutes=10)
        assert notified.service.digests().recorded == 0


def test_the_ses_client_has_timeouts_and_bounded_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.bootstrap.notices import ses_client

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    config = ses_client()._client_config
    assert (config.connect_timeout, config.read_timeout) == (2, 5)
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}
