"""Auth, tenancy, bad input, clinic settings and the IDEXX preview, through the schedule handler."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.bootstrap.api import api_from_environment
from shared.dal.settings_repository import SettingsRepository
from standins.apigw import claims_for
from standins.iam_harness import acting_as
from tests.conftest import TABLE, ApiClient, AwsStandIns, FrozenClock
from tests.integration.test_calls_api import LUNA, TUESDAY_9AM_LA

IDEXX_PAGE_DATA: dict[str, Any] = {
    "pageData": {
        "providers": [{"id": 1004, "name": "Dr. K Chaudhary", "userType": "Vet", "companyId": 7742}],
        "patient": {"name": "Luna", "species": "Canine", "breed": "Labrador Retriever"},
        "client": {"name": "Sarah Johnson", "phone": "(415) 555-1234", "email": "sarah.j@email.com"},
        "consultation": {
            "id": 12345,
            "reason": "Post-surgery follow-up",
            "notes": "Spay procedure completed.",
            "dischargeSummary": "Post-op care instructions...",
        },
        "clinic": {"name": "Paws & Claws Veterinary Hospital", "phone": "+14155559876"},
        "companyId": 7742,
    }
}


class TestAuth:
    def test_health_needs_no_token(self, api: ApiClient) -> None:
        response = api.get("/health", claims=None)
        assert response.status == 200
        assert response.json == {"status": "ok"}

    @pytest.mark.parametrize(
        ("method", "path"),
        [("GET", "/calls"), ("POST", "/calls/schedule"), ("GET", "/clinic/settings"), ("GET", "/calls/abc")],
    )
    def test_no_token_is_401(self, api: ApiClient, method: str, path: str) -> None:
        response = api.request(method, path, claims=None, body={"garbage": True})
        assert response.status == 401
        assert response.error["code"] == "unauthenticated"

    def test_a_token_without_a_clinic_is_401(self, api: ApiClient) -> None:
        response = api.get("/calls", claims={"sub": "u1", "cognito:groups": "[admin]"})
        assert response.status == 401

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("POST", "/calls/schedule", LUNA),
            ("POST", "/calls/schedule", {"not": "even valid"}),
            ("PUT", "/clinic/settings", {}),
            ("POST", "/integrations/idexx/preview", IDEXX_PAGE_DATA),
            ("PATCH", "/calls/abc", {"notes": "x"}),
            ("POST", "/calls/abc/cancel", None),
        ],
    )
    def test_staff_cannot_write_whatever_they_send(
        self, api: ApiClient, method: str, path: str, body: dict[str, Any] | None
    ) -> None:
        response = api.as_("clinic-a", role="staff").request(method, path, body=body)
        assert response.status == 403
        assert response.error["code"] == "forbidden"

    def test_staff_can_read(self, api: ApiClient) -> None:
        call = api.post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA}).data
        staff = api.as_("clinic-a", role="staff")
        assert staff.get("/calls").data["items"][0]["callId"] == call["callId"]
        assert staff.get(f"/calls/{call['callId']}").status == 200
        assert staff.get("/clinic/settings").status == 200

    def test_groups_as_a_json_list_are_understood(self, api: ApiClient) -> None:
        claims = {**claims_for("clinic-a", user="u1"), "cognito:groups": ["staff", "admin"]}
        assert api.post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA}, claims=claims).status == 201

    def test_the_body_cannot_choose_the_clinic(self, api: ApiClient) -> None:
        response = api.post("/calls/schedule", {**LUNA, "clinicId": "clinic-b"})
        assert response.status == 422  # unknown field: the clinic only ever comes from the token


class TestBadInput:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"phoneNumber": "not a phone"}, "phoneNumber"),
            ({"phoneNumber": "+1 415 555 010"}, "phoneNumber"),
            ({"phoneNumber": "415-555-0100 ext 12"}, "phoneNumber"),
            ({"phoneNumber": 4155550100}, "phoneNumber"),
            ({"petName": ""}, "petName"),
            ({"petName": "   "}, "petName"),
            ({"ownerName": None}, "ownerName"),
            ({"petName": ["Luna"]}, "petName"),
            ({"petName": "x" * 201}, "petName"),
            ({"dischargeSummary": "x" * 10_001}, "dischargeSummary"),
            ({"scheduledFor": "2026-12-01T17:00:00"}, "scheduledFor"),
            ({"scheduledFor": "tomorrow"}, "scheduledFor"),
            ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
            ({"timezone": ""}, "timezone"),
            ({"metadata": {"consultation_id": {"nested": 1}}}, "metadata.consultation_id"),
            ({"metadata": {"blob": "x" * 3000}}, "metadata"),
            ({"scheduledAt": TUESDAY_9AM_LA}, "scheduledAt"),
        ],
    )
    def test_each_bad_field_is_a_422_naming_it(
        self, api: ApiClient, aws: AwsStandIns, change: dict[str, Any], field: str
    ) -> None:
        response = api.post("/calls/schedule", {**LUNA, **change})
        assert response.status == 422, response.text
        error = response.error
        assert error["code"] == "validation_error"
        assert field in [detail["field"] for detail in error["details"]]
        assert "4155550100" not in json.dumps(error["details"])  # input is never echoed back
        assert aws.items() == []
        assert aws.schedules() == []

    @pytest.mark.parametrize("raw", ["{", "not json", '{"phoneNumber": }', "\x00"])
    def test_malformed_json_is_400(self, api: ApiClient, raw: str) -> None:
        response = api.post("/calls/schedule", raw_body=raw)
        assert response.status == 400
        assert response.error["code"] == "malformed_json"

    @pytest.mark.parametrize("raw", ["[]", '"a string"', "42", "null"])
    def test_json_that_is_not_an_object_is_422(self, api: ApiClient, raw: str) -> None:
        response = api.post("/calls/schedule", raw_body=raw)
        assert response.status == 422
        assert response.error["code"] == "validation_error"

    def test_a_huge_body_is_413(self, api: ApiClient, aws: AwsStandIns) -> None:
        response = api.post("/calls/schedule", {**LUNA, "notes": "x" * 200_000})
        assert response.status == 413
        assert response.error["code"] == "payload_too_large"
        assert aws.items() == []

    def test_a_base64_body_from_api_gateway_is_decoded(self, api: ApiClient) -> None:
        response = api.post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA}, base64_body=True)
        assert response.status == 201, response.text

    def test_unknown_routes_are_404_in_the_error_body(self, api: ApiClient) -> None:
        response = api.get("/nope")
        assert response.status == 404
        assert response.error["code"] == "route_not_found"

    def test_bad_idempotency_key_is_422(self, api: ApiClient) -> None:
        response = api.post("/calls/schedule", LUNA, headers={"Idempotency-Key": "has spaces"})
        assert response.status == 422


class TestClinicSettings:
    def test_defaults_until_saved(self, api: ApiClient) -> None:
        settings = api.get("/clinic/settings").data
        assert settings["timezone"] == "America/Los_Angeles"
        assert settings["businessHours"]["mon"] == [["09:00", "17:00"]]
        assert settings["businessHours"]["sat"] == []
        assert settings["retry"] == {
            "maxRetries": 3,
            "backoffSeconds": [300, 600, 1200],
            "retryOnVoicemail": False,
            "moveToBestHour": False,
        }
        assert settings["maxConcurrentCalls"] == 20

    def test_saved_settings_are_returned_and_per_clinic(self, api: ApiClient) -> None:
        body = {
            "timezone": "America/Chicago",
            "businessHours": {"mon": [["08:00", "12:00"], ["13:00", "18:00"]], "sat": [["10:00", "24:00"]]},
            "closedDates": ["2026-12-25", "2026-12-24"],
            "retry": {"maxRetries": 2, "backoffSeconds": [120], "retryOnVoicemail": True},
            "agentId": "agent_123",
            "fromNumber": "(312) 555-0199",
            "maxConcurrentCalls": 5,
        }
        saved = api.put("/clinic/settings", body)
        assert saved.status == 200, saved.text
        got = api.get("/clinic/settings").data
        assert got == saved.data
        assert got["closedDates"] == ["2026-12-24", "2026-12-25"]
        assert got["fromNumber"] == "+13125550199"
        assert got["businessHours"]["tue"] == []
        assert api.as_("clinic-b").get("/clinic/settings").data["timezone"] == "America/Los_Angeles"

    @pytest.mark.parametrize(
        "change",
        [
            {"timezone": "Not/AZone"},
            {"businessHours": {"mon": [["09:00", "08:00"]]}},
            {"businessHours": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}},
            {"businessHours": {"mon": [["9am", "5pm"]]}},
            {"businessHours": {"mon": [["24:00", "24:00"]]}},
            {"businessHours": {"funday": [["09:00", "17:00"]]}},
            {"businessHours": {day: [] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}},
            {"closedDates": ["2026-02-30"]},
            {"retry": {"maxRetries": -1}},
            {"retry": {"backoffSeconds": [5]}},
            {"maxConcurrentCalls": 0},
            {"fromNumber": "12"},
        ],
    )
    def test_invalid_settings_are_422_and_not_saved(self, api: ApiClient, change: dict[str, Any]) -> None:
        response = api.put("/clinic/settings", change)
        assert response.status == 422, response.text
        assert api.get("/clinic/settings").data["timezone"] == "America/Los_Angeles"


def stored_webhook_url(aws: AwsStandIns, clinic_id: str) -> str | None:
    saved = SettingsRepository(aws.dynamodb, TABLE).get(clinic_id)
    assert saved is not None
    return saved.notifications.webhook_url


class TestChatWebhookUrl:
    """The webhook URL is a credential and a place the system sends requests to: only Slack's and Teams' hosts are
    taken, and once saved it is shown masked, to admins and staff alike."""

    HOOK = "https://hooks.slack.com/services/T0/B0/abcdWXYZ"

    def save(self, api: ApiClient, notifications: dict[str, Any]) -> Any:
        return api.put("/clinic/settings", {"clinicName": "Paws", "notifications": notifications})

    @pytest.mark.parametrize(
        "url",
        [
            "https://169.254.169.254/latest/meta-data/",
            "https://127.0.0.1:9001/",
            "https://10.0.0.7/",
            "https://[::1]/",
            "https://hooks.slack.com.evil.example/",
            "https://user:pass@hooks.slack.com/",
            "https://hooks.slack.com:8443/services/x",
            "http://hooks.slack.com/services/x",
            "https://webhook.office.com/x",
        ],
    )
    def test_only_slack_and_teams_hosts_are_taken(self, api: ApiClient, url: str) -> None:
        response = self.save(api, {"webhookUrl": url})
        assert response.status == 422, response.text
        assert api.get("/clinic/settings").data["notifications"]["webhookUrl"] is None

    def test_a_saved_url_is_shown_masked_to_everyone(self, api: ApiClient) -> None:
        saved = self.save(api, {"webhookUrl": self.HOOK})
        assert saved.status == 200, saved.text
        assert saved.data["notifications"]["webhookUrl"] == "https://hooks.slack.com/…WXYZ"
        for role in ("admin", "staff"):
            shown = api.as_("clinic-a", role=role).get("/clinic/settings")
            assert shown.data["notifications"]["webhookUrl"] == "https://hooks.slack.com/…WXYZ"
            assert "abcd" not in shown.text

    def test_the_masked_value_sent_back_or_no_field_keeps_the_url_and_null_removes_it(
        self, api: ApiClient, aws: AwsStandIns
    ) -> None:
        self.save(api, {"webhookUrl": self.HOOK})
        shown = api.get("/clinic/settings").data
        shown["clinicName"] = "Paws & Claws"
        assert api.put("/clinic/settings", shown).status == 200  # the dashboard saves what it was shown
        assert stored_webhook_url(aws, "clinic-a") == self.HOOK
        assert self.save(api, {"emails": ["vet@clinic.example"]}).status == 200
        assert stored_webhook_url(aws, "clinic-a") == self.HOOK
        assert self.save(api, {"webhookUrl": None}).status == 200
        assert stored_webhook_url(aws, "clinic-a") is None

    def test_a_masked_value_that_is_not_the_saved_url_is_refused(self, api: ApiClient) -> None:
        self.save(api, {"webhookUrl": self.HOOK})
        response = self.save(api, {"webhookUrl": "https://hooks.slack.com/…ABCD"})
        assert response.status == 422
        assert response.error["code"] == "webhook_url_not_whole"


class TestIdexxPreview:
    def test_maps_a_consultation_to_a_call_request(self, api: ApiClient, aws: AwsStandIns) -> None:
        preview = api.post("/integrations/idexx/preview", IDEXX_PAGE_DATA).data
        assert preview["warnings"] == []
        request = preview["callRequest"]
        assert request == {
            "phoneNumber": "+14155551234",
            "petName": "Luna",
            "ownerName": "Sarah Johnson",
            "vetName": "Dr. K Chaudhary",
            "clinicName": "Paws & Claws Veterinary Hospital",
            "clinicPhone": "+14155559876",
            "dischargeSummary": "Post-op care instructions...",
            "notes": "Consultation #12345 - Post-surgery follow-up",
            "metadata": {"source": "idexx_neo", "consultation_id": "12345", "provider_id": 1004, "company_id": 7742},
        }
        assert aws.items() == []
        # the previewed request schedules as it is, once the vet confirms the owner's consent (never assumed)
        refused = api.post("/calls/schedule", {**request, "scheduledFor": TUESDAY_9AM_LA})
        assert (refused.status, refused.error["code"]) == (422, "consent_required")
        consent = {"given": True, "method": "verbal_at_discharge"}
        assert (
            api.post("/calls/schedule", {**request, "consent": consent, "scheduledFor": TUESDAY_9AM_LA}).status == 201
        )

    def test_warns_about_what_the_vet_must_check(self, api: ApiClient) -> None:
        document = json.loads(json.dumps(IDEXX_PAGE_DATA))
        page = document["pageData"]
        page["client"]["phone"] = "555-12"
        page["providers"] = []
        del page["consultation"]["dischargeSummary"]
        del page["patient"]["name"]
        preview = api.post("/integrations/idexx/preview", document).data
        codes = {(w["field"], w["code"]) for w in preview["warnings"]}
        assert codes == {
            ("phoneNumber", "invalid_phone"),
            ("vetName", "missing"),
            ("dischargeSummary", "fallback"),
            ("petName", "missing"),
        }
        assert preview["callRequest"]["dischargeSummary"] == "Spay procedure completed."
        assert "petName" not in preview["callRequest"]

    def test_a_document_without_page_data_is_422(self, api: ApiClient) -> None:
        response = api.post("/integrations/idexx/preview", {"something": "else"})
        assert response.status == 422


class TestClinicRequestBudget:
    """The budget on DynamoDB (moto), as the API's role may write it: one counter item per clinic and window."""

    @pytest.fixture
    def small_budget(self, aws: AwsStandIns, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> ApiClient:
        monkeypatch.setenv("CLINIC_REQUESTS_PER_SECOND", "1")
        monkeypatch.setenv("CLINIC_BUDGET_WINDOW_SECONDS", "3")
        with acting_as("api"):
            services = api_from_environment(clock=clock)
        return ApiClient(lambda: services)

    def test_a_clinic_over_its_budget_gets_a_typed_429_until_the_next_window(
        self, small_budget: ApiClient, aws: AwsStandIns, clock: FrozenClock
    ) -> None:
        clock.now = clock.now.replace(second=0, microsecond=0)  # 16:00:00, the start of a 3 s window
        assert [small_budget.get("/clinic/settings").status for _ in range(3)] == [200, 200, 200]
        clock.advance(seconds=1)
        refused = small_budget.get("/calls")
        assert refused.status == 429, refused.text
        assert refused.error["code"] == "clinic_rate_limited"
        assert refused.headers["Retry-After"] == "2"
        assert refused.error["details"] == [
            {"retryAfterSeconds": 2, "retryAt": "2026-11-23T16:00:03Z", "limit": 3, "windowSeconds": 3}
        ]
        assert small_budget.as_("clinic-b", "staff").get("/clinic/settings").status == 200
        clock.advance(seconds=2)
        assert small_budget.get("/clinic/settings").status == 200

        counters = {item["pk"]: item for item in aws.items(request_counters=True) if item["sk"] == "BUDGET"}
        window = int(datetime(2026, 11, 23, 16, tzinfo=UTC).timestamp())
        assert counters[f"BUDGET#clinic-a#{window}"]["requests"] == 3  # the refused request was not counted
        assert counters[f"BUDGET#clinic-a#{window + 3}"]["requests"] == 1
        assert counters[f"BUDGET#clinic-b#{window}"]["requests"] == 1
        assert all(window < int(item["expiresAt"]) <= window + 3600 for item in counters.values())

    def test_health_is_not_charged(self, small_budget: ApiClient, aws: AwsStandIns) -> None:
        for _ in range(5):
            assert small_budget.get("/health", claims=None).status == 200
        assert aws.items(request_counters=True) == []
