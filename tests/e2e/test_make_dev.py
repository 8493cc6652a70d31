"""``make dev`` as a user runs it: started in a subprocess on free ports, used over real HTTP with a token from
``make token``, stopped with Ctrl-C (SIGINT), leaving no process and no port behind."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from standins import dev_process, iam_harness
from standins.daytime import daytime_number
from standins.dev_process import wait_for
from standins.http_server import port_in_use

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class DevStack:
    process: subprocess.Popen[str]
    url: str
    sim_url: str
    ports: list[int]
    token: str
    web_url: str
    moto_port: int
    output: list[str] = field(default_factory=list)

    def client(self, token: str | None = None) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token or self.token}"}, timeout=10)

    def sim_calls(self) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.sim_url}/_sim/calls", timeout=5).json())


def make_token(clinic: str, role: str = "admin") -> str:
    result = subprocess.run(
        ["make", "-s", "token", f"CLINIC={clinic}", f"ROLE={role}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    tally = tmp_path_factory.mktemp("iam") / "iam-requests.json"
    started = dev_process.start({"IAM_TALLY": str(tally)})
    try:
        token = started.wait_ready()
        yield DevStack(
            started.process,
            started.url,
            started.sim_url,
            started.ports,
            token,
            started.web_url,
            started.moto_port,
            started.output,
        )
    finally:
        started.interrupt()  # Ctrl-C
    # make itself reports the interrupt (-2 or 2); what matters is that the stack shut down cleanly
    output = started.output
    assert any("stopped: API," in line and "scheduler loop" in line for line in output), "".join(output[-40:])
    # Every AWS request make dev's functions made was allowed by their roles in the synthesized stack.
    assert not [line for line in output if "IAM REFUSED" in line], "".join(output[-40:])
    iam_harness.merge(json.loads(tally.read_text()))  # into this session's tally (tests/conftest.py)
    wait_for(started.group_gone, 10)  # nothing of the process group is left
    assert not any(port_in_use(port) for port in started.ports)


def at(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def schedule(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    """Schedule a call soon: the scenario's number under a prefix whose owners are inside calling hours now, with
    the owner's consent and the clinic's name and callback number."""
    body = {
        "petName": "Luna",
        "ownerName": "Sarah Johnson",
        "clinicName": "Paws & Claws",
        "clinicPhone": "+14155559876",
        "consent": {"given": True, "method": "verbal_at_discharge"},
        **fields,
        "phoneNumber": daytime_number(
            fields.get("phoneNumber", "+14155550100"),
            until=datetime.fromisoformat(fields["scheduledFor"]) if "scheduledFor" in fields else None,
        ),
    }
    response = client.post("/calls/schedule", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


def wait_until(client: httpx.Client, call_id: str, statuses: set[str], timeout: float) -> dict[str, Any]:
    def current() -> dict[str, Any] | None:
        call = client.get(f"/calls/{call_id}").json()["data"]
        return call if call["status"] in statuses else None

    return dict(wait_for(current, timeout))


def test_health_and_tokens(dev: DevStack) -> None:
    assert httpx.get(f"{dev.url}/health").json() == {"status": "ok"}
    assert httpx.get(f"{dev.url}/calls").status_code == 401
    assert httpx.get(f"{dev.url}/calls", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    with dev.client(make_token("demo", "staff")) as staff:
        assert staff.get("/calls").status_code == 200
        assert staff.post("/calls/schedule", json={}).status_code == 403
    # the extension's settings page fetches a development token (with CORS for its origin)
    origin = {"Origin": "chrome-extension://oeckfognfcjnjiompgndknhkephdongp"}
    fetched = httpx.post(f"{dev.url}/local/token", json={"clinicId": "demo", "role": "admin"}, headers=origin)
    assert fetched.headers["Access-Control-Allow-Origin"] == origin["Origin"]
    with dev.client(fetched.json()["token"]) as admin:
        assert admin.get("/clinic/settings").json()["data"]["timezone"] == "America/Los_Angeles"


def test_no_other_web_page_gets_a_token_the_outbox_or_moto(dev: DevStack) -> None:
    """A page on any site can make the browser send requests to localhost; its Origin gives it away."""
    evil = {"Origin": "http://evil.example"}
    refused = httpx.post(f"{dev.url}/local/token", json={"clinicId": "demo", "role": "admin"}, headers=evil)
    assert refused.status_code == 403
    assert "token" not in refused.text
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert httpx.get(f"{dev.url}/local/outbox", headers=evil).status_code == 403
    dashboard = {"Origin": dev.web_url}  # the dashboard's own page lists the outbox
    assert httpx.get(f"{dev.url}/local/outbox", headers=dashboard).status_code == 200
    moto = f"http://127.0.0.1:{dev.moto_port}/"
    form = {"Action": "ListQueues", "Version": "2012-11-05"}
    assert httpx.post(moto, data=form, headers=evil).status_code == 403
    preflight = httpx.options(moto, headers={**evil, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert httpx.post(moto, data=form).status_code == 200  # boto3 sends no Origin


def test_the_banner_names_the_api_reference_and_it_is_served(dev: DevStack) -> None:
    line = next(line for line in dev.output if line.strip().startswith("API reference"))
    url = line.split()[2]
    assert url.endswith("/api-docs/"), line
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200
    assert "swagger-ui-bundle.js" in page.text
    document = httpx.get(f"{url}openapi.json", timeout=10).json()
    assert document["servers"][0]["url"] == dev.url  # "Try it out" calls this stack


def test_a_scheduled_call_fires_on_time_and_completes(dev: DevStack) -> None:
    with dev.client() as client:
        call = schedule(client, scheduledFor=at(3))
        wait_until(client, call["callId"], {"completed", "failed"}, 30)
        done = wait_for(lambda: (c := client.get(f"/calls/{call['callId']}").json()["data"])["analysis"] and c, 10)
    assert done["status"] == "completed"
    assert done["transcript"]
    assert done["analysis"]["successful"] is True
    (dial,) = [c for c in dev.sim_calls() if c["metadata"]["call_id"] == call["callId"]]
    lag = datetime.fromisoformat(dial["received_at"]) - datetime.fromisoformat(call["scheduledFor"])
    assert lag < timedelta(seconds=5)  # "within seconds": the loop ticks every 0.5 s, the CI machine is shared


def test_no_answer_is_retried_and_then_fails(dev: DevStack) -> None:
    with dev.client(make_token("e2e-retry")) as client:
        settings = client.get("/clinic/settings").json()["data"]
        hours = {day: [["00:00", "24:00"]] for day in settings["businessHours"]}
        retry = {"maxRetries": 1, "backoffSeconds": [60], "retryOnVoicemail": False}
        assert client.put("/clinic/settings", json={**settings, "businessHours": hours, "retry": retry}).is_success
        call = schedule(client, phoneNumber="+14155550101", scheduledFor=at(2))
        retrying = wait_until(client, call["callId"], {"scheduled"}, 5)
        retrying = wait_for(
            lambda: (c := client.get(f"/calls/{call['callId']}").json()["data"])["attempt"] == 2 and c, 20
        )
        assert retrying["status"] == "scheduled"
        done = wait_until(client, call["callId"], {"completed", "failed"}, 100)
    assert (done["status"], done["attempt"], done["outcome"]) == ("failed", 2, "no_answer")
    assert len([c for c in dev.sim_calls() if c["metadata"]["call_id"] == call["callId"]]) == 2


def test_a_call_cancelled_before_its_time_is_never_dialed(dev: DevStack) -> None:
    with dev.client() as client:
        call = schedule(client, scheduledFor=at(4))
        assert client.post(f"/calls/{call['callId']}/cancel").status_code == 200
        time.sleep(7)
        assert client.get(f"/calls/{call['callId']}").json()["data"]["status"] == "cancelled"
    assert [c for c in dev.sim_calls() if c["metadata"]["call_id"] == call["callId"]] == []


def test_call_now_dials_at_once(dev: DevStack) -> None:
    with dev.client() as client:
        call = schedule(client, scheduledFor=at(3600))
        assert client.post(f"/calls/{call['callId']}/call-now").status_code == 202
        done = wait_until(client, call["callId"], {"completed", "failed"}, 30)
    assert done["status"] == "completed"


def test_the_logs_are_one_line_per_step_with_the_call_first(dev: DevStack) -> None:
    lines = [line for line in dev.output if " call " in line[:22] and "call dialed" in line]
    assert lines
    assert not any(line.startswith('{"_aws"') for line in dev.output)  # metrics stay out of the terminal


def test_a_pet_doing_worse_reaches_the_outbox_and_the_worklist(dev: DevStack) -> None:
    with dev.client() as client:
        call = schedule(client, scheduledFor=at(3), phoneNumber="+14155550112")

        def told() -> list[dict[str, Any]]:
            entries = httpx.get(f"{dev.url}/local/outbox").json()
            mine = [entry for entry in entries if entry["callId"] == call["callId"]]
            return mine if len(mine) >= 2 else []

        entries = wait_for(told, 40)
        worklist = client.get("/calls", params={"needsFollowUp": "true"}).json()["data"]["items"]
    assert {(entry["event"], entry["channel"]) for entry in entries} == {
        ("needs_follow_up", "email"),
        ("needs_follow_up", "chat"),
    }
    assert call["callId"] in [item["callId"] for item in worklist]


def test_an_unanswered_owner_is_texted_and_a_stop_reply_lists_the_number(dev: DevStack) -> None:
    with dev.client(make_token("e2e-texts")) as client:
        settings = client.get("/clinic/settings").json()["data"]
        changed = {
            **settings,
            "businessHours": {day: [["00:00", "24:00"]] for day in settings["businessHours"]},
            "retry": {"maxRetries": 0, "backoffSeconds": [60], "retryOnVoicemail": False},
            "textFollowUp": {"enabled": True, "when": ["no_answer"], "delayMinutes": 0},
            "agents": {"es-US": {"agentId": "agent_e2e_es", "textAgentId": "agent_e2e_es_text"}},
        }
        assert client.put("/clinic/settings", json=changed).is_success
        consent = {"given": True, "method": "verbal_at_discharge", "channels": ["call", "text"]}
        texted = schedule(client, phoneNumber="+14155550101", scheduledFor=at(2), consent=consent)
        stop = schedule(
            client, phoneNumber="+14155550117", scheduledFor=at(2), consent=consent, metadata={"consultation_id": "s"}
        )
        silent = schedule(client, phoneNumber="+14155550101", scheduledFor=at(2), metadata={"consultation_id": "n"})
        spanish = schedule(client, scheduledFor=at(2), language="es-US", metadata={"consultation_id": "es"})

        def text_over(call_id: str) -> dict[str, Any] | None:
            call = client.get(f"/calls/{call_id}").json()["data"]
            return call if call["text"] and call["text"]["status"] in {"replied", "ended", "failed"} else None

        replied = wait_for(lambda: text_over(texted["callId"]), 60)
        opted_out = wait_for(lambda: text_over(stop["callId"]), 60)
        not_texted = wait_until(client, silent["callId"], {"failed"}, 30)
        wait_until(client, spanish["callId"], {"completed"}, 30)
        listed = client.get("/clinic/do-not-call").json()["data"]["items"]
    assert replied["text"]["status"] == "replied"
    assert "User:" in replied["text"]["transcript"]
    assert opted_out["text"]["status"] == "replied"
    assert [entry["source"] for entry in listed if entry["phoneNumber"] == stop["phoneNumber"]] == ["owner_request"]
    assert (not_texted["text"]["status"], not_texted["text"]["reason"]) == ("skipped", "no_text_consent")
    chats = httpx.get(f"{dev.sim_url}/_sim/chats", timeout=5).json()
    assert sorted(
        chat["metadata"]["call_id"] for chat in chats if chat["metadata"]["clinic_id"] == "e2e-texts"
    ) == sorted([texted["callId"], stop["callId"]])
    (dial,) = [c for c in dev.sim_calls() if c["metadata"]["call_id"] == spanish["callId"]]
    assert dial["agent_id"] == "agent_e2e_es"


def test_answers_and_misses_show_at_the_owners_hour_and_a_window_is_placed_at_the_best_time(dev: DevStack) -> None:
    from zoneinfo import ZoneInfo

    from shared.models.phone import phone_time_zones

    with dev.client(make_token("e2e-answer-rates")) as client:
        settings = client.get("/clinic/settings").json()["data"]
        changed = {
            **settings,
            "businessHours": {day: [["00:00", "24:00"]] for day in settings["businessHours"]},
            "retry": {"maxRetries": 0, "backoffSeconds": [60], "retryOnVoicemail": False},
        }
        assert client.put("/clinic/settings", json=changed).is_success
        answered = schedule(client, phoneNumber="+14155550100", scheduledFor=at(2))
        missed = schedule(client, phoneNumber="+14155550101", scheduledFor=at(2), metadata={"consultation_id": "m"})
        done = [wait_until(client, c["callId"], {"completed", "failed"}, 30) for c in (answered, missed)]
        rates = wait_for(
            lambda: (r := client.get("/clinic/answer-rates", params={"days": 7}).json()["data"])["cells"] and r, 20
        )
        start = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
        window = {"from": start.isoformat(), "to": (start + timedelta(hours=6)).isoformat()}
        placed = schedule(client, window=window, metadata={"consultation_id": "w"})
        both = client.post(
            "/calls/schedule",
            json={**placed, "window": window, "scheduledFor": at(3600), "metadata": {"consultation_id": "x"}},
        )
    cells = {(cell["weekday"], cell["hour"]): (cell["dials"], cell["answered"]) for cell in rates["cells"]}
    expected: dict[tuple[str, int], list[int]] = {}
    for call in done:
        dialed = datetime.fromisoformat(call["attempts"][0]["dialedAt"] or call["attempts"][0]["claimedAt"])
        local = dialed.astimezone(ZoneInfo(phone_time_zones(call["phoneNumber"])[0]))
        cell = expected.setdefault((local.strftime("%a").lower(), local.hour), [0, 0])
        cell[0] += 1
        cell[1] += int(call["outcome"] == "answered")
    assert {key: tuple(value) for key, value in expected.items()} == {key: cells[key] for key in expected}
    chosen_at = datetime.fromisoformat(placed["scheduledFor"])
    assert start <= chosen_at < start + timedelta(hours=6) or placed["rescheduled"]
    assert placed["chosen"]["reason"] in {"best_answer_rate", "earliest_open"}
    assert both.status_code == 422
