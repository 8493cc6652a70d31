"""The simulated Retell's background delivery: calls side by side, as Retell delivers them, each call's own events
in order (``call_started`` -> ``call_ended`` -> ``call_analyzed``) a step apart, a failed delivery retried up to
three times."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from werkzeug.wrappers import Request, Response

from standins.http_server import BackgroundServer
from standins.retell_sim import RetellSimulator
from standins.retell_sim.scenarios import ANSWERS, NO_ANSWER

KEY = "key_sim_delivery"


@dataclass
class Receiver:
    """A webhook endpoint that records what arrives, answers slowly, and fails the deliveries ``fail`` picks."""

    fail: Callable[[str, str, int], bool] = lambda _call, _event, _seen: False
    seconds_per_request: float = 0.05
    received: list[tuple[str, str, int]] = field(default_factory=list)  # (tag, event, status)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        body = json.loads(Request(environ).get_data(as_text=True))
        call_id, event = body["call"]["metadata"]["call_id"], body["event"]  # the tag _dial gave the call
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            seen = sum(1 for c, e, _ in self.received if (c, e) == (call_id, event))
        time.sleep(self.seconds_per_request)
        status = 500 if self.fail(call_id, event, seen) else 204
        with self.lock:
            self.in_flight -= 1
            self.received.append((call_id, event, status))
        return Response(status=status)(environ, start_response)

    def events_of(self, call_id: str) -> list[tuple[str, int]]:
        with self.lock:
            return [(event, status) for c, event, status in self.received if c == call_id]


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    endpoint = Receiver()
    server = BackgroundServer(endpoint, name="webhook-receiver")
    with server.running():
        yield endpoint, f"{server.url}/webhooks/retell"


def _dial(sim: RetellSimulator, to_number: str, tag: str) -> str:
    response = httpx.post(
        f"{sim.url}/v2/create-phone-call",
        headers={"Authorization": f"Bearer {KEY}"},
        json={"from_number": "+14155559000", "to_number": to_number, "metadata": {"call_id": tag}},
    )
    assert response.status_code == 201
    return tag


def _until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)


STARTED_ENDED_ANALYZED = [("call_started", 204), ("call_ended", 204), ("call_analyzed", 204)]


def test_calls_are_delivered_side_by_side_each_in_its_own_order(receiver: tuple[Receiver, str]) -> None:
    endpoint, url = receiver
    sim = RetellSimulator(KEY, url, step_seconds=0.2, delivery_workers=8)
    with sim.running():
        answered = [_dial(sim, ANSWERS, f"a{i}") for i in range(12)]
        unanswered = [_dial(sim, NO_ANSWER, f"n{i}") for i in range(4)]
        _until(lambda: len(endpoint.received) == 12 * 3 + 4 * 2, 20)
        time.sleep(0.3)  # nothing more comes
    assert len(endpoint.received) == 12 * 3 + 4 * 2
    assert all(endpoint.events_of(call) == STARTED_ENDED_ANALYZED for call in answered)
    assert all(endpoint.events_of(call) == [("call_ended", 204), ("call_analyzed", 204)] for call in unanswered)
    assert endpoint.most_in_flight > 1  # one at a time before: 44 webhooks took 44 steps
    assert sim.pending() == []


def test_a_failed_delivery_is_retried_up_to_three_times_before_the_calls_next_event(
    receiver: tuple[Receiver, str],
) -> None:
    endpoint, url = receiver
    endpoint.fail = lambda call, event, seen: (
        (call == "flaky" and event == "call_ended" and seen < 2) or (call == "down" and event == "call_started")
    )
    sim = RetellSimulator(KEY, url, step_seconds=0.1, delivery_workers=4)
    with sim.running():
        flaky, down = _dial(sim, ANSWERS, "flaky"), _dial(sim, ANSWERS, "down")
        _until(lambda: len(endpoint.events_of(flaky)) == 5 and len(endpoint.events_of(down)) == 6, 20)
        time.sleep(0.4)
    assert endpoint.events_of(flaky) == [
        ("call_started", 204),
        ("call_ended", 500),
        ("call_ended", 500),
        ("call_ended", 204),
        ("call_analyzed", 204),
    ]
    # the first delivery and three retries, then Retell gives up on that event and goes on with the call
    assert endpoint.events_of(down) == [("call_started", 500)] * 4 + [("call_ended", 204), ("call_analyzed", 204)]


def test_without_auto_delivery_webhooks_wait_for_flush(receiver: tuple[Receiver, str]) -> None:
    endpoint, url = receiver
    sim = RetellSimulator(KEY, url, step_seconds=0.05, auto_deliver=False)
    with sim.running():
        first, second = _dial(sim, ANSWERS, "one"), _dial(sim, NO_ANSWER, "two")
        time.sleep(0.3)
        assert endpoint.received == []
        assert [(json.loads(hook.body)["call"]["metadata"]["call_id"], hook.event) for hook in sim.pending()] == [
            (first, "call_started"),
            (first, "call_ended"),
            (first, "call_analyzed"),
            (second, "call_ended"),
            (second, "call_analyzed"),
        ]
        assert sim.flush() == [204] * 5
        assert sim.pending() == []
    assert [(call, event) for call, event, _ in endpoint.received] == [
        (first, "call_started"),
        (first, "call_ended"),
        (first, "call_analyzed"),
        (second, "call_ended"),
        (second, "call_analyzed"),
    ]
