"""The simulated Retell as the system meets it, through the real retell-sdk over HTTP: what each test number does
(under any US area code), the account-wide fault switches, get-call and list-calls, and agents and LLMs."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import retell
from retell.types.call_list_params import FilterCriteria
from werkzeug.wrappers import Request, Response

from standins.http_server import BackgroundServer
from standins.retell_sim import RetellSimulator
from standins.retell_sim import scenarios as numbers
from tests.conftest import FrozenClock

KEY = "key_sim_scenarios"
FROM = "+14155559000"
CONNECTED = ["call_started", "call_ended", "call_analyzed"]
NOT_CONNECTED = ["call_ended", "call_analyzed"]
NO_FAULTS = {"createPhoneCall": "ok", "webhooks": "deliver", "listLagSeconds": 0}
ANALYSIS_FIELDS = {"pet_condition", "owner_concerns", "callback_requested", "do_not_call_requested"}


@dataclass
class Receiver:
    """A webhook endpoint that records each event by the ``tag`` in the call's metadata."""

    received: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        body = json.loads(Request(environ).get_data(as_text=True))
        with self.lock:
            self.received.append((body["call"]["metadata"].get("tag", "?"), body["event"]))
        return Response(status=204)(environ, start_response)

    def events_of(self, tag: str) -> list[str]:
        with self.lock:
            return [event for t, event in self.received if t == tag]


@dataclass
class Rig:
    sim: RetellSimulator
    client: retell.Retell
    receiver: Receiver

    def dial(self, to_number: str, tag: str, **extra: Any) -> Any:
        return self.client.call.create_phone_call(
            from_number=FROM, to_number=to_number, metadata={"tag": tag, **extra.pop("metadata", {})}, **extra
        )

    def sim_log(self) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.sim.url}/_sim/calls").json())

    def faults(self, body: Any) -> httpx.Response:
        return httpx.post(f"{self.sim.url}/_sim/faults", json=body)


def _receiver_url(server: BackgroundServer) -> str:
    return f"{server.url}/webhooks/retell"


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    endpoint = Receiver()
    server = BackgroundServer(endpoint, name="webhook-receiver")
    with server.running():
        yield endpoint, _receiver_url(server)


@pytest.fixture
def rig(receiver: tuple[Receiver, str]) -> Iterator[Rig]:
    endpoint, url = receiver
    sim = RetellSimulator(KEY, url, step_seconds=0.02, delivery_workers=4, slow_dial_seconds=1.0)
    with sim.running():
        yield Rig(sim, retell.Retell(api_key=KEY, base_url=sim.url, max_retries=0), endpoint)


def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.02)


def custom_analysis(call: Any) -> dict[str, Any]:
    assert call.call_analysis is not None
    data = call.call_analysis.custom_analysis_data
    assert isinstance(data, dict)
    return data


def settled(rig: Rig) -> None:
    """Every webhook due has been delivered or dropped (and a few steps more passed, for any that should not)."""
    until(lambda: rig.sim.pending() == [] and httpx.get(f"{rig.sim.url}/_sim/health").json()["webhooksPending"] == 0)
    time.sleep(0.15)


# (number, disconnection_reason, call_status, webhooks, in_voicemail, successful, sentiment, custom analysis)
FIRST_CALLS = [
    (numbers.ANSWERS, "agent_hangup", "ended", CONNECTED, False, True, "Positive", "improving"),
    (numbers.NO_ANSWER, "dial_no_answer", "not_connected", NOT_CONNECTED, False, False, "Unknown", None),
    (numbers.BUSY, "dial_busy", "not_connected", NOT_CONNECTED, False, False, "Unknown", None),
    (numbers.DIAL_FAILED, "dial_failed", "not_connected", NOT_CONNECTED, False, False, "Unknown", None),
    (numbers.VOICEMAIL, "voicemail_reached", "ended", CONNECTED, True, False, "Neutral", None),
    (numbers.OWNER_HANGS_UP, "user_hangup", "ended", CONNECTED, False, False, "Neutral", "unknown"),
    (numbers.NO_ANSWER_THEN_ANSWERS, "dial_no_answer", "not_connected", NOT_CONNECTED, False, False, "Unknown", None),
    (numbers.WEBHOOKS_LOST, "agent_hangup", "ended", [], False, True, "Positive", "improving"),
    (numbers.VOICEMAIL_UNDETECTED, "agent_hangup", "ended", CONNECTED, True, False, "Unknown", None),
    (numbers.PET_WORSE, "agent_hangup", "ended", CONNECTED, False, False, "Negative", "worse"),
    (numbers.CALLBACK_REQUESTED, "user_requested_callback", "ended", CONNECTED, False, False, "Neutral", "unknown"),
    (numbers.DO_NOT_CALL_REQUESTED, "user_requested_dnc", "ended", CONNECTED, False, False, "Negative", "unknown"),
    (
        numbers.PROVIDER_UNAVAILABLE_ONCE,
        "telephony_provider_unavailable",
        "not_connected",
        NOT_CONNECTED,
        False,
        False,
        "Unknown",
        None,
    ),
    (numbers.NO_PAYMENT_ONCE, "no_valid_payment", "error", NOT_CONNECTED, False, False, "Unknown", None),
]


AREA_CODES = ["415", "212", "907", "305", "808"]


@pytest.mark.parametrize(
    ("area_code", "number", "reason", "status", "webhooks", "voicemail", "successful", "sentiment", "condition"),
    [(AREA_CODES[index % len(AREA_CODES)], *row) for index, row in enumerate(FIRST_CALLS)],
)
def test_each_numbers_first_call_ends_as_the_contract_says_under_any_area_code(
    rig: Rig,
    area_code: str,
    number: str,
    reason: str,
    status: str,
    webhooks: list[str],
    voicemail: bool,
    successful: bool,
    sentiment: str,
    condition: str | None,
) -> None:
    to_number = f"+1{area_code}{number[-7:]}"
    placed = rig.dial(to_number, "first")
    assert (placed.call_status, placed.to_number) == ("registered", to_number)

    call = rig.client.call.retrieve(placed.call_id)  # final at once
    assert (call.call_status, call.disconnection_reason) == (status, reason)
    analysis = call.call_analysis
    assert analysis is not None
    assert (analysis.in_voicemail, analysis.call_successful, analysis.user_sentiment) == (
        voicemail,
        successful,
        sentiment,
    )
    assert analysis.call_summary
    if condition is None:
        assert analysis.custom_analysis_data is None  # no conversation: Retell extracts nothing
    else:
        assert isinstance(analysis.custom_analysis_data, dict)
        assert set(analysis.custom_analysis_data) == ANALYSIS_FIELDS
        assert analysis.custom_analysis_data["pet_condition"] == condition
    connected = status == "ended"
    assert (call.transcript is not None, call.recording_url is not None) == (connected, connected)
    assert (call.start_timestamp is not None) == connected
    assert call.end_timestamp is not None
    if connected:
        assert call.duration_ms == call.end_timestamp - (call.start_timestamp or 0) > 0

    settled(rig)
    assert rig.receiver.events_of("first") == webhooks


def test_what_the_owner_says_is_in_the_analysis(rig: Rig) -> None:
    worse = rig.client.call.retrieve(rig.dial(numbers.PET_WORSE, "worse").call_id)
    callback = rig.client.call.retrieve(rig.dial(numbers.CALLBACK_REQUESTED, "callback").call_id)
    dnc = rig.client.call.retrieve(rig.dial(numbers.DO_NOT_CALL_REQUESTED, "dnc").call_id)
    answered = rig.client.call.retrieve(rig.dial(numbers.ANSWERS, "answered").call_id)
    data = [custom_analysis(call) for call in (worse, callback, dnc, answered)]
    assert data[0]["pet_condition"] == "worse"
    assert "swollen" in data[0]["owner_concerns"]
    assert [(d["callback_requested"], d["do_not_call_requested"]) for d in data] == [
        (False, False),
        (True, False),
        (False, True),
        (False, False),
    ]
    assert data[3] == {
        "pet_condition": "improving",
        "owner_concerns": "",
        "callback_requested": False,
        "do_not_call_requested": False,
    }
    assert "worse" in (worse.transcript or "")
    assert "call me back" in (callback.transcript or "")
    assert "don't call me again" in (dnc.transcript or "")


def test_voicemail_without_detection_is_a_short_greeting_ended_by_the_agent(rig: Rig) -> None:
    call = rig.client.call.retrieve(rig.dial(numbers.VOICEMAIL_UNDETECTED, "box").call_id)
    assert call.disconnection_reason == "agent_hangup"
    assert call.call_analysis is not None
    assert call.call_analysis.in_voicemail is True
    assert "leave a message" in (call.transcript or "")
    assert (call.duration_ms or 0) < 60_000


@pytest.mark.parametrize(
    ("number", "first_reason"),
    [
        (numbers.NO_ANSWER_THEN_ANSWERS, "dial_no_answer"),
        (numbers.PROVIDER_UNAVAILABLE_ONCE, "telephony_provider_unavailable"),
        (numbers.NO_PAYMENT_ONCE, "no_valid_payment"),
    ],
)
def test_first_call_numbers_answer_from_the_second_call_counted_per_full_number(
    rig: Rig, number: str, first_reason: str
) -> None:
    other_area = f"+1212{number[-7:]}"
    reasons = [
        rig.client.call.retrieve(rig.dial(to_number, f"c{index}").call_id).disconnection_reason
        for index, to_number in enumerate([number, number, number, other_area, other_area])
    ]
    assert reasons == [first_reason, "agent_hangup", "agent_hangup", first_reason, "agent_hangup"]


@pytest.mark.parametrize(
    ("number", "status", "error"),
    [(numbers.RATE_LIMITED_ONCE, 429, retell.RateLimitError), (numbers.TIMES_OUT_ONCE, 408, retell.APIStatusError)],
)
def test_refused_once_numbers_place_nothing_then_answer(
    rig: Rig, number: str, status: int, error: type[retell.APIStatusError]
) -> None:
    with pytest.raises(error) as refused:
        rig.dial(number, "refused", idempotency_key="k1")
    assert refused.value.status_code == status
    assert isinstance(refused.value.body, dict)
    assert refused.value.body["status"] == "error"
    assert rig.sim.placed_call_ids() == []
    placed = rig.dial(number, "refused", idempotency_key="k1")  # the same dial again: nothing was kept for its key
    assert rig.client.call.retrieve(placed.call_id).disconnection_reason == "agent_hangup"
    with pytest.raises(error):  # another area code: its own first request
        rig.dial(f"+1646{number[-7:]}", "other")
    assert [(entry["status_code"], entry["call_id"]) for entry in rig.sim_log()] == [
        (status, None),
        (201, placed.call_id),
        (status, None),
    ]
    settled(rig)
    assert rig.receiver.events_of("refused") == CONNECTED


def test_a_slow_dial_is_placed_at_once_and_answered_after_the_knob(rig: Rig) -> None:
    answers: list[tuple[str, float]] = []

    def dial() -> None:
        started = time.monotonic()
        placed = rig.dial(numbers.SLOW_DIAL, "slow", idempotency_key="slow-1")
        answers.append((placed.call_id, time.monotonic() - started))

    thread = threading.Thread(target=dial)
    thread.start()
    until(lambda: len(rig.sim.placed_call_ids()) == 1, timeout=0.8)  # placed before the answer
    (call_id,) = rig.sim.placed_call_ids()
    assert rig.client.call.retrieve(call_id).disconnection_reason == "agent_hangup"
    thread.join(timeout=5)
    ((answered_id, took),) = answers
    assert answered_id == call_id
    assert took >= rig.sim.slow_dial_seconds
    started = time.monotonic()
    repeat = rig.dial(numbers.SLOW_DIAL, "slow", idempotency_key="slow-1")  # a retry of the finished request
    assert repeat.call_id == call_id
    assert time.monotonic() - started < 0.5  # answered with the placed call, at once
    assert rig.sim.placed_call_ids() == [call_id]


def test_a_repeat_while_the_first_request_is_in_flight_is_a_second_call(rig: Rig) -> None:
    """Retell documents the idempotency key for retries of a finished request only: a resend of a slow dial that is
    still being answered rings the owner a second time."""
    first = threading.Thread(target=lambda: rig.dial(numbers.SLOW_DIAL, "slow", idempotency_key="slow-2"))
    first.start()
    until(lambda: len(rig.sim.placed_call_ids()) == 1, timeout=0.8)
    impatient = retell.Retell(api_key=KEY, base_url=rig.sim.url, max_retries=0, timeout=0.2)
    with pytest.raises(retell.APITimeoutError):  # the resend is slow too: a slow-dial number
        impatient.call.create_phone_call(from_number=FROM, to_number=numbers.SLOW_DIAL, idempotency_key="slow-2")
    first.join(timeout=5)
    assert len(rig.sim.placed_call_ids()) == 2
    log = rig.sim_log()
    assert [entry["call_id"] for entry in log] == rig.sim.placed_call_ids()
    time.sleep(rig.sim.slow_dial_seconds + 0.1)  # the resend, given up by its client, is answered meanwhile
    after = rig.dial(numbers.SLOW_DIAL, "slow", idempotency_key="slow-2")  # once finished: the first call's
    assert after.call_id == rig.sim.placed_call_ids()[0]


def test_a_client_that_gives_up_on_a_slow_dial_finds_the_call_by_listing(rig: Rig) -> None:
    impatient = retell.Retell(api_key=KEY, base_url=rig.sim.url, max_retries=0, timeout=0.3)
    with pytest.raises(retell.APITimeoutError):
        impatient.call.create_phone_call(
            from_number=FROM, to_number="+13125550109", metadata={"tag": "gave-up", "dial_key": "d1"}
        )
    found = rig.client.call.list(
        filter_criteria={"metadata": [{"key": "dial_key", "type": "string", "op": "eq", "value": "d1"}]}
    )
    assert [item.call_id for item in found.items] == rig.sim.placed_call_ids()


def test_the_webhook_lost_number_is_known_only_to_get_and_list(rig: Rig) -> None:
    placed = rig.dial(numbers.WEBHOOKS_LOST, "lost", metadata={"batch": "lost"})
    listed = rig.client.call.list(
        filter_criteria={"metadata": [{"key": "batch", "type": "string", "op": "eq", "value": "lost"}]}
    )
    assert [(item.call_id, item.call_status, item.disconnection_reason) for item in listed.items] == [
        (placed.call_id, "ended", "agent_hangup")
    ]
    full = rig.client.call.retrieve(placed.call_id)
    assert full.transcript
    assert full.call_analysis is not None
    assert full.call_analysis.call_successful is True
    settled(rig)
    assert rig.receiver.received == []
    assert rig.sim.pending() == []
    assert rig.sim.dropped() == []  # never sent at all, not dropped by the switch


# -- account-wide faults ------------------------------------------------------------------------------------------


def test_the_create_phone_call_switch_refuses_every_dial_until_ok(rig: Rig) -> None:
    assert httpx.get(f"{rig.sim.url}/_sim/faults").json() == NO_FAULTS
    before = rig.dial(numbers.ANSWERS, "before", idempotency_key="before")

    switched = rig.faults({"createPhoneCall": "402"})
    assert (switched.status_code, switched.json()) == (200, {**NO_FAULTS, "createPhoneCall": "402"})
    with pytest.raises(retell.APIStatusError) as unpaid:
        rig.dial(numbers.ANSWERS, "unpaid")
    assert unpaid.value.status_code == 402
    assert unpaid.value.body == {"status": "error", "message": "Trial has ended, please add payment method."}
    with pytest.raises(retell.APIStatusError):  # even a repeat of a placed dial: the account is refused
        rig.dial(numbers.ANSWERS, "before", idempotency_key="before")

    assert rig.faults({"createPhoneCall": "401"}).status_code == 200
    with pytest.raises(retell.AuthenticationError):
        rig.dial(numbers.ANSWERS, "revoked")
    assert httpx.get(f"{rig.sim.url}/_sim/faults").json() == {**NO_FAULTS, "createPhoneCall": "401"}
    assert rig.client.call.retrieve(before.call_id).call_id == before.call_id  # only create-phone-call is refused

    assert rig.faults({"createPhoneCall": "ok"}).json()["createPhoneCall"] == "ok"
    after = rig.dial(numbers.ANSWERS, "after")
    assert rig.sim.placed_call_ids() == [before.call_id, after.call_id]
    assert [(entry["status_code"], entry["call_id"]) for entry in rig.sim_log()] == [
        (201, before.call_id),
        (402, None),
        (402, None),
        (401, None),
        (201, after.call_id),
    ]


def test_dropped_webhooks_are_lost_and_delivery_resumes_for_what_falls_due_later(rig: Rig) -> None:
    assert rig.faults({"webhooks": "drop"}).json() == {**NO_FAULTS, "webhooks": "drop"}
    rig.dial(numbers.ANSWERS, "during")
    rig.dial(numbers.NO_ANSWER, "during-unanswered")
    settled(rig)
    assert sorted(hook.event for hook in rig.sim.dropped()) == sorted(CONNECTED + NOT_CONNECTED)
    assert httpx.get(f"{rig.sim.url}/_sim/health").json()["webhooksDropped"] == 5

    assert rig.faults({"webhooks": "deliver"}).json()["webhooks"] == "deliver"
    rig.dial(numbers.ANSWERS, "after")
    settled(rig)
    assert rig.receiver.events_of("after") == CONNECTED
    assert rig.receiver.events_of("during") == []  # lost, not delivered late
    assert rig.receiver.events_of("during-unanswered") == []


def test_flush_drops_while_switched_to_drop(receiver: tuple[Receiver, str]) -> None:
    endpoint, url = receiver
    with RetellSimulator(KEY, url, auto_deliver=False).running() as sim:
        client = retell.Retell(api_key=KEY, base_url=sim.url, max_retries=0)
        client.call.create_phone_call(from_number=FROM, to_number=numbers.ANSWERS, metadata={"tag": "held"})
        assert sim.set_faults(webhooks="drop") == {**NO_FAULTS, "webhooks": "drop"}
        assert sim.flush() == []
        assert [hook.event for hook in sim.dropped()] == CONNECTED
        sim.set_faults(webhooks="deliver")
        client.call.create_phone_call(from_number=FROM, to_number=numbers.ANSWERS, metadata={"tag": "later"})
        assert sim.flush() == [204, 204, 204]
    assert endpoint.received == [("later", event) for event in CONNECTED]


@pytest.mark.parametrize(
    "body",
    [
        {"createPhoneCall": "500"},
        {"createPhoneCall": 402},
        {"webhooks": "later"},
        {"webhooks": "drop", "createPhoneCall": "nope"},
        {"kind": "hang_after_create"},
        {"listLagSeconds": -1},
        {"listLagSeconds": "60"},
        {"listLagSeconds": True},
        {},
        ["webhooks", "drop"],
    ],
)
def test_invalid_fault_switches_are_refused_and_change_nothing(rig: Rig, body: Any) -> None:
    response = rig.faults(body)
    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert httpx.get(f"{rig.sim.url}/_sim/faults").json() == NO_FAULTS


def test_the_python_switches_check_their_values(rig: Rig) -> None:
    with pytest.raises(ValueError, match="createPhoneCall"):
        rig.sim.set_faults(create_phone_call="503")  # type: ignore[arg-type]
    assert rig.sim.set_faults(create_phone_call="401", webhooks="drop") == {
        "createPhoneCall": "401",
        "webhooks": "drop",
        "listLagSeconds": 0,
    }
    # None leaves a switch as it is
    assert rig.sim.set_faults() == {"createPhoneCall": "401", "webhooks": "drop", "listLagSeconds": 0}
    assert httpx.get(f"{rig.sim.url}/_sim/faults").json() == rig.sim.faults()


# -- get-call and list-calls --------------------------------------------------------------------------------------


def test_get_call_signs_a_fresh_recording_link_each_time_and_it_expires(receiver: tuple[Receiver, str]) -> None:
    clock = FrozenClock("2026-11-23T17:30:00+00:00")
    with RetellSimulator(KEY, receiver[1], clock=clock, auto_deliver=False).running() as sim:
        client = retell.Retell(api_key=KEY, base_url=sim.url, max_retries=0)
        placed = client.call.create_phone_call(from_number=FROM, to_number=numbers.ANSWERS)
        first, second = (client.call.retrieve(placed.call_id).recording_url or "" for _ in range(2))
        assert first != second
        assert "expires=" in first
        assert httpx.get(first).headers["content-type"] == "audio/wav"
        assert httpx.get(second).status_code == 200
        assert httpx.get(first.replace("signature=", "signature=0")).status_code == 403
        clock.advance(hours=25)
        assert httpx.get(first).status_code == 403  # expired, as Retell's links do
        assert httpx.get(client.call.retrieve(placed.call_id).recording_url or "").status_code == 200
        webhook_call = json.loads(sim.pending()[1].body)["call"]  # call_ended carries a link too
        assert webhook_call["recording_url"].startswith(f"{sim.url}/recordings/{placed.call_id}.wav?")


def test_get_call_of_an_unknown_call_or_with_a_wrong_key(rig: Rig) -> None:
    with pytest.raises(retell.NotFoundError):
        rig.client.call.retrieve("call_unknown")
    wrong = retell.Retell(api_key="key_wrong", base_url=rig.sim.url, max_retries=0)
    with pytest.raises(retell.AuthenticationError):
        wrong.call.retrieve(rig.dial(numbers.ANSWERS, "x").call_id)
    with pytest.raises(retell.AuthenticationError):
        wrong.call.list()


def test_list_calls_filters_sorts_and_pages_as_the_sdk_asks(rig: Rig) -> None:
    ours = [rig.dial(numbers.ANSWERS, f"a{index}", metadata={"batch": "b1", "n": index}).call_id for index in range(5)]
    worse = rig.dial(numbers.PET_WORSE, "w", metadata={"batch": "b2", "n": 9}).call_id
    unanswered = rig.dial(numbers.NO_ANSWER, "u", metadata={"batch": "b2", "n": 10}).call_id
    batch: FilterCriteria = {"metadata": [{"key": "batch", "type": "string", "op": "eq", "value": "b1"}]}

    ascending = rig.client.call.list(filter_criteria=batch, sort_order="ascending", include_total=True)
    assert [item.call_id for item in ascending.items] == ours
    assert (ascending.total, ascending.has_more, ascending.pagination_key) == (5, False, None)
    descending = rig.client.call.list(filter_criteria=batch)  # Retell's default order: newest first
    assert [item.call_id for item in descending.items] == ours[::-1]
    assert descending.total is None

    pages, key = [], None
    while True:
        page = rig.client.call.list(
            filter_criteria=batch, sort_order="ascending", limit=2, pagination_key=key or retell.omit
        )
        pages.append([item.call_id for item in page.items])
        if not page.has_more:
            break
        key = page.pagination_key
    assert pages == [ours[0:2], ours[2:4], ours[4:5]]
    skipped = rig.client.call.list(filter_criteria=batch, sort_order="ascending", skip=3)
    assert [item.call_id for item in skipped.items] == ours[3:]

    def ids(criteria: Any) -> set[str]:
        return {item.call_id for item in rig.client.call.list(filter_criteria=criteria, limit=1000).items}

    assert ids({"metadata": [{"key": "n", "type": "number", "op": "ge", "value": 3}]}) == {*ours[3:], worse, unanswered}
    assert ids({"metadata": [{"key": "n", "type": "range", "op": "bt", "value": [1, 2]}]}) == set(ours[1:3])
    assert ids({"metadata": [{"key": "batch", "type": "enum", "op": "in", "value": ["b2"]}]}) == {worse, unanswered}
    assert ids({"call_status": {"type": "enum", "op": "in", "value": ["not_connected"]}}) == {unanswered}
    assert ids(
        {"custom_analysis_data": [{"key": "pet_condition", "type": "string", "op": "eq", "value": "worse"}]}
    ) == {worse}
    assert ids({"to_number": {"type": "string", "op": "ew", "value": "0112"}}) == {worse}
    assert ids({"user_sentiment": {"type": "enum", "op": "in", "value": ["Negative"]}}) == {worse}
    assert ids({**batch, "call_successful": {"type": "boolean", "op": "eq", "value": False}}) == set()

    (item,) = rig.client.call.list(filter_criteria={"call_id": {"type": "string", "op": "eq", "value": worse}}).items
    raw: dict[str, Any] = item.to_dict()
    assert "transcript" not in raw  # list-calls leaves the transcript to get-call
    assert "transcript_object" not in raw
    assert raw["call_analysis"]["custom_analysis_data"]["pet_condition"] == "worse"
    assert raw["recording_url"].startswith(f"{rig.sim.url}/recordings/")
    assert {"start_timestamp", "end_timestamp", "duration_ms", "disconnection_reason"} <= set(raw)

    assert ids({"combined_cost": {"type": "number", "op": "gt", "value": 1}}) == set()  # no costs in the sim
    assert ids({"metadata": [{"key": "batch", "type": "present", "op": "np"}]}) == set()
    with pytest.raises(retell.BadRequestError):
        rig.client.call.list(limit=0)


@pytest.mark.parametrize(
    "criteria",
    [
        {"metadata": [{"key": "dial_key", "type": "string", "op": "gt", "value": "d1"}]},  # no gt on strings
        {"metadata": [{"key": "n", "type": "number", "op": "eq", "value": "3"}]},  # a number as text
        {"metadata": [{"key": "n", "type": "integer", "op": "eq", "value": 3}]},  # no such type
        {"metadata": [{"key": "b", "type": "present", "op": "pr", "value": True}]},  # present takes no value
        {"metadata": {"key": "dial_key", "type": "string", "op": "eq", "value": "d1"}},  # not a list
        {"metadata": [{"key": "d", "type": "string", "op": "eq", "value": "d1", "case": "ignore"}]},
        {"call_status": {"type": "enum", "op": "in", "value": ["registered"]}},  # not filterable
        {"call_status": {"type": "string", "op": "eq", "value": "ended"}},  # enum only
        {"to_number": {"type": "enum", "op": "in", "value": ["+14155550100"]}},  # string only
        {"start_timestamp": {"type": "range", "op": "bt", "value": [1]}},
        {"call_successful": {"type": "boolean", "op": "eq", "value": "true"}},
        {"user_sentiment": {"type": "enum", "op": "in", "value": ["positive"]}},
        {"agent": [{"agent_id": 7}]},
        {"tool_calls": [{"name": "lookup", "colour": "red"}]},
        {"dial_key": {"type": "string", "op": "eq", "value": "d1"}},  # not a filter Retell knows
    ],
)
def test_list_calls_refuses_filters_the_sdk_types_do_not_allow(rig: Rig, criteria: Any) -> None:
    response = httpx.post(
        f"{rig.sim.url}/v3/list-calls",
        json={"filter_criteria": criteria},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert response.status_code == 400
    assert response.json()["status"] == "error"


def test_list_calls_refuses_unknown_list_parameters(rig: Rig) -> None:
    with pytest.raises(retell.BadRequestError):
        rig.client.call.list(extra_body={"order_by": "cost"})


def test_a_list_lag_hides_a_new_call_from_list_calls_only(receiver: tuple[Receiver, str]) -> None:
    clock = FrozenClock("2026-11-23T17:30:00+00:00")
    with RetellSimulator(KEY, receiver[1], clock=clock, auto_deliver=False).running() as sim:
        client = retell.Retell(api_key=KEY, base_url=sim.url, max_retries=0)
        response = httpx.post(f"{sim.url}/_sim/faults", json={"listLagSeconds": 600})
        assert response.json() == {**NO_FAULTS, "listLagSeconds": 600}
        placed = client.call.create_phone_call(from_number=FROM, to_number=numbers.ANSWERS, metadata={"k": "v"})
        by_key: FilterCriteria = {"metadata": [{"key": "k", "type": "string", "op": "eq", "value": "v"}]}
        assert client.call.list(filter_criteria=by_key).items == []
        assert client.call.retrieve(placed.call_id).call_id == placed.call_id  # get-call knows it at once
        clock.advance(seconds=599)
        assert client.call.list(filter_criteria=by_key).items == []
        clock.advance(seconds=1)
        assert [item.call_id for item in client.call.list(filter_criteria=by_key).items] == [placed.call_id]


# -- agents and Retell LLMs ---------------------------------------------------------------------------------------


def test_agents_and_llms_are_kept_and_checked_as_retell_does(rig: Rig) -> None:
    client = rig.client
    llm = client.llm.create(general_prompt="Hello {{pet_name}}", start_speaker="agent")
    assert (llm.version, client.llm.retrieve(llm.llm_id).general_prompt) == (0, "Hello {{pet_name}}")
    assert client.llm.update(llm.llm_id, begin_message="Hi").begin_message == "Hi"
    assert [item.llm_id for item in client.llm.list().items] == [llm.llm_id]

    agent = client.agent.create(
        response_engine={"type": "retell-llm", "llm_id": llm.llm_id}, voice_id="11labs-Adrian", agent_name="Front desk"
    )
    assert agent.agent_id.startswith("agent_")
    assert agent.response_engine.to_dict() == {"type": "retell-llm", "llm_id": llm.llm_id, "version": 0}
    updated = client.agent.update(agent.agent_id, agent_name="Front desk 2")
    assert (updated.agent_name, updated.voice_id) == ("Front desk 2", "11labs-Adrian")
    assert client.agent.retrieve(agent.agent_id).agent_name == "Front desk 2"
    listed = client.agent.list(filter_criteria={"query": "desk 2"})
    assert [(item.agent_id, item.agent_name, item.channel) for item in listed.items] == [
        (agent.agent_id, "Front desk 2", "voice")
    ]
    assert client.agent.list(filter_criteria={"query": "nobody"}).items == []

    with pytest.raises(retell.UnprocessableEntityError):
        client.agent.create(response_engine={"type": "retell-llm", "llm_id": "llm_missing"}, voice_id="v")
    with pytest.raises(retell.BadRequestError):
        client.llm.create(general_prompt="no start speaker")
    with pytest.raises(retell.NotFoundError):
        client.agent.retrieve("agent_missing")
    with pytest.raises(retell.NotFoundError):
        client.llm.update("llm_missing", general_prompt="x")
    wrong = retell.Retell(api_key="key_wrong", base_url=rig.sim.url, max_retries=0)
    for request in (wrong.agent.list, wrong.llm.list, lambda: wrong.agent.retrieve(agent.agent_id)):
        with pytest.raises(retell.AuthenticationError):
            request()


def test_an_agents_webhook_url_and_events_replace_the_accounts(rig: Rig) -> None:
    own = Receiver()
    server = BackgroundServer(own, name="agent-webhooks")
    with server.running():
        llm = rig.client.llm.create(start_speaker="agent")
        agent = rig.client.agent.create(
            response_engine={"type": "retell-llm", "llm_id": llm.llm_id},
            voice_id="11labs-Adrian",
            agent_name="Own webhook",
            webhook_url=_receiver_url(server),
            webhook_events=["call_ended", "call_analyzed"],
        )
        placed = rig.dial(numbers.ANSWERS, "own", override_agent_id=agent.agent_id)
        rig.dial(numbers.ANSWERS, "account")
        settled(rig)
    assert own.events_of("own") == ["call_ended", "call_analyzed"]
    assert own.events_of("account") == []
    assert rig.receiver.events_of("own") == []
    assert rig.receiver.events_of("account") == CONNECTED
    call = rig.client.call.retrieve(placed.call_id)
    assert (call.agent_id, call.agent_name, call.agent_version) == (agent.agent_id, "Own webhook", 0)
