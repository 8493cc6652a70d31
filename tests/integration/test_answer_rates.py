"""Answer rates and best time through the real handlers (moto, the simulated Retell over HTTP, IAM checked):
dials counted as the lifecycle ends them, ``GET /clinic/answer-rates``, a call scheduled with a ``window`` and its
refusals, and a retry moved to a likelier hour by the webhook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.dal.table_design import TTL_ATTRIBUTE
from tests.conftest import TABLE, ApiClient
from tests.support.lifecycle import Stand

MONDAY_0930_LA = "2026-11-23T17:30:00Z"


def counts_items(stand: Stand, partition: str) -> list[dict[str, Any]]:
    answer = stand.aws.dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": partition}},
    )
    return list(answer["Items"])


class TestCountedAsDialsEnd:
    def test_the_lifecycle_counts_each_dial_once_at_the_owners_hour(self, stand: Stand) -> None:
        answered = stand.schedule(phoneNumber="+14155550100", scheduledFor=MONDAY_0930_LA)
        voicemail = stand.schedule(phoneNumber="+14155550104", scheduledFor=MONDAY_0930_LA)
        failed = stand.schedule(phoneNumber="+14155550103", scheduledFor=MONDAY_0930_LA)  # rings nobody
        for call in (answered, voicemail, failed):
            stand.run_to_the_end(call["callId"])
        assert stand.sim.flush() == []  # nothing left to deliver

        response = stand.api.as_("clinic-a", role="staff").get("/clinic/answer-rates")

        assert response.status == 200, response.text
        assert response.data == {
            "days": 90,
            "timezoneBasis": "owner",
            "cells": [{"weekday": "mon", "hour": 9, "dials": 2, "answered": 1}],
            "best": [],  # fewer than 5 dials
        }
        (clinic_day,) = counts_items(stand, "ANSWERS#clinic-a")
        (every_clinics_day,) = counts_items(stand, "ANSWERS")
        assert clinic_day["sk"] == {"S": "DAY#2026-11-23"}
        assert (clinic_day["d009"], clinic_day["a009"]) == ({"N": "2"}, {"N": "1"})
        assert every_clinics_day["d009"] == {"N": "2"}
        expires = datetime.fromtimestamp(int(clinic_day[TTL_ATTRIBUTE]["N"]), UTC)
        assert timedelta(days=365) < expires - datetime(2026, 11, 23, tzinfo=UTC) < timedelta(days=410)

    def test_the_reconciler_counts_an_end_whose_webhooks_were_lost(self, stand: Stand) -> None:
        call = stand.schedule(phoneNumber="+14155550108", scheduledFor=MONDAY_0930_LA)  # no webhook ever
        stand.advance_and_fire()
        stand.clock.advance(minutes=20)
        stand.invoke("reconcile", {"source": "aws.events", "detail-type": "Scheduled Event"})
        assert stand.call(call["callId"])["status"] == "completed"
        cells = stand.api.get("/clinic/answer-rates").data["cells"]
        assert cells == [{"weekday": "mon", "hour": 9, "dials": 1, "answered": 1}]

    @pytest.mark.parametrize("days", ["6", "366", "x"])
    def test_days_outside_7_to_365_are_a_422(self, api: ApiClient, days: str) -> None:
        response = api.get("/clinic/answer-rates", query={"days": days})
        assert response.status == 422, response.text


def answered_at_two(stand: Stand) -> None:
    """Three owners answer on Monday at 14:00 in Los Angeles."""
    for index in range(3):
        stand.clock.now = datetime(2026, 11, 23, 22, index, tzinfo=UTC)
        call = stand.schedule(phoneNumber=f"+141555501{30 + index}")
        stand.run_to_the_end(call["callId"])


def window(start: str, end: str) -> dict[str, Any]:
    return {"window": {"from": start, "to": end}}


class TestScheduleWithAWindow:
    def test_a_window_is_a_201_with_the_choice_on_the_call(self, stand: Stand) -> None:
        # Monday 08:00 in Los Angeles: nothing counted yet, so the earliest open time, 09:00
        call = stand.schedule(**window("2026-11-23T16:00:00Z", "2026-11-24T16:00:00Z"))
        assert call["scheduledFor"] == "2026-11-23T17:00:00Z"
        assert call["chosen"] == {"reason": "earliest_open", "expectedAnswerRate": 0.5}
        assert call["rescheduled"] is False
        assert stand.call(call["callId"])["chosen"] == call["chosen"]

    def test_counts_move_the_next_window_to_the_owners_best_hour(self, stand: Stand) -> None:
        answered_at_two(stand)
        stand.clock.now = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # the next Monday, 08:00
        call = stand.schedule(**window("2026-11-30T16:00:00Z", "2026-12-01T01:00:00Z"))
        assert call["scheduledFor"] == "2026-11-30T22:00:00Z"  # 14:00, where the three answered
        assert call["chosen"]["reason"] == "best_answer_rate"
        assert call["chosen"]["expectedAnswerRate"] > 0.5

    @pytest.mark.parametrize(
        ("body", "words"),
        [
            (
                {"scheduledFor": "2026-11-24T18:00:00Z", **window("2026-11-24T17:00:00Z", "2026-11-25T17:00:00Z")},
                "not both",
            ),
            (window("2026-11-24T17:00:00Z", "2026-12-02T17:00:00Z"), "at most 7 days"),
            (window("2026-11-24T17:00:00Z", "2026-11-24T16:00:00Z"), "must be after"),
            (window("2026-11-22T17:00:00Z", "2026-11-24T17:00:00Z"), "in the past"),
        ],
    )
    def test_invalid_windows_are_a_422_that_says_why(self, api: ApiClient, body: dict[str, Any], words: str) -> None:
        response = api.post("/calls/schedule", {**_luna(), **body})
        assert response.status == 422, response.text
        assert words in response.text


def _luna() -> dict[str, Any]:
    from tests.support.graph import SPAY_FOLLOW_UP

    return dict(SPAY_FOLLOW_UP)


def test_a_retry_after_no_answer_moves_to_a_likelier_hour_when_the_clinic_asks(stand: Stand) -> None:
    settings = stand.api.get("/clinic/settings").data
    settings["retry"] = {**settings["retry"], "moveToBestHour": True}
    assert stand.api.put("/clinic/settings", settings).status == 200
    answered_at_two(stand)
    stand.clock.now = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)  # back to 09:30: a call that is not answered
    call = stand.schedule(phoneNumber="+14155550101", scheduledFor=MONDAY_0930_LA)
    stand.advance_and_fire()
    assert all(status == 204 for status in stand.sim.flush())
    retry = stand.call(call["callId"])
    assert retry["attempt"] == 2
    assert retry["scheduledFor"] == "2026-11-23T22:00:00Z"  # 14:00, not 09:35
    assert "moved to an hour where owners answer more" in retry["statusReason"]
