"""What a careful attacker tries, through the API handler: forged tenant keys, untrustworthy claims, edited page
tokens, and bodies built to crash a parser. Every one is a 4xx with the contract's error body and changes nothing."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from standins.apigw import claims_for, http_event
from tests.conftest import ApiClient, AwsStandIns, FrozenClock
from tests.integration.test_calls_api import LUNA, TUESDAY_9AM_LA, schedule

DEEP = "[" * 5_000 + "]" * 5_000
ARABIC_INDIC = "".join(chr(0x0660 + digit) for digit in range(10))
SUPERSCRIPT = "\u2070\u00b9\u00b2\u00b3" + "".join(chr(0x2074 + digit) for digit in range(6))
FULLWIDTH = "".join(chr(0xFF10 + digit) for digit in range(10))


def in_digits(text: str, digits: str) -> str:
    """``text`` with its ASCII digits written in another script's digits (which ``str.isdigit`` also accepts)."""
    return text.translate(str.maketrans("0123456789", digits))


def _assert_refused(response: Any, status: int, code: str | None = None) -> None:
    assert response.status == status, response.text
    error = response.error
    assert error["code"]
    assert error["message"]
    if code is not None:
        assert error["code"] == code, error


class TestTenantKeys:
    @pytest.mark.parametrize("clinic", ["acme#c1", "acme#", "#acme", "acme c1", "ac/me", "", "a" * 65, "acmé", "\x00"])
    def test_a_clinic_id_that_could_spell_a_key_is_refused(self, api: ApiClient, aws: AwsStandIns, clinic: str) -> None:
        response = api.as_(clinic).post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA})
        _assert_refused(response, 401, "unauthenticated")
        assert aws.items() == []

    def test_a_forged_clinic_cannot_release_another_clinics_consultation_lock(
        self, api: ApiClient, aws: AwsStandIns
    ) -> None:
        acme = api.as_("acme")
        first = acme.post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA})
        assert first.status == 201
        forged = api.as_("acme#c1").post("/calls/schedule", {**LUNA, "metadata": {"consultation_id": "12345"}})
        assert forged.status == 401
        again = acme.post("/calls/schedule", {**LUNA, "scheduledFor": TUESDAY_9AM_LA})
        _assert_refused(again, 409, "duplicate_consultation")

    @pytest.mark.parametrize("consultation", ["12345#x", "12 345", "", "1" * 65, in_digits("123", ARABIC_INDIC)])
    def test_a_consultation_id_that_could_spell_a_key_is_refused(
        self, api: ApiClient, aws: AwsStandIns, consultation: str
    ) -> None:
        response = api.post("/calls/schedule", {**LUNA, "metadata": {"consultation_id": consultation}})
        _assert_refused(response, 422, "validation_error")
        assert aws.items() == []

    @pytest.mark.parametrize("call_id", ["CALL#x", "x#CALL", "a b", "%23", "1" * 5_000, "..", "x" * 65])
    def test_a_call_id_that_could_spell_a_key_is_refused(self, api: ApiClient, aws: AwsStandIns, call_id: str) -> None:
        for method, suffix in (("GET", ""), ("PATCH", ""), ("POST", "/cancel"), ("POST", "/call-now")):
            body = {"notes": "x"} if method == "PATCH" else None
            response = api.request(method, f"/calls/{call_id}{suffix}", body=body)
            assert 400 <= response.status < 500, (method, suffix, response.text)
            assert response.error["code"]

    def test_clinics_whose_ids_are_prefixes_of_each_other_share_nothing(
        self, api: ApiClient, aws: AwsStandIns, clock: FrozenClock
    ) -> None:
        clinics = ["ac", "acme", "acme-1", "acme.1"]
        calls = {}
        for clinic in clinics:
            client = api.as_(clinic)
            # One consultation id and one idempotency key in every clinic: each gets its own lock and record.
            response = client.post(
                "/calls/schedule",
                {**LUNA, "scheduledFor": TUESDAY_9AM_LA},
                headers={"idempotency-key": "same-key"},
            )
            assert response.status == 201, (clinic, response.text)
            assert response.headers.get("Idempotent-Replayed") is None
            calls[clinic] = response.data["callId"]
            assert client.put("/clinic/settings", {"timezone": "America/New_York"}).status == 200
        for clinic in clinics:
            client = api.as_(clinic)
            assert [call["callId"] for call in client.get("/calls").data["items"]] == [calls[clinic]]
            assert client.get("/clinic/settings").data["timezone"] == "America/New_York"
            for other in clinics:
                if other != clinic:
                    assert client.get(f"/calls/{calls[other]}").status == 404
        locks = [item["pk"] for item in aws.items() if item["pk"].startswith("CONSULT#")]
        assert sorted(locks) == sorted(f"CONSULT#{clinic}#12345" for clinic in clinics)


class TestClaims:
    @pytest.mark.parametrize(
        "change",
        [
            {"custom:clinic_id": ["clinic-a", "clinic-b"]},
            {"custom:clinic_id": "[clinic-a clinic-b]"},
            {"custom:clinic_id": 42},
            {"sub": ["user-1"]},
            {"sub": ""},
            {"exp": "soon"},
            {"exp": "1e10"},
            {"exp": True},
            {"exp": "1000"},
            {"exp": None},
            {"iat": "99999999999"},
            {"token_use": "access"},
            {"cognito:groups": {"admin": True}},
            {"cognito:groups": "admin"},
        ],
    )
    def test_claims_that_cannot_be_trusted_are_refused(
        self, api: ApiClient, aws: AwsStandIns, change: dict[str, Any]
    ) -> None:
        claims = {**claims_for("clinic-a"), **change}
        for method, path in (("GET", "/calls"), ("POST", "/calls/schedule")):
            response = api.request(method, path, body=LUNA if method == "POST" else None, claims=claims)
            _assert_refused(response, 401, "unauthenticated")
        assert aws.items() == []

    def test_claims_without_an_expiry_are_refused(self, api: ApiClient) -> None:
        claims = {name: value for name, value in claims_for("clinic-a").items() if name != "exp"}
        _assert_refused(api.get("/calls", claims=claims), 401, "unauthenticated")

    def test_numeric_claims_as_numbers_or_as_api_gateway_strings_are_both_understood(self, api: ApiClient) -> None:
        claims = claims_for("clinic-a")
        as_numbers = {**claims, "exp": int(claims["exp"]), "iat": int(claims["iat"])}
        assert api.get("/calls", claims=as_numbers).status == 200
        assert api.get("/calls", claims=claims).status == 200


class TestPageTokens:
    @pytest.fixture
    def token(self, api: ApiClient, aws: AwsStandIns) -> str:
        for hour in range(3):
            schedule(api, scheduledFor=f"2026-12-01T{17 + hour}:00:00Z", metadata={})
        page = api.get("/calls", query={"limit": "1", "status": "scheduled"})
        token = page.data["nextToken"]
        assert isinstance(token, str)
        return token

    def _edited(self, token: str, edit: Any) -> str:
        payload, tag = token.split(".")
        key = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        edit(key)
        return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=") + "." + tag

    def test_the_token_pages_for_its_own_query(self, api: ApiClient, token: str) -> None:
        page = api.get("/calls", query={"limit": "1", "status": "scheduled", "nextToken": token})
        assert page.status == 200
        assert len(page.data["items"]) == 1

    @pytest.mark.parametrize(
        "edit",
        [
            lambda key: key.update({name: "" for name in key}),
            lambda key: key.update(gsi1sk=key["gsi1sk"] + "\x00"),
            lambda key: key.update(gsi1pk="CLINIC#clinic-b"),
            lambda key: key.update(gsi1sk="0"),
        ],
    )
    def test_an_edited_token_is_refused(self, api: ApiClient, token: str, edit: Any) -> None:
        response = api.get(
            "/calls", query={"limit": "1", "status": "scheduled", "nextToken": self._edited(token, edit)}
        )
        _assert_refused(response, 400, "invalid_next_token")

    def test_a_token_replayed_by_another_clinic_is_refused(self, api: ApiClient, token: str) -> None:
        response = api.as_("clinic-b").get("/calls", query={"limit": "1", "status": "scheduled", "nextToken": token})
        _assert_refused(response, 400, "invalid_next_token")

    @pytest.mark.parametrize(
        "query", [{"status": "completed"}, {}, {"status": "scheduled", "from": "2026-12-01T00:00:00Z"}]
    )
    def test_a_token_is_refused_for_another_query(self, api: ApiClient, token: str, query: dict[str, str]) -> None:
        response = api.get("/calls", query={"limit": "1", **query, "nextToken": token})
        _assert_refused(response, 400, "invalid_next_token")


class TestHostileBodies:
    """Each of these once answered 500 (or was accepted); now each is a 4xx and leaves the table as it was."""

    @pytest.fixture
    def call_id(self, api: ApiClient, aws: AwsStandIns) -> str:
        return str(schedule(api)["callId"])

    def _routes(self, call_id: str) -> list[tuple[str, str]]:
        return [
            ("POST", "/calls/schedule"),
            ("PATCH", f"/calls/{call_id}"),
            ("PUT", "/clinic/settings"),
            ("POST", "/integrations/idexx/preview"),
        ]

    @pytest.mark.parametrize(
        ("raw", "headers", "base64_body", "status", "code"),
        [
            (DEEP, {}, False, 400, "malformed_json"),
            ('{"a": ' * 40 + "1" + "}" * 40, {}, False, 400, "malformed_json"),
            ('{"petName": NaN}', {}, False, 400, "malformed_json"),
            ('{"metadata": {"x": 1e999}}', {}, False, 400, "malformed_json"),
            ('{"metadata": {"x": -Infinity}}', {}, False, 400, "malformed_json"),
            ('{"metadata": {"x": ' + "9" * 5_000 + "}}", {}, False, 400, "malformed_json"),
            ('{"petName": "\\ud800"}', {}, False, 400, "malformed_json"),
            ('{"petName": "Luna"}', {"content-type": "text/plain"}, False, 415, "unsupported_media_type"),
            ("<call><petName>Luna</petName></call>", {"content-type": "application/xml"}, False, 415, None),
            ('{"petName": "Luna"}', {"content-type": "application/json; charset=latin-1"}, False, 415, None),
            ('{"petName": "Luna"}', {"content-type": ""}, False, 415, "unsupported_media_type"),
        ],
    )
    def test_bodies_no_route_can_take(
        self,
        api: ApiClient,
        aws: AwsStandIns,
        call_id: str,
        raw: str,
        headers: dict[str, str],
        base64_body: bool,
        status: int,
        code: str | None,
    ) -> None:
        before = aws.items()
        for method, path in self._routes(call_id):
            response = api.request(method, path, raw_body=raw, headers=headers, base64_body=base64_body)
            _assert_refused(response, status, code)
        assert aws.items() == before

    @pytest.mark.parametrize("body", [base64.b64encode(b'{"petName": "\xff\xfe"}').decode(), "not base64!"])
    def test_base64_bodies_that_are_not_utf8_text(
        self, api: ApiClient, aws: AwsStandIns, call_id: str, body: str
    ) -> None:
        before = aws.items()
        for method, path in self._routes(call_id):
            event = http_event(method, path, claims=claims_for("clinic-a"))
            event.update(body=body, isBase64Encoded=True)
            result = api.handle(event)
            assert result["statusCode"] == 400, result
            assert json.loads(result["body"])["error"]["code"] == "invalid_encoding"
        assert aws.items() == before

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"scheduledFor": "9999-12-31T23:59:59-01:00"}, "scheduledFor"),
            ({"scheduledFor": "0001-01-01T00:00:00+01:00"}, "scheduledFor"),
            ({"scheduledFor": "2100-01-01T00:00:00Z"}, "scheduledFor"),
            ({"scheduledFor": 1796144400}, "scheduledFor"),
            ({"scheduledFor": "1796144400"}, "scheduledFor"),
            ({"phoneNumber": in_digits("+14155550100", ARABIC_INDIC)}, "phoneNumber"),
            ({"phoneNumber": in_digits("(415) 555-0100", ARABIC_INDIC)}, "phoneNumber"),
            ({"phoneNumber": in_digits("+14155550100", SUPERSCRIPT)}, "phoneNumber"),
            ({"phoneNumber": in_digits("+14155550100", FULLWIDTH)}, "phoneNumber"),
            ({"petName": "Lu\x00na"}, "petName"),
            ({"ownerName": "\x1b[31mSarah"}, "ownerName"),
            ({"metadata": {"x": 2**53}}, "metadata"),
            ({"metadata": {"x": -(2**60)}}, "metadata"),
            ({"metadata": {"provider_id": 10**20}}, "metadata.provider_id"),
            ({"metadata": {"": None}}, "metadata"),
            ({"metadata": {"a#b": "x"}}, "metadata"),
        ],
    )
    def test_values_that_must_not_pass_are_422(
        self, api: ApiClient, aws: AwsStandIns, call_id: str, change: dict[str, Any], field: str
    ) -> None:
        before = aws.items()
        for method, path in (("POST", "/calls/schedule"), ("PATCH", f"/calls/{call_id}")):
            response = api.request(method, path, body={**LUNA, **change} if method == "POST" else change)
            _assert_refused(response, 422, "validation_error")
            assert any(detail["field"].startswith(field) for detail in response.error["details"]), response.text
        assert aws.items() == before

    @pytest.mark.parametrize(
        "query",
        [
            {"from": "9999-12-31T23:59:59-01:00"},
            {"to": "0001-01-01T00:00:00+01:00"},
            {"to": "0.5"},
            {"from": "1796144400"},
            {"limit": "9" * 5_000},
            {"status": "scheduled,\x00"},
            {"nextToken": "\x00"},
        ],
    )
    def test_list_queries_that_once_crashed_are_4xx(
        self, api: ApiClient, aws: AwsStandIns, query: dict[str, str]
    ) -> None:
        response = api.get("/calls", query=query)
        assert response.status in {400, 422}, response.text
        assert response.error["code"]

    def test_a_slot_search_near_the_end_of_the_accepted_range_does_not_overflow(
        self, api: ApiClient, aws: AwsStandIns
    ) -> None:
        only_mondays = {"businessHours": {"mon": [["09:00", "10:00"]]}, "closedDates": ["2100-01-04"]}
        assert api.put("/clinic/settings", only_mondays).status == 200
        response = api.post("/calls/schedule", {**LUNA, "scheduledFor": "2099-12-31T23:00:00Z"})
        assert response.status == 201, response.text
        assert response.data["scheduledFor"] == "2100-01-11T17:00:00Z"
        assert api.get(f"/calls/{response.data['callId']}").status == 200

    @pytest.mark.parametrize(
        "settings",
        [
            {"closedDates": ["9999-12-31", "0001-01-01"]},
            {"maxConcurrentCalls": 10**30},
            {"retry": {"backoffSeconds": [10**30]}},
            {"businessHours": {"mon": [["09:00", "25:00"]]}},
            {"timezone": "../../etc/passwd"},
            {"agentId": "a" * 129},
            {"agentId": "agent_\x00"},
        ],
    )
    def test_hostile_settings_are_422_and_change_nothing(
        self, api: ApiClient, aws: AwsStandIns, settings: dict[str, Any]
    ) -> None:
        before = api.get("/clinic/settings").data
        response = api.put("/clinic/settings", settings)
        assert response.status == 422, response.text
        assert response.error["code"] == "validation_error"
        assert api.get("/clinic/settings").data == before

    def test_an_idexx_document_with_unusable_values_is_previewed_with_warnings(self, api: ApiClient) -> None:
        phone = in_digits("4155550100", ARABIC_INDIC)
        document = {"pageData": {"consultation": {"id": "12#34"}, "client": {"phone": phone}}}
        response = api.post("/integrations/idexx/preview", document)
        assert response.status == 200, response.text
        warned = {(warning["field"], warning["code"]) for warning in response.data["warnings"]}
        assert {("phoneNumber", "invalid_phone"), ("metadata.consultation_id", "invalid")} <= warned
        assert "consultation_id" not in response.data["callRequest"]["metadata"]
