"""Every sample event in events/ still runs through its handler and gets the answer its name promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.invoke import _seed_sample_call, sign_if_asked
from tests.conftest import ApiClient, FrozenClock
from tests.support.lifecycle import Stand

EVENTS = Path(__file__).resolve().parents[2] / "events"
EXPECTED_STATUS = {
    "health": 200,
    "schedule-call": 201,
    "schedule-call-outside-hours": 201,
    "schedule-call-invalid": 422,
    "schedule-call-as-staff": 403,
    "list-calls": 200,
    "list-follow-ups": 200,
    "mark-follow-up-not-needed": 409,  # the seeded call was never flagged (a staff member may mark one done)
    "get-call": 200,
    "update-call": 200,
    "cancel-call": 200,
    "call-now": 202,
    "get-settings": 200,
    "put-settings": 200,
    "idexx-preview": 200,
    "list-do-not-call": 200,
    "add-do-not-call": 200,
    "remove-do-not-call": 200,
}


def test_every_route_has_a_sample_event() -> None:
    assert {path.stem for path in (EVENTS / "api").glob("*.json")} == set(EXPECTED_STATUS)


@pytest.mark.parametrize("name", sorted(EXPECTED_STATUS))
def test_sample_event_runs(api: ApiClient, clock: FrozenClock, name: str) -> None:
    clock.now = clock.now.replace(hour=18)  # Monday 10:00 in Los Angeles: open, so "call now" is accepted
    _seed_sample_call(clock)
    event = json.loads((EVENTS / "api" / f"{name}.json").read_text())
    result = api.handle(event)
    assert result["statusCode"] == EXPECTED_STATUS[name], result["body"]


EXECUTE_RESULTS = {
    "scheduled-attempt": "dialed",
    "stale-attempt": "skipped",
    "invalid": "invalid",
    "text-not-due": "skipped",  # the seeded call has no text waiting
}
WEBHOOK_STATUS = {
    "call-ended": 204,
    "call-analyzed": 204,
    "unknown-call": 204,
    "bad-signature": 401,
    "chat-ended": 204,  # a chat of the seeded call, which has no text: nothing changes
}


def test_every_execute_and_webhook_sample_is_listed() -> None:
    assert {path.stem for path in (EVENTS / "execute").glob("*.json")} == set(EXECUTE_RESULTS)
    assert {path.stem for path in (EVENTS / "retell_webhook").glob("*.json")} == set(WEBHOOK_STATUS)


@pytest.mark.parametrize("name", sorted(EXECUTE_RESULTS))
def test_execute_sample_runs(stand: Stand, name: str) -> None:
    stand.clock.now = stand.clock.now.replace(hour=18)  # the seeded call is due now: Monday 10:00 in LA
    _seed_sample_call(stand.clock)
    event = json.loads((EVENTS / "execute" / f"{name}.json").read_text())
    assert stand.invoke("execute", event)["result"] == EXECUTE_RESULTS[name]
    assert stand.dials() == (1 if name == "scheduled-attempt" else 0)


@pytest.mark.parametrize("name", sorted(WEBHOOK_STATUS))
def test_webhook_sample_runs(stand: Stand, name: str) -> None:
    _seed_sample_call(stand.clock)
    event = json.loads((EVENTS / "retell_webhook" / f"{name}.json").read_text())
    assert stand.invoke("retell_webhook", sign_if_asked(event))["statusCode"] == WEBHOOK_STATUS[name]


NOTICES_RECORDED_BY_SAMPLE = {"call-needs-follow-up": 1, "sweep": 0, "digest": 0}
RECONCILE_SAMPLES = {"scheduled", "scheduler-dead-letters", "execute-failures"}


def test_every_sample_folder_and_file_is_covered() -> None:
    assert {path.name for path in EVENTS.iterdir() if path.is_dir()} == {
        "api",
        "execute",
        "retell_webhook",
        "notices",
        "reconcile",
    }
    assert {path.stem for path in (EVENTS / "notices").glob("*.json")} == set(NOTICES_RECORDED_BY_SAMPLE)
    assert {path.stem for path in (EVENTS / "reconcile").glob("*.json")} == RECONCILE_SAMPLES


@pytest.mark.parametrize("name", sorted(NOTICES_RECORDED_BY_SAMPLE))
def test_notices_sample_runs(stand: Stand, name: str) -> None:
    """The stream sample's call record holds its body as base64 text, as Lambda delivers it; its notice is
    recorded for the seeded clinic's one recipient."""
    _seed_sample_call(stand.clock)
    event = json.loads((EVENTS / "notices" / f"{name}.json").read_text())
    answer = stand.invoke("notices", event)
    assert "ignored" not in answer
    assert answer.get("batchItemFailures", []) == []
    assert answer["recorded"] == NOTICES_RECORDED_BY_SAMPLE[name]


@pytest.mark.parametrize("name", sorted(RECONCILE_SAMPLES))
def test_reconcile_sample_runs(stand: Stand, name: str) -> None:
    _seed_sample_call(stand.clock)
    event = json.loads((EVENTS / "reconcile" / f"{name}.json").read_text())
    answer = stand.invoke("reconcile", event)
    if "Records" in event:
        assert answer["batchItemFailures"] == []
    else:
        assert "checked" in answer
