"""What the dashboard needs of the API beyond what the extension uses: a change decided on one version of a call is
refused once someone else has changed it (``If-Match``, ``409 changed_meanwhile``), and the clinic's overview
(``GET /clinic/overview``), computed from the clinic's calls index."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest

from shared.dal.call_repository import CallRepository
from shared.dal.pagination import PageTokens
from shared.models.call import Call, CallOutcome, CallStatus
from standins.aws_stand_ins import REGION
from tests.conftest import TABLE, ApiClient, AwsStandIns, FrozenClock
from tests.integration.test_calls_api import LUNA, TUESDAY_9AM_LA, schedule


class TestChangedMeanwhile:
    def test_a_change_on_the_current_version_goes_through_and_the_version_moves_on(self, api: ApiClient) -> None:
        call = schedule(api)
        assert call["version"] == 1
        response = api.patch(f"/calls/{call['callId']}", {"notes": "bring the leash"}, headers={"If-Match": '"1"'})
        assert response.status == 200, response.text
        assert response.data["version"] == 2

    @pytest.mark.parametrize(
        ("method", "suffix", "body"),
        [("PATCH", "", {"notes": "mine"}), ("POST", "/cancel", None), ("POST", "/call-now", None)],
    )
    def test_a_change_decided_on_an_older_version_is_refused_and_changes_nothing(
        self, api: ApiClient, method: str, suffix: str, body: Any
    ) -> None:
        call = schedule(api)
        other = api.as_("clinic-a", user="user-2")
        assert other.patch(f"/calls/{call['callId']}", {"notes": "theirs"}).status == 200

        response = api.request(method, f"/calls/{call['callId']}{suffix}", body=body, headers={"If-Match": "1"})

        assert response.status == 409, response.text
        error = response.json["error"]
        assert error["code"] == "changed_meanwhile"
        assert error["details"] == [{"callId": call["callId"], "version": 2, "status": "scheduled"}]
        now = api.get(f"/calls/{call['callId']}").data
        assert (now["notes"], now["status"], now["version"]) == ("theirs", "scheduled", 2)

    def test_without_if_match_the_last_writer_wins_as_before(self, api: ApiClient) -> None:
        call = schedule(api)
        assert api.patch(f"/calls/{call['callId']}", {"notes": "a"}).status == 200
        assert api.patch(f"/calls/{call['callId']}", {"notes": "b"}).data["notes"] == "b"

    @pytest.mark.parametrize("value", ["*", "abc", "1.5", "-1", "1" * 11])
    def test_a_malformed_if_match_is_a_422_naming_the_header(self, api: ApiClient, value: str) -> None:
        call = schedule(api)
        response = api.patch(f"/calls/{call['callId']}", {"notes": "x"}, headers={"If-Match": value})
        assert response.status == 422, response.text
        assert response.json["error"]["details"][0]["field"] == "if-match"


def _repository() -> CallRepository:
    return CallRepository(boto3.client("dynamodb", region_name=REGION), TABLE, PageTokens(lambda: b"k" * 32))


def _finish(call_id: str, status: CallStatus, outcome: CallOutcome | None, attempt: int, reason: str = "") -> None:
    repository = _repository()
    stored = repository.get("clinic-a", call_id)
    assert stored is not None
    changed = stored.model_copy(
        update={"status": status, "outcome": outcome, "attempt": attempt, "status_reason": reason or None}
    )
    repository.replace(Call.model_validate(changed.model_dump()), expected=stored)


class TestOverview:
    def test_today_counts_the_clinic_day_by_status_and_outcome(
        self, api: ApiClient, aws: AwsStandIns, clock: FrozenClock
    ) -> None:
        # Monday 2026-11-23 08:00 in Los Angeles; the default clinic opens 09:00-17:00 on weekdays.
        ids = [schedule(api, scheduledFor=f"2026-11-23T{hour}:00:00Z", metadata={})["callId"] for hour in (17, 18, 19)]
        ids += [schedule(api, scheduledFor="2026-11-23T20:00:00Z", metadata={})["callId"] for _ in range(2)]
        tomorrow = schedule(api, scheduledFor=TUESDAY_9AM_LA, metadata={})["callId"]  # 2026-12-01: not today
        _finish(ids[0], CallStatus.COMPLETED, CallOutcome.ANSWERED, 1)
        _finish(ids[1], CallStatus.COMPLETED, CallOutcome.VOICEMAIL, 2)
        _finish(ids[2], CallStatus.FAILED, CallOutcome.NO_ANSWER, 4, "no answer after 4 attempts")
        _finish(ids[3], CallStatus.COMPLETED, CallOutcome.ANSWERED, 3)
        assert api.post(f"/calls/{ids[4]}/cancel").status == 200
        other_clinic = api.as_("clinic-b")
        schedule(other_clinic, scheduledFor="2026-11-23T17:30:00Z", metadata={})

        response = api.get("/clinic/overview", query={"days": "1"})

        assert response.status == 200, response.text
        data = response.data
        assert (data["days"], data["timezone"]) == (1, "America/Los_Angeles")
        assert (data["windowStart"], data["windowEnd"]) == ("2026-11-23T08:00:00Z", "2026-11-24T08:00:00Z")
        assert data["total"] == 5
        assert data["byStatus"] == {
            "scheduled": 0,
            "initiated": 0,
            "in_progress": 0,
            "completed": 3,
            "failed": 1,
            "cancelled": 1,
        }
        assert data["byOutcome"] == {"answered": 2, "voicemail": 1, "no_answer": 1}
        assert (data["finished"], data["answered"], data["answerRate"]) == (4, 2, 0.5)
        assert data["averageAttempts"] == 2.5
        assert data["failedTotal"] == 1
        (failed,) = data["failed"]
        assert failed["callId"] == ids[2]
        assert (failed["petName"], failed["statusReason"], failed["attempt"]) == (
            LUNA["petName"],
            "no answer after 4 attempts",
            4,
        )
        assert data["truncated"] is False
        assert tomorrow not in {c["callId"] for c in data["failed"]}

    def test_thirty_days_end_with_today_and_an_empty_clinic_has_no_rates(
        self, api: ApiClient, clock: FrozenClock
    ) -> None:
        schedule(api, scheduledFor="2026-11-23T17:00:00Z", metadata={})
        clock.advance(days=29)
        data = api.get("/clinic/overview", query={"days": "30"}).data
        assert data["total"] == 1
        assert data["windowStart"] == "2026-11-23T08:00:00Z"
        assert (data["answerRate"], data["averageAttempts"]) == (None, None)
        clock.advance(days=1)
        assert api.get("/clinic/overview", query={"days": "30"}).data["total"] == 0

    def test_staff_may_read_it(self, api: ApiClient) -> None:
        assert api.as_("clinic-a", role="staff").get("/clinic/overview").status == 200

    @pytest.mark.parametrize("days", ["2", "0", "31", "x"])
    def test_other_periods_are_a_422(self, api: ApiClient, days: str) -> None:
        response = api.get("/clinic/overview", query={"days": days})
        assert response.status == 422, response.text
        assert response.json["error"]["details"][0]["field"] == "days"

    def test_it_reads_the_index_with_a_projection_and_never_scans(
        self, api: ApiClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        schedule(api, scheduledFor="2026-11-23T17:00:00Z", metadata={})
        seen: list[tuple[str, dict[str, Any]]] = []
        client = boto3.client("dynamodb", region_name=REGION)
        original = client._make_api_call

        def spy(operation: str, params: dict[str, Any]) -> Any:
            seen.append((operation, params))
            return original(operation, params)

        monkeypatch.setattr(client, "_make_api_call", spy)
        from shared.dal.call_summaries import CallSummaryReader

        start = _day("2026-11-23T08:00:00+00:00")
        summaries, truncated = CallSummaryReader(client, TABLE).between(
            "clinic-a", start, start + timedelta(days=1), 10
        )
        assert (len(summaries), truncated) == (1, False)
        # The index, then the status of its one open call from the call itself (the index says only "open").
        assert [operation for operation, _ in seen] == ["Query", "BatchGetItem"]
        assert seen[0][1]["IndexName"] == "gsi1"
        assert "ProjectionExpression" in seen[0][1]
        assert summaries[0].status == "scheduled"

    def test_the_read_is_bounded(self, api: ApiClient) -> None:
        from shared.dal.call_summaries import CallSummaryReader

        for _ in range(3):
            schedule(api, scheduledFor="2026-11-23T17:00:00Z", metadata={})
        start = _day("2026-11-23T08:00:00+00:00")
        reader = CallSummaryReader(boto3.client("dynamodb", region_name=REGION), TABLE)
        summaries, truncated = reader.between("clinic-a", start, start + timedelta(days=1), 2)
        assert (len(summaries), truncated) == (2, True)
        assert reader.between("clinic-a", start, start + timedelta(days=1), 3)[1] is False


def _day(text: str) -> datetime:
    return datetime.fromisoformat(text)
