"""Notices and the follow-up worklist through the local stack: the API and webhook handlers behind the local
gateway, moto (the table and its stream as synthesized, SES with the sender verified), the simulated Retell over
real HTTP, and the notices function fed by the table's stream. Each event is sent exactly once per recipient, also
when webhooks repeat or two reconcilers race; a channel that is down for a while delivers later, once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest

from shared.dal.email_rate_limits import DynamoEmailRateLimits
from shared.dal.notices import NoticeRepository
from shared.logic.notices import RETRY_EVERY, SWEEP_BATCH, recipient_id
from shared.logic.ports import Notice
from standins.aws_stand_ins import REGION
from standins.event_filters import notices_stream_filters
from standins.iam_harness import acting_as
from standins.stream_feed import StreamFeed
from tests.conftest import TABLE
from tests.support.lifecycle import Stand, streams_client

MONDAY_0930_LA = "2026-11-23T17:30:00Z"
EMAILS = ["vet@clinic.example", "desk@clinic.example"]
HOOK = "https://hooks.slack.com/services/T0/B0/local"
WORKLIST = {"needsFollowUp": "true"}
PET_WORSE, CALLBACK, ANSWERS, DIAL_FAILED = "+14155550112", "+14155550113", "+14155550100", "+14155550103"


def tell(stand: Stand, **notifications: Any) -> None:
    settings = stand.api.get("/clinic/settings").data
    settings["notifications"] = {"emails": EMAILS, "webhookUrl": HOOK, **notifications}
    response = stand.api.put("/clinic/settings", settings)
    assert response.status == 200, response.text


def sent(stand: Stand) -> Counter[tuple[str, str, str]]:
    return Counter((entry["callId"], entry["event"], entry["channel"]) for entry in stand.outbox())


def ses_sent() -> int:
    return int(boto3.client("ses", region_name=REGION).get_send_quota()["SentLast24Hours"])


def finish(stand: Stand, number: str) -> dict[str, Any]:
    """A call to ``number`` scheduled for now (Monday 09:30 in Los Angeles at first), run to its end."""
    when = max(stand.clock.now, datetime.fromisoformat(MONDAY_0930_LA.replace("Z", "+00:00")))
    call = stand.schedule(phoneNumber=number, scheduledFor=when.isoformat())
    return stand.run_to_the_end(call["callId"])


@pytest.mark.parametrize(
    ("number", "event", "reasons"),
    [
        (PET_WORSE, "needs_follow_up", ["pet_worse", "owner_concern", "call_unsuccessful"]),
        (CALLBACK, "needs_follow_up", ["callback_requested", "call_unsuccessful"]),
        (DIAL_FAILED, "call_failed", ["call_failed"]),
    ],
)
def test_each_event_is_told_once_per_recipient(stand: Stand, number: str, event: str, reasons: list[str]) -> None:
    tell(stand)
    final = finish(stand, number)
    assert final["needsFollowUp"] is True
    assert final["followUpReasons"] == reasons
    assert stand.feed_stream() > 0
    call_id = final["callId"]
    assert sent(stand) == {(call_id, event, "email"): 2, (call_id, event, "chat"): 1}
    assert ses_sent() == 2  # handed to (moto's) SES, from the verified sender
    entry = stand.outbox()[0]
    assert set(entry) == {"channel", "to", "subject", "callId", "event", "sentAt"}
    assert entry["sentAt"].endswith("Z")
    assert "Luna" in entry["subject"]
    chat = stand.functions.outbox.chat[0]
    assert number not in chat.text
    assert f"/calls/{call_id}" in chat.text


def test_a_good_call_tells_nobody(stand: Stand) -> None:
    tell(stand)
    final = finish(stand, ANSWERS)
    assert final["needsFollowUp"] is False
    stand.feed_stream()
    assert stand.outbox() == []


def test_repeated_webhooks_and_stream_records_tell_once(stand: Stand) -> None:
    tell(stand)
    call = stand.schedule(phoneNumber=PET_WORSE, scheduledFor=MONDAY_0930_LA)
    stand.advance_and_fire()
    webhooks = stand.sim.take_pending()
    for webhook in webhooks + webhooks + list(reversed(webhooks)):  # Retell's retries, out of order too
        assert stand.sim.deliver(webhook.body, url=webhook.url) == 204
    stand.feed_stream()
    stand.stream = StreamFeed(
        stand.aws.dynamodb, streams_client(), TABLE, filters=notices_stream_filters()
    )  # read again from the start
    stand.feed_stream()
    assert sent(stand) == {
        (call["callId"], "needs_follow_up", "email"): 2,
        (call["callId"], "needs_follow_up", "chat"): 1,
    }


def test_concurrent_reconcilers_tell_once(stand: Stand) -> None:
    tell(stand)
    call = stand.schedule(phoneNumber=PET_WORSE, scheduledFor=MONDAY_0930_LA)
    stand.advance_and_fire()
    assert stand.sim.take_pending()  # every webhook lost: the reconcilers find out from Retell
    stand.clock.now += timedelta(minutes=5)
    runs = [threading.Thread(target=lambda: stand.invoke("reconcile", {"source": "aws.events"})) for _ in range(3)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert stand.call(call["callId"])["needsFollowUp"] is True
    feeds = [threading.Thread(target=stand.feed_stream) for _ in range(2)]
    for feed in feeds:
        feed.start()
    for feed in feeds:
        feed.join()
    stand.feed_stream()
    assert sum(sent(stand).values()) == 3


def test_a_chat_webhook_down_for_a_while_delivers_later_once(stand: Stand) -> None:
    tell(stand)
    stand.functions.outbox.chat_down = True
    final = finish(stand, DIAL_FAILED)
    stand.feed_stream()
    assert sent(stand) == {(final["callId"], "call_failed", "email"): 2}
    for _ in range(3):  # the sweep every minute, while the webhook is still down
        stand.clock.now += RETRY_EVERY
        assert stand.invoke("notices", {"action": "sweep"})["sent"] == 0
    stand.functions.outbox.chat_down = False
    stand.clock.now += RETRY_EVERY
    assert stand.invoke("notices", {"action": "sweep"})["sent"] == 1
    stand.clock.now += RETRY_EVERY
    assert stand.invoke("notices", {"action": "sweep"})["sent"] == 0
    assert sent(stand) == {(final["callId"], "call_failed", "email"): 2, (final["callId"], "call_failed", "chat"): 1}


def test_the_daily_digest_goes_once_at_the_clinic_hour(stand: Stand) -> None:
    tell(stand, digestHour=8)
    finish(stand, CALLBACK)
    finish(stand, ANSWERS)
    stand.feed_stream()
    before = len(stand.outbox())
    stand.clock.now = stand.clock.now.replace(hour=16, minute=5) + timedelta(days=1)  # Tuesday 08:05 in LA
    assert stand.invoke("notices", {"action": "digest"})["sent"] == 3
    assert stand.invoke("notices", {"action": "digest"})["sent"] == 0
    digests = [entry for entry in stand.outbox()[before:] if entry["event"] == "daily_digest"]
    assert len(digests) == 3
    assert "2 follow-up calls" in digests[0]["subject"]


class TestWorklist:
    def test_flagged_calls_newest_first_then_marked_done_with_a_note(self, stand: Stand) -> None:
        first = finish(stand, PET_WORSE)
        stand.clock.now += timedelta(minutes=10)
        second = finish(stand, CALLBACK)
        finish(stand, ANSWERS)
        staff = stand.api.as_("clinic-a", role="staff", user="nurse-1")  # any member, not only admins
        page = staff.get("/calls", query=WORKLIST).data
        assert [item["callId"] for item in page["items"]] == [second["callId"], first["callId"]]
        done = staff.post(f"/calls/{first['callId']}/follow-up", {"note": "Called back; vet sees Luna today"})
        assert done.status == 200, done.text
        assert done.data["needsFollowUp"] is False
        assert done.data["followUp"]["note"] == "Called back; vet sees Luna today"
        assert done.data["followUp"]["resolvedAt"].endswith("Z")
        assert done.data["followUp"]["resolvedBy"] == "nurse-1"
        assert [item["callId"] for item in staff.get("/calls", query=WORKLIST).data["items"]] == [second["callId"]]
        again = staff.post(f"/calls/{first['callId']}/follow-up", {"note": "twice"})
        assert (again.status, again.error["code"]) == (409, "no_follow_up_needed")

    def test_the_worklist_is_not_combined_with_other_filters(self, stand: Stand) -> None:
        response = stand.api.get("/calls", query={**WORKLIST, "status": "completed"})
        assert (response.status, response.error["code"]) == (422, "validation_error")
        assert response.error["details"] == [{"location": "query", "field": "status"}]

    def test_a_note_too_long_or_an_unknown_field_is_refused(self, stand: Stand) -> None:
        final = finish(stand, CALLBACK)
        for body in ({"note": "x" * 2001}, {"note": "ok", "extra": 1}):
            response = stand.api.post(f"/calls/{final['callId']}/follow-up", body)
            assert (response.status, response.error["code"]) == (422, "validation_error")


OTHER_HOOK = "https://hooks.slack.com/services/T1/B1/other"


def _queued(clinic_id: str, to: str, count: int, now: datetime) -> None:
    """``count`` notices of ``clinic_id`` to the chat webhook ``to``, recorded in the table (due now)."""
    with acting_as("notices"):
        repository = NoticeRepository(boto3.client("dynamodb", region_name=REGION), TABLE)
    for index in range(count):
        notice = Notice(
            subject_id=f"{clinic_id}-call{index}",
            event_key=f"call_failed-{index}",
            event="call_failed",
            clinic_id=clinic_id,
            call_id=f"{clinic_id}-call{index}",
            channel="chat",
            to=to,
            recipient_id=recipient_id(f"chat:{to}"),
            subject="A call failed",
            text="A call failed",
            html="",
            created_at=now,
        )
        assert repository.record(notice, now)


def test_one_clinics_backlog_to_a_dead_webhook_does_not_hold_up_another_clinics_notice(stand: Stand) -> None:
    tell(stand)
    other = stand.api.as_("clinic-b")
    settings = other.get("/clinic/settings").data
    settings["notifications"] = {"emails": [], "webhookUrl": OTHER_HOOK}
    assert other.put("/clinic/settings", settings).status == 200
    stand.functions.outbox.dead_webhooks = {HOOK}
    _queued("clinic-a", HOOK, 150, stand.clock.now)  # older than the other clinic's: first in time order
    stand.clock.now += timedelta(seconds=1)
    _queued("clinic-b", OTHER_HOOK, 1, stand.clock.now)
    answer = stand.invoke("notices", {"action": "sweep"})
    assert answer["sent"] == 1
    assert answer["sent"] + answer["failed"] <= SWEEP_BATCH
    assert [notice.clinic_id for notice in stand.functions.outbox.chat] == ["clinic-b"]


def test_the_email_rate_limits_count_atomically_in_the_table(stand: Stand) -> None:
    with acting_as("notices"):  # the function's own role: UpdateItem on the table is all the counters need
        limits = DynamoEmailRateLimits(
            boto3.client("dynamodb", region_name=REGION), TABLE, per_clinic_hour=5, per_recipient_day=30
        )
    now = datetime.fromisoformat(MONDAY_0930_LA.replace("Z", "+00:00"))
    answers: list[datetime | None] = []

    def take(index: int) -> None:
        answers.append(limits.take("clinic-a", f"recipient{index % 3}", now))

    runs = [threading.Thread(target=take, args=(index,)) for index in range(20)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert answers.count(None) == 5  # concurrent deliverers never pass the limit together
    assert set(answers) - {None} == {now.replace(minute=0) + timedelta(hours=1)}  # held until the hour ends
    counters = [item for item in stand.aws.items() if item["pk"] == "EMAILS#clinic-a"]
    assert all(item["expiresAt"] > now.timestamp() for item in counters)  # TTL'd
    assert limits.take("clinic-a", "recipient0", now + timedelta(hours=1)) is None  # the next hour's window

    with acting_as("notices"):
        per_recipient = DynamoEmailRateLimits(
            boto3.client("dynamodb", region_name=REGION), TABLE, per_clinic_hour=100, per_recipient_day=2
        )
    day = now + timedelta(hours=3)
    tomorrow = day.replace(hour=0, minute=0) + timedelta(days=1)
    assert [per_recipient.take("clinic-a", "vet", day) for _ in range(3)] == [None, None, tomorrow]
