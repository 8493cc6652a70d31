"""Every sample event in events/ still runs through its handler and gets the answer its name promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.invoke import _seed_sample_call, invoke
from tests.conftest import AwsStandIns

EVENTS = Path(__file__).resolve().parents[2] / "events"
EXPECTED_STATUS = {
    "health": 200,
    "schedule-call": 201,
    "schedule-call-outside-hours": 201,
    "schedule-call-invalid": 422,
    "schedule-call-as-staff": 403,
    "list-calls": 200,
    "get-call": 200,
    "update-call": 200,
    "cancel-call": 200,
    "call-now": 501,
    "get-settings": 200,
    "put-settings": 200,
    "idexx-preview": 200,
}


def test_every_route_has_a_sample_event() -> None:
    assert {path.stem for path in (EVENTS / "schedule").glob("*.json")} == set(EXPECTED_STATUS)


@pytest.mark.parametrize("name", sorted(EXPECTED_STATUS))
def test_sample_event_runs(aws: AwsStandIns, name: str) -> None:
    _seed_sample_call()
    event = json.loads((EVENTS / "schedule" / f"{name}.json").read_text())
    result = invoke("schedule", event)
    assert result["statusCode"] == EXPECTED_STATUS[name], result["body"]
