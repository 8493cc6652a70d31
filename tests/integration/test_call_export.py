"""``GET /calls/export``: a clinic's calls as CSV for a spreadsheet, admins only, read from the clinic index page by
page, at most 10,000 rows, no transcript, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import base64
import csv
import gzip
import io
from typing import Any

import pytest

from shared.api.call_export import COLUMNS
from shared.logic import call_export
from tests.conftest import ApiClient
from tests.integration.test_calls_api import LUNA, TUESDAY_9AM_LA, schedule


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_an_admin_downloads_the_clinics_calls_as_csv(api: ApiClient) -> None:
    first = schedule(api)
    second = schedule(
        api,
        phoneNumber="+14155550101",
        petName='=HYPERLINK("https://evil.example","Luna")',
        metadata={"consultation_id": "2"},
        scheduledFor="2026-12-02T17:00:00Z",
    )
    schedule(api.as_("clinic-b"), petName="Biscuit")
    response = api.get("/calls/export")
    assert response.status == 200, response.text
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["X-Export-Truncated"] == "false"
    assert "attachment" in response.headers["Content-Disposition"]
    table = rows(response.text)
    assert [row["callId"] for row in table] == [first["callId"], second["callId"]]  # oldest first, one clinic's
    assert list(table[0])[:4] == ["callId", "status", "scheduledFor", "outcome"]
    assert tuple(table[0]) == COLUMNS
    assert table[0]["scheduledFor"] == TUESDAY_9AM_LA
    assert table[0]["status"] == "scheduled"
    assert table[0]["phoneNumber"] == "+14155550100"
    assert table[1]["petName"].startswith("'=HYPERLINK")  # shown as text, never run
    assert "transcript" not in table[0]
    assert "Biscuit" not in response.text


def test_the_window_is_the_lists_and_a_reversed_one_is_422(api: ApiClient) -> None:
    schedule(api)
    later = schedule(api, metadata={"consultation_id": "2"}, scheduledFor="2026-12-02T17:00:00Z")
    response = api.get("/calls/export", query={"from": "2026-12-02T00:00:00Z"})
    assert [row["callId"] for row in rows(response.text)] == [later["callId"]]
    reversed_window = api.get("/calls/export", query={"from": "2026-12-03T00:00:00Z", "to": "2026-12-01T00:00:00Z"})
    assert reversed_window.status == 422


def test_staff_may_not_export(api: ApiClient) -> None:
    response = api.as_("clinic-a", role="staff").get("/calls/export")
    assert response.status == 403


def test_an_export_is_compressed_for_a_client_that_asks(api: ApiClient) -> None:
    schedule(api)
    response = api.get("/calls/export", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"
    assert rows(gzip.decompress(base64.b64decode(response.text)).decode())[0]["petName"] == LUNA["petName"]


def test_more_calls_than_the_limit_are_cut_and_say_so(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(call_export, "EXPORT_MAX_ROWS", 3)
    monkeypatch.setattr(call_export, "EXPORT_PAGE", 2)
    for index in range(5):
        schedule(api, metadata={"consultation_id": str(index)}, phoneNumber=f"+1415555010{index}")
    response = api.get("/calls/export")
    assert len(rows(response.text)) == 3
    assert response.headers["X-Export-Truncated"] == "true"


def test_the_route_is_not_taken_for_a_calls_id(api: ApiClient) -> None:
    body: Any = api.get("/calls/export", headers={"Accept": "application/json"})
    assert body.status == 200
    assert body.text.startswith("callId,")
