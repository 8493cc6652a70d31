"""The calls API end to end: API Gateway v2 events into the schedule handler, against moto's DynamoDB and Scheduler
(the table built from the synthesized CDK template)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import GROUP, ApiClient, AwsStandIns, FrozenClock

LUNA: dict[str, Any] = {
    "phoneNumber": "(415) 555-0100",
    "petName": "Luna",
    "ownerName": "Sarah Johnson",
    "vetName": "Dr. Smith",
    "clinicName": "Paws & Claws",
    "clinicPhone": "+14155559876",
    "dischargeSummary": "Post-op instructions: rest for 7 days.",
    "notes": "Follow-up on surgery",
    "metadata": {"source": "idexx_neo", "consultation_id": "12345", "provider_id": 1004},
    "consent": {"given": True, "method": "verbal_at_discharge"},
}
TUESDAY_9AM_LA = "2026-12-01T17:00:00Z"


def schedule(api: ApiClient, **overrides: Any) -> dict[str, Any]:
    response = api.post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA, **overrides})
    assert response.status == 201, response.text
    return dict(response.data)


def schedule_again(api: ApiClient) -> Any:
    return api.post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA})


def stored_schedule_name(aws: AwsStandIns, call_id: str) -> str:
    (item,) = [i for i in aws.items() if i["pk"] == f"CALL#{call_id}"]
    return f"call-{call_id}-a{item['attempt']}-{item['scheduleToken']}"


class TestScheduling:
    def test_a_call_in_business_hours_is_stored_and_gets_a_one_shot_schedule(
        self, api: ApiClient, aws: AwsStandIns
    ) -> None:
        call = schedule(api)

        assert call["status"] == "scheduled"
        assert call["phoneNumber"] == "+14155550100"
        assert call["scheduledFor"] == call["requestedFor"] == TUESDAY_9AM_LA
        assert call["rescheduled"] is False
        assert call["attempt"] == 1
        assert call["maxAttempts"] == 4
        assert call["timezone"] == "America/Los_Angeles"
        assert call["createdBy"] == "user-1"
        (item,) = [i for i in aws.items() if i["sk"] == "CALL"]
        assert item["pk"] == f"CALL#{call['callId']}"
        assert item["gsi1pk"] == "CLINIC#clinic-a"
        assert item["gsi1sk"] == f"{TUESDAY_9AM_LA}#{call['callId']}"
        assert item["version"] == 1
        (sched,) = aws.schedules()
        assert sched["Name"] == f"call-{call['callId']}-a1-{item['scheduleToken']}"
        assert len(sched["Name"]) <= 64
        assert sched["GroupName"] == GROUP
        assert sched["ScheduleExpression"] == "at(2026-12-01T17:00:00)"
        assert sched["ScheduleExpressionTimezone"] == "UTC"
        assert sched["FlexibleTimeWindow"] == {"Mode": "OFF"}
        assert sched["ActionAfterCompletion"] == "DELETE"
        assert sched["Target"]["DeadLetterConfig"]["Arn"] == aws.dlq_arn
        assert sched["Target"]["RetryPolicy"]["MaximumRetryAttempts"] > 0
        assert json.loads(sched["Target"]["Input"]) == {
            "callId": call["callId"],
            "clinicId": "clinic-a",
            "attempt": 1,
            "token": item["scheduleToken"],
            "scheduledTime": "<aws.scheduler.scheduled-time>",
        }

    def test_any_offset_is_accepted_and_utc_returned(self, api: ApiClient) -> None:
        call = schedule(api, scheduledFor="2026-12-01T12:00:00-05:00")
        assert call["scheduledFor"] == TUESDAY_9AM_LA

    def test_no_time_while_open_fires_about_a_minute_later(
        self, api: ApiClient, aws: AwsStandIns, clock: FrozenClock
    ) -> None:
        clock.advance(hours=2)  # 10:00 in LA
        response = api.post("/calls/schedule", LUNA)
        assert response.data["scheduledFor"] == "2026-11-23T18:00:00Z"
        assert response.data["rescheduled"] is False
        (sched,) = aws.schedules()
        assert sched["ScheduleExpression"] == "at(2026-11-23T18:01:00)"

    def test_the_clinic_settings_decide_the_hours(self, api: ApiClient) -> None:
        settings = api.get("/clinic/settings").data
        settings["timezone"] = "America/New_York"
        assert api.put("/clinic/settings", settings).status == 200
        # 08:30 in New York, for an owner in New York (one in Los Angeles would wait until 08:00 their time)
        call = schedule(api, scheduledFor="2026-12-01T13:30:00Z", phoneNumber="+12125550100")
        assert call["scheduledFor"] == "2026-12-01T14:00:00Z"
        assert (call["ownerTimezone"], call["ownerLocalTime"]) == (None, None)  # the owner's clock is the clinic's
        later = schedule(api, scheduledFor="2026-12-01T13:30:00Z", metadata={"consultation_id": "la-owner"})
        assert later["scheduledFor"] == "2026-12-01T16:00:00Z"  # 08:00 in Los Angeles
        assert (later["rescheduled"], later["ownerTimezone"]) == (True, "America/Los_Angeles")
        assert later["ownerLocalTime"] == "2026-12-01T08:00:00-08:00"
        assert call["timezone"] == "America/New_York"

    def test_duplicate_active_consultation_is_a_conflict_until_the_first_is_cancelled(
        self, api: ApiClient, aws: AwsStandIns
    ) -> None:
        first = schedule(api)
        again = api.post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA})
        assert again.status == 409
        assert again.error["code"] == "duplicate_consultation"
        assert again.error["details"][0]["callId"] == first["callId"]
        assert len(aws.schedules()) == 1  # the loser's schedule was removed
        assert api.post(f"/calls/{first['callId']}/cancel").status == 200
        assert schedule(api)["callId"] != first["callId"]

    def test_same_consultation_in_another_clinic_is_not_a_duplicate(self, api: ApiClient) -> None:
        schedule(api)
        schedule(api.as_("clinic-b"))

    def test_idempotency_key_replays_the_first_answer_and_creates_nothing(
        self, api: ApiClient, aws: AwsStandIns, clock: FrozenClock
    ) -> None:
        headers = {"Idempotency-Key": "ext-5b1c"}
        first = api.post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA}, headers=headers)
        clock.advance(minutes=3)
        second = api.post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA}, headers=headers)
        assert first.status == second.status == 201
        assert second.json == first.json
        assert second.headers.get("Idempotent-Replayed") == "true"
        assert len([i for i in aws.items() if i["sk"] == "CALL"]) == 1
        assert len(aws.schedules()) == 1

    def test_idempotency_keys_are_per_clinic(self, api: ApiClient) -> None:
        headers = {"Idempotency-Key": "same-key"}
        a = api.post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA}, headers=headers)
        b = api.as_("clinic-b").post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA}, headers=headers)
        assert a.data["callId"] != b.data["callId"]
        assert b.data["clinicId"] == "clinic-b"

    def test_a_failed_database_write_removes_the_schedule_it_placed(
        self, api: ApiClient, aws: AwsStandIns, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from shared.dal.call_repository import CallRepository

        def fail(*_: Any, **__: Any) -> None:
            raise RuntimeError("DynamoDB unavailable")

        monkeypatch.setattr(CallRepository, "create", fail)
        response = api.post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA})
        assert response.status == 500
        assert response.error["code"] == "internal_error"
        assert "DynamoDB" not in response.text
        assert aws.schedules() == []


class TestListing:
    def test_lists_the_clinics_calls_by_time_with_pagination(self, api: ApiClient) -> None:
        times = ["2026-12-03T17:00:00Z", "2026-12-01T18:00:00Z", "2026-12-02T19:00:00Z", "2026-12-01T17:30:00Z"]
        for index, when in enumerate(times):
            schedule(api, scheduledFor=when, metadata={"consultation_id": str(index)})
        schedule(api.as_("clinic-b"), metadata={"consultation_id": "b"})

        page1 = api.get("/calls", query={"limit": "3"}).data
        assert [c["scheduledFor"] for c in page1["items"]] == sorted(times)[:3]
        assert page1["nextToken"]
        page2 = api.get("/calls", query={"limit": "3", "nextToken": page1["nextToken"]}).data
        assert [c["scheduledFor"] for c in page2["items"]] == sorted(times)[3:]
        assert page2["nextToken"] is None
        assert {c["clinicId"] for c in page1["items"] + page2["items"]} == {"clinic-a"}

    def test_filters_by_status_and_time_range(self, api: ApiClient) -> None:
        a = schedule(api, scheduledFor="2026-12-01T17:00:00Z", metadata={"consultation_id": "a"})
        schedule(api, scheduledFor="2026-12-02T17:00:00Z", metadata={"consultation_id": "b"})
        schedule(api, scheduledFor="2026-12-03T17:00:00Z", metadata={"consultation_id": "c"})
        api.post(f"/calls/{a['callId']}/cancel")

        cancelled = api.get("/calls", query={"status": "cancelled"}).data["items"]
        assert [c["callId"] for c in cancelled] == [a["callId"]]
        both = api.get("/calls", query={"status": "scheduled,cancelled"}).data["items"]
        assert len(both) == 3
        ranged = api.get("/calls", query={"from": "2026-12-02T00:00:00Z", "to": "2026-12-02T23:59:59Z"}).data
        assert [c["scheduledFor"] for c in ranged["items"]] == ["2026-12-02T17:00:00Z"]

    def test_filtered_pages_are_full_when_enough_calls_match(self, api: ApiClient) -> None:
        ids = [
            schedule(api, scheduledFor=f"2026-12-0{d}T17:00:00Z", metadata={"consultation_id": str(d)})
            for d in range(1, 8)
        ]
        for call in ids[::2]:
            api.post(f"/calls/{call['callId']}/cancel")
        page = api.get("/calls", query={"status": "scheduled", "limit": "2"}).data
        assert [c["callId"] for c in page["items"]] == [ids[1]["callId"], ids[3]["callId"]]
        rest = api.get("/calls", query={"status": "scheduled", "limit": "2", "nextToken": page["nextToken"]}).data
        assert [c["callId"] for c in rest["items"]] == [ids[5]["callId"]]

    @pytest.mark.parametrize(
        ("query", "status", "code"),
        [
            ({"limit": "0"}, 422, "validation_error"),
            ({"limit": "101"}, 422, "validation_error"),
            ({"limit": "ten"}, 422, "validation_error"),
            ({"status": "ringing"}, 422, "validation_error"),
            ({"from": "yesterday"}, 422, "validation_error"),
            ({"from": "2026-12-01T00:00:00"}, 422, "validation_error"),
            ({"from": "2026-12-02T00:00:00Z", "to": "2026-12-01T00:00:00Z"}, 422, "validation_error"),
            ({"nextToken": "not-a-token"}, 400, "invalid_next_token"),
            ({"nextToken": "eyJwayI6MX0"}, 400, "invalid_next_token"),
        ],
    )
    def test_bad_queries_are_clean_client_errors(
        self, api: ApiClient, query: dict[str, str], status: int, code: str
    ) -> None:
        response = api.get("/calls", query=query)
        assert response.status == status, response.text
        assert response.error["code"] == code

    def test_a_token_from_another_clinic_is_refused(self, api: ApiClient) -> None:
        for index in range(3):
            schedule(api, metadata={"consultation_id": str(index)})
        token = api.get("/calls", query={"limit": "1"}).data["nextToken"]
        response = api.as_("clinic-b").get("/calls", query={"nextToken": token})
        assert response.status == 400
        assert response.error["code"] == "invalid_next_token"


class TestOneCall:
    def test_get_returns_the_call(self, api: ApiClient) -> None:
        call = schedule(api)
        assert api.get(f"/calls/{call['callId']}").data == call

    def test_unknown_and_foreign_calls_are_the_same_404(self, api: ApiClient) -> None:
        call = schedule(api)
        unknown = api.get("/calls/0123456789abcdef0123456789abcdef")
        foreign = api.as_("clinic-b").get(f"/calls/{call['callId']}")
        assert unknown.status == foreign.status == 404
        assert unknown.error["code"] == foreign.error["code"] == "call_not_found"
        for action in ("cancel", "call-now"):
            assert api.as_("clinic-b").post(f"/calls/{call['callId']}/{action}").status == 404
        assert api.as_("clinic-b").patch(f"/calls/{call['callId']}", {"notes": "x"}).status == 404


class TestChanging:
    def test_moving_a_call_replaces_its_schedule(self, api: ApiClient, aws: AwsStandIns) -> None:
        call = schedule(api)
        response = api.patch(f"/calls/{call['callId']}", {"scheduledFor": "2026-12-02T20:00:00Z"})
        assert response.status == 200, response.text
        moved = response.data
        assert moved["scheduledFor"] == "2026-12-02T20:00:00Z"
        (sched,) = aws.schedules()
        (item,) = [i for i in aws.items() if i["sk"] == "CALL"]
        assert sched["Name"] == f"call-{call['callId']}-a1-{item['scheduleToken']}"
        assert sched["ScheduleExpression"] == "at(2026-12-02T20:00:00)"
        assert json.loads(sched["Target"]["Input"])["token"] == item["scheduleToken"]
        listed = api.get("/calls").data["items"]
        assert [c["scheduledFor"] for c in listed] == ["2026-12-02T20:00:00Z"]

    def test_other_fields_change_without_touching_the_schedule(self, api: ApiClient, aws: AwsStandIns) -> None:
        call = schedule(api)
        changed = api.patch(
            f"/calls/{call['callId']}", {"phoneNumber": "415.555.0106", "notes": None, "dischargeSummary": "New"}
        ).data
        assert changed["phoneNumber"] == "+14155550106"
        assert changed["notes"] is None
        assert changed["dischargeSummary"] == "New"
        assert changed["petName"] == "Luna"
        assert [s["Name"] for s in aws.schedules()] == [stored_schedule_name(aws, call["callId"])]

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"phoneNumber": "555"},
            {"petName": ""},
            {"petName": None},
            {"scheduledFor": "next tuesday"},
            {"timezone": "Mars/Olympus_Mons"},
            {"status": "completed"},
            {"metadata": {"consultation_id": "999"}},
        ],
    )
    def test_bad_changes_are_refused_and_change_nothing(self, api: ApiClient, body: dict[str, Any]) -> None:
        call = schedule(api)
        response = api.patch(f"/calls/{call['callId']}", body)
        assert response.status == 422, response.text
        assert api.get(f"/calls/{call['callId']}").data == call


class TestCancelling:
    def test_cancel_removes_the_schedule_and_frees_the_consultation(self, api: ApiClient, aws: AwsStandIns) -> None:
        call = schedule(api)
        cancelled = api.post(f"/calls/{call['callId']}/cancel").data
        assert cancelled["status"] == "cancelled"
        assert aws.schedules() == []
        again = api.post(f"/calls/{call['callId']}/cancel")
        assert again.status == 409
        assert again.error["code"] == "invalid_state"
        # The consultation is free: a new call of it takes its lock over (the lock is never deleted, to save a
        # write per call).
        (lock,) = [i for i in aws.items() if i["sk"] == "LOCK"]
        assert lock["callId"] == call["callId"]
        renewed = schedule(api)
        (lock,) = [i for i in aws.items() if i["sk"] == "LOCK"]
        assert lock["callId"] == renewed["callId"] != call["callId"]
        assert schedule_again(api).status == 409  # and holds it while the new call is open

    def test_a_schedule_already_gone_is_not_an_error(self, api: ApiClient, aws: AwsStandIns) -> None:
        call = schedule(api)
        aws.scheduler.delete_schedule(Name=stored_schedule_name(aws, call["callId"]), GroupName=GROUP)
        assert api.post(f"/calls/{call['callId']}/cancel").status == 200


class TestConcurrentWriters:
    def test_a_writer_holding_a_stale_copy_loses(self, api: ApiClient, aws: AwsStandIns) -> None:
        from shared.models.errors import ConcurrentUpdate
        from shared.models.principal import Principal
        from shared.models.requests import UpdateCallRequest

        call = schedule(api)
        service = api.services.calls
        admin = Principal(user_id="u", clinic_id="clinic-a", is_admin=True)
        stale = service.get(admin, call["callId"])
        api.patch(f"/calls/{call['callId']}", {"notes": "first admin"})

        # the second admin's write is based on the copy read before the first admin's change
        original_get = service.get
        service.get = lambda *_: stale  # type: ignore[method-assign]
        try:
            with pytest.raises(ConcurrentUpdate):
                service.update(admin, call["callId"], UpdateCallRequest(notes="second admin"))
        finally:
            service.get = original_get  # type: ignore[method-assign]
        assert api.get(f"/calls/{call['callId']}").data["notes"] == "first admin"

    def test_two_admins_moving_a_call_at_once_never_leave_it_without_its_schedule(
        self, api: ApiClient, aws: AwsStandIns
    ) -> None:
        from shared.models.errors import ConcurrentUpdate
        from shared.models.principal import Principal
        from shared.models.requests import UpdateCallRequest

        call = schedule(api)
        service = api.services.calls
        admin = Principal(user_id="u", clinic_id="clinic-a", is_admin=True)
        stale = service.get(admin, call["callId"])
        api.patch(f"/calls/{call['callId']}", {"scheduledFor": "2026-12-02T20:00:00Z"})  # the first admin wins
        service.get = lambda *_: stale  # type: ignore[method-assign]
        with pytest.raises(ConcurrentUpdate):
            service.update(admin, call["callId"], UpdateCallRequest(scheduled_for="2026-12-03T20:00:00Z"))
        del service.get
        (sched,) = aws.schedules()
        assert sched["Name"] == stored_schedule_name(aws, call["callId"])
        assert sched["ScheduleExpression"] == "at(2026-12-02T20:00:00)"
