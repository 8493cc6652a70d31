"""Calling safety on the real adapters (moto) and through the whole system (the API, execute and the webhook over
the simulated Retell): the do-not-call routes and list, the owner who asks the agent not to call again, a call
cancelled when its number was listed meanwhile, and the cap on dials to one number, raced."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from shared.dal.dial_cap import DialCapRepository
from shared.dal.do_not_call import DoNotCallRepository
from shared.dal.pagination import PageTokens
from shared.logic.ports import DialCap, DoNotCallStore
from shared.models.errors import InvalidNextToken
from shared.models.safety import DoNotCallEntry, DoNotCallSource
from standins.aws_stand_ins import REGION
from standins.retell_sim import scenarios
from tests.conftest import TABLE, ApiClient
from tests.support.fakes import InMemoryDialCap, InMemoryDoNotCallStore
from tests.support.graph import SPAY_FOLLOW_UP
from tests.support.lifecycle import Stand

NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
MONDAY_0930_LA = "2026-11-23T17:30:00Z"
IMPLEMENTATIONS = ["memory", "dynamodb"]


def _moto(request: pytest.FixtureRequest) -> Any:
    request.getfixturevalue("aws")
    return boto3.client("dynamodb", region_name=REGION)


@pytest.fixture(params=IMPLEMENTATIONS)
def do_not_call(request: pytest.FixtureRequest) -> DoNotCallStore:
    if request.param == "memory":
        return InMemoryDoNotCallStore()
    return DoNotCallRepository(_moto(request), TABLE, PageTokens(lambda: b"k" * 32))


@pytest.fixture(params=IMPLEMENTATIONS)
def dial_cap(request: pytest.FixtureRequest) -> DialCap:
    return InMemoryDialCap() if request.param == "memory" else DialCapRepository(_moto(request), TABLE)


def entry(number: str, reason: str = "asked", source: DoNotCallSource = DoNotCallSource.CLINIC) -> DoNotCallEntry:
    return DoNotCallEntry(phone_number=number, reason=reason, added_at=NOW, added_by="admin-1", source=source)


class TestDoNotCallStoreContract:
    def test_entries_are_kept_per_clinic_replaced_or_kept_as_asked_and_removed(
        self, do_not_call: DoNotCallStore
    ) -> None:
        assert do_not_call.add("clinic-a", entry("+14155550100"), replace=True)
        assert do_not_call.add("clinic-a", entry("+12125550100"), replace=True)
        assert do_not_call.get("clinic-b", "+14155550100") is None
        listed = [e.phone_number for e in do_not_call.page("clinic-a", 10, None)[0]]
        assert listed == ["+12125550100", "+14155550100"]
        assert do_not_call.page("clinic-b", 10, None)[0] == []
        later = entry("+14155550100", "owner asked", DoNotCallSource.OWNER_REQUEST)
        assert do_not_call.add("clinic-a", later, replace=False) is False  # kept the first
        assert do_not_call.get("clinic-a", "+14155550100") == entry("+14155550100")
        assert do_not_call.add("clinic-a", later, replace=True)
        assert do_not_call.get("clinic-a", "+14155550100") == later
        assert do_not_call.remove("clinic-a", "+14155550100") is True
        assert do_not_call.remove("clinic-a", "+14155550100") is False
        assert do_not_call.get("clinic-a", "+14155550100") is None

    def test_the_list_comes_a_page_at_a_time_by_number_and_a_token_serves_only_its_clinic(
        self, do_not_call: DoNotCallStore
    ) -> None:
        numbers = [f"+1415555{n:04d}" for n in (105, 101, 104, 102, 103, 100)]
        for number in numbers:
            do_not_call.add("clinic-a", entry(number), replace=True)
        do_not_call.add("clinic-b", entry("+14155550999"), replace=True)
        pages: list[list[str]] = []
        token: str | None = None
        while True:
            page, token = do_not_call.page("clinic-a", 2, token)
            pages.append([e.phone_number for e in page])
            if token is None:
                break
            with pytest.raises(InvalidNextToken):
                do_not_call.page("clinic-b", 2, token)  # another clinic's list
        assert pages == [[n for n in sorted(numbers)][i : i + 2] for i in (0, 2, 4)]  # no empty last page
        whole, last = do_not_call.page("clinic-a", 6, None)
        assert (len(whole), last) == (6, None)
        with pytest.raises(InvalidNextToken):
            do_not_call.page("clinic-a", 2, "+14155550101.forged")


class TestDialCapContract:
    def test_three_dials_in_24_hours_then_the_window_a_repeat_counts_once_a_refusal_is_given_back(
        self, dial_cap: DialCap
    ) -> None:
        number = "+14155550100"
        for minutes, key in ((0, "d1"), (5, "d2"), (5, "d2"), (10, "d3")):
            assert dial_cap.take("clinic-a", number, key, 3, NOW + timedelta(minutes=minutes)) is None
        assert dial_cap.take("clinic-a", number, "d4", 3, NOW + timedelta(hours=1)) == NOW + timedelta(hours=24)
        assert dial_cap.take("clinic-b", number, "d4", 3, NOW) is None  # another clinic's count
        assert dial_cap.take("clinic-a", "+14155550101", "d4", 3, NOW) is None  # another number
        dial_cap.give_back("clinic-a", number, "d3")  # Retell placed no call for it
        dial_cap.give_back("clinic-a", number, "never-counted")
        assert dial_cap.take("clinic-a", number, "d4", 3, NOW + timedelta(hours=1)) is None
        assert dial_cap.take("clinic-a", number, "d5", 3, NOW + timedelta(hours=24, minutes=1)) is None  # d1 left


def test_racing_executions_never_dial_one_number_more_than_three_times(aws: Any) -> None:
    cap = DialCapRepository(boto3.client("dynamodb", region_name=REGION), TABLE)
    results: list[datetime | None] = []
    start = threading.Barrier(8)

    def dial(index: int) -> None:
        start.wait()
        results.append(cap.take("clinic-a", "+14155550100", f"dial-{index}", 3, NOW))

    threads = [threading.Thread(target=dial, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(None) == 3
    assert len(cap.dials("clinic-a", "+14155550100")) == 3


class TestRoutes:
    def test_admins_list_and_unlist_numbers_in_any_format_and_scheduling_to_one_is_refused(
        self, api: ApiClient
    ) -> None:
        added = api.put("/clinic/do-not-call/%2B1%20(415)%20555-0100", {"reason": "asked by phone"})
        assert added.status == 200, added.text
        assert added.data["phoneNumber"] == "+14155550100"
        assert (added.data["source"], added.data["addedBy"]) == ("clinic", "user-1")
        listed = api.as_("clinic-a", "staff").get("/clinic/do-not-call")
        assert [item["phoneNumber"] for item in listed.data["items"]] == ["+14155550100"]
        assert api.as_("clinic-b").get("/clinic/do-not-call").data["items"] == []  # another clinic's list

        body = {
            "phoneNumber": "415-555-0100",
            "petName": "Luna",
            "ownerName": "Sarah",
            "clinicName": "Paws",
            "clinicPhone": "+14155559876",
            "consent": {"given": True},
        }
        refused = api.post("/calls/schedule", body)
        assert (refused.status, refused.error["code"]) == (422, "do_not_call")
        assert refused.error["details"][0]["field"] == "phoneNumber"

        assert api.as_("clinic-a", "staff").request("DELETE", "/clinic/do-not-call/%2B14155550100").status == 403
        assert api.request("DELETE", "/clinic/do-not-call/4155550100").status == 200
        missing = api.request("DELETE", "/clinic/do-not-call/4155550100")
        assert (missing.status, missing.error["code"]) == (404, "not_on_do_not_call_list")
        assert api.post("/calls/schedule", body).status == 201
        bad = api.put("/clinic/do-not-call/not-a-number", {"reason": "x"})
        assert (bad.status, bad.error["code"]) == (422, "validation_error")

    def test_the_list_is_read_a_page_at_a_time_and_a_token_is_bound_to_its_clinic(self, api: ApiClient) -> None:
        for number in ("4155550103", "4155550101", "4155550102"):
            assert api.put(f"/clinic/do-not-call/{number}", {"reason": "asked"}).status == 200
        whole = api.get("/clinic/do-not-call").data  # the default page holds them all: as before, plus nextToken
        assert [item["phoneNumber"] for item in whole["items"]] == ["+14155550101", "+14155550102", "+14155550103"]
        assert whole["nextToken"] is None
        first = api.get("/clinic/do-not-call", query={"limit": "2"}).data
        assert [item["phoneNumber"] for item in first["items"]] == ["+14155550101", "+14155550102"]
        assert first["nextToken"]
        rest = api.get("/clinic/do-not-call", query={"limit": "2", "nextToken": first["nextToken"]}).data
        assert ([item["phoneNumber"] for item in rest["items"]], rest["nextToken"]) == (["+14155550103"], None)
        stolen = api.as_("clinic-b").get("/clinic/do-not-call", query={"nextToken": first["nextToken"]})
        assert (stolen.status, stolen.error["code"]) == (400, "invalid_next_token")
        for limit in ("0", "501"):
            assert api.get("/clinic/do-not-call", query={"limit": limit}).status == 422
        assert api.get("/clinic/do-not-call", query={"limit": "500"}).status == 200

    def test_consent_and_identity_are_refused_clearly(self, api: ApiClient) -> None:
        body = {"phoneNumber": "+14155550100", "petName": "Luna", "ownerName": "Sarah"}
        refused = api.post("/calls/schedule", {**body, "clinicName": "Paws", "clinicPhone": "+14155559876"})
        assert (refused.status, refused.error["code"]) == (422, "consent_required")
        no_identity = api.post("/calls/schedule", {**body, "consent": {"given": True}})
        assert (no_identity.status, no_identity.error["code"]) == (422, "clinic_identity_missing")
        settings = api.get("/clinic/settings").data
        assert (settings["requireConsent"], settings["maxDialsPerNumber"]) == (True, 3)
        assert settings["ownerCallingHours"] == {"start": "08:00", "end": "20:00"}
        wider = api.put("/clinic/settings", {**settings, "ownerCallingHours": {"start": "07:00", "end": "20:00"}})
        assert wider.status == 422
        named = {**settings, "clinicName": "Paws", "clinicPhone": "(415) 555-9876", "requireConsent": False}
        assert api.put("/clinic/settings", named).status == 200
        scheduled = api.post("/calls/schedule", body)
        assert scheduled.status == 201, scheduled.text
        assert scheduled.data["consent"] is None


class TestThroughTheSystem:
    def test_an_owner_who_asks_not_to_be_called_is_listed_and_their_next_call_is_cancelled_not_dialed(
        self, stand: Stand
    ) -> None:
        number = scenarios.DO_NOT_CALL_REQUESTED
        waiting = stand.schedule(
            phoneNumber=number, scheduledFor="2026-11-24T17:30:00Z", metadata={"consultation_id": "later"}
        )
        first = stand.schedule(phoneNumber=number, scheduledFor=MONDAY_0930_LA)
        done = stand.run_to_the_end(first["callId"])
        assert (done["status"], done["outcome"]) == ("completed", "do_not_call_requested")
        items = stand.api.get("/clinic/do-not-call").data["items"]
        assert [(i["phoneNumber"], i["source"], i["addedBy"]) for i in items] == [
            (number, "owner_request", "voice-agent")
        ]
        again = stand.api.post("/calls/schedule", {**SPAY_FOLLOW_UP, "phoneNumber": number})
        assert (again.status, again.error["code"]) == (422, "do_not_call")

        dials = stand.dials()
        stand.advance_and_fire()  # the call scheduled before the owner asked
        cancelled = stand.call(waiting["callId"])
        assert cancelled["status"] == "cancelled"
        assert "do-not-call list" in cancelled["statusReason"]
        assert stand.dials() == dials  # never dialed

    def test_a_fourth_call_to_one_number_within_a_day_waits_for_the_window(self, stand: Stand) -> None:
        calls = [
            stand.schedule(
                phoneNumber=scenarios.ANSWERS, scheduledFor=MONDAY_0930_LA, metadata={"consultation_id": f"c{i}"}
            )
            for i in range(4)
        ]
        results = sorted(fired.result["result"] for fired in stand.advance_and_fire())
        assert results == ["capped", "dialed", "dialed", "dialed"]
        assert stand.dials() == 3
        waiting = [stand.call(c["callId"]) for c in calls if stand.call(c["callId"])["status"] == "scheduled"]
        assert len(waiting) == 1
        assert (waiting[0]["attempt"], waiting[0]["scheduledFor"]) == (1, "2026-11-24T17:30:00Z")
