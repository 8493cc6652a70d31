"""Texts at the simulated Retell, through the real retell-sdk over HTTP: create-sms-chat, get-chat, delete-chat,
list-chats and chat agents as Retell answers them, the owner's reply chosen by the number texted (under any US area
code), and the chat webhooks, signed as call events are (checked with the system's own verifier)."""

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
from werkzeug.wrappers import Request, Response

from shared.api.retell_signature import verify
from standins.http_server import BackgroundServer
from standins.retell_sim import Fault, RetellSimulator
from standins.retell_sim import chat_scenarios as texts
from standins.retell_sim import scenarios as numbers

KEY = "key_sim_chats"
FROM = "+14155559000"
EVENTS = ["chat_started", "chat_ended", "chat_analyzed"]
VARIABLES = {
    "pet_name": "Luna",
    "owner_name": "Sarah",
    "vet_name": "Dr. Patel",
    "clinic_name": "Paws & Claws",
    "clinic_phone": "+14155559876",
    "discharge_summary_content": "Keep the cone on.",
}


@dataclass
class Receiver:
    """A webhook endpoint that checks each event's signature and records it by the ``tag`` in the metadata."""

    received: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    unsigned: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        raw = request.get_data(as_text=True)
        signed = verify(raw, request.headers.get("x-retell-signature"), [KEY], int(time.time() * 1000))
        body = json.loads(raw)
        with self.lock:
            if not signed:
                self.unsigned += 1
            subject = body.get("chat") or body.get("call") or {}
            self.received.append(((subject.get("metadata") or {}).get("tag", "?"), body["event"], body))
        return Response(status=204)(environ, start_response)

    def of(self, tag: str) -> list[tuple[str, dict[str, Any]]]:
        with self.lock:
            return [(event, body) for t, event, body in self.received if t == tag]


@dataclass
class Rig:
    sim: RetellSimulator
    client: retell.Retell
    receiver: Receiver

    def text(self, to_number: str, tag: str, **extra: Any) -> Any:
        return self.client.chat.create_sms_chat(
            from_number=FROM,
            to_number=to_number,
            metadata={"tag": tag, "call_id": f"call-{tag}", "clinic_id": "clinic-a"},
            retell_llm_dynamic_variables=VARIABLES,
            **extra,
        )

    def events_of(self, tag: str, count: int = 3) -> list[tuple[str, dict[str, Any]]]:
        until(lambda: len(self.receiver.of(tag)) >= count)
        return self.receiver.of(tag)


def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.02)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    endpoint = Receiver()
    with BackgroundServer(endpoint, name="chat-webhooks").running() as server:
        yield endpoint, f"{server.url}/webhooks/retell"


@pytest.fixture
def rig(receiver: tuple[Receiver, str]) -> Iterator[Rig]:
    endpoint, url = receiver
    with RetellSimulator(KEY, url, step_seconds=0.02, delivery_workers=4).running() as sim:
        yield Rig(sim, retell.Retell(api_key=KEY, base_url=sim.url, max_retries=0), endpoint)


# (number, the owner's reply, chat_successful, user_sentiment, pet_condition, do_not_call_requested)
REPLIES = [
    (
        texts.DOING_WELL,
        "She's doing great, eating well and back to her usual self.",
        True,
        "Positive",
        "improving",
        False,
    ),
    (numbers.ANSWERS.replace("0100", "4242"), "She's doing great", True, "Positive", "improving", False),
    (numbers.PET_WORSE, "She's worse.", False, "Negative", "worse", False),
    (texts.OPTS_OUT, "STOP", False, "Negative", "unknown", True),
    (texts.NEVER_REPLIES, None, False, "Unknown", "unknown", False),
]


@pytest.mark.parametrize("area_code", ["415", "212"])
@pytest.mark.parametrize(("number", "reply", "successful", "sentiment", "condition", "dnc"), REPLIES)
def test_each_numbers_owner_replies_as_the_contract_says_in_signed_webhooks(
    rig: Rig,
    area_code: str,
    number: str,
    reply: str | None,
    successful: bool,
    sentiment: str,
    condition: str,
    dnc: bool,
) -> None:
    to_number = f"+1{area_code}{number[-7:]}"
    started = rig.text(to_number, "t")
    assert (started.chat_status, started.chat_type, started.agent_id) == (
        "ongoing",
        "sms_chat",
        "agent_sim_chat_default",
    )
    assert started.metadata == {"tag": "t", "call_id": "call-t", "clinic_id": "clinic-a"}
    assert started.retell_llm_dynamic_variables == VARIABLES
    assert started.start_timestamp is not None
    assert started.end_timestamp is None
    assert started.chat_analysis is None

    events = rig.events_of("t")
    assert [event for event, _ in events] == EVENTS
    assert rig.receiver.unsigned == 0
    first, ended, analyzed = (body["chat"] for _, body in events)
    assert all(set(body) == {"event", "chat"} for _, body in events)
    assert first["chat_status"] == "ongoing"
    assert first["chat_id"] == started.chat_id
    assert [message["role"] for message in first["message_with_tool_calls"]] == ["agent"]
    assert "Luna" in first["transcript"]
    assert "Paws & Claws" in first["transcript"]
    assert ended["chat_status"] == "ended"
    assert ended["end_timestamp"] >= ended["start_timestamp"]
    assert "chat_analysis" not in ended
    users = [message["content"] for message in ended["message_with_tool_calls"] if message["role"] == "user"]
    if reply is None:
        assert users == []
        assert ended["transcript"].count("\n") == 0
    else:
        assert len(users) == 1
        assert users[0].startswith(reply)
        if reply == "STOP":
            assert users == ["STOP"]
            assert "User: STOP" in ended["transcript"].splitlines()
    assert all(line.startswith(("Agent: ", "User: ")) for line in ended["transcript"].splitlines())
    analysis = analyzed["chat_analysis"]
    assert (analysis["chat_successful"], analysis["user_sentiment"]) == (successful, sentiment)
    data = analysis["custom_analysis_data"]
    assert set(data) == {"pet_condition", "owner_concerns", "callback_requested", "do_not_call_requested"}
    assert (data["pet_condition"], data["do_not_call_requested"]) == (condition, dnc)

    chat = rig.client.chat.retrieve(started.chat_id)
    assert chat.to_dict(mode="json") == analyzed
    assert chat.chat_status == "ended"
    assert chat.end_timestamp == ended["end_timestamp"]


def test_the_sim_logs_every_create_sms_chat_and_refuses_a_text_without_numbers(rig: Rig) -> None:
    placed = rig.text(texts.DOING_WELL, "log")
    headers = {"Authorization": f"Bearer {KEY}"}
    missing = httpx.post(f"{rig.sim.url}/create-sms-chat", json={"to_number": texts.DOING_WELL}, headers=headers)
    assert missing.status_code == 400
    wrong_values = {"from_number": FROM, "to_number": "+14155550100", "retell_llm_dynamic_variables": {"pet": 1}}
    assert httpx.post(f"{rig.sim.url}/create-sms-chat", json=wrong_values, headers=headers).status_code == 400
    assert httpx.post(f"{rig.sim.url}/create-sms-chat", json={}, headers={}).status_code == 401
    log = httpx.get(f"{rig.sim.url}/_sim/chats").json()
    assert [(entry["to_number"], entry["status_code"], entry["chat_id"]) for entry in log] == [
        (texts.DOING_WELL, 201, placed.chat_id),
        (texts.DOING_WELL, 400, None),
        ("+14155550100", 400, None),
    ]
    assert set(log[0]) == {"to_number", "metadata", "status_code", "chat_id", "agent_id", "received_at"}
    assert (log[0]["metadata"]["call_id"], log[0]["agent_id"]) == ("call-log", "agent_sim_chat_default")
    assert httpx.get(f"{rig.sim.url}/_sim/health").json()["chatsStarted"] == 1
    with pytest.raises(retell.AuthenticationError):
        retell.Retell(api_key="key_wrong", base_url=rig.sim.url, max_retries=0).chat.retrieve(placed.chat_id)


def test_the_calls_log_says_which_agent_dialed(rig: Rig) -> None:
    rig.client.call.create_phone_call(from_number=FROM, to_number=numbers.ANSWERS, override_agent_id="agent_clinic")
    rig.client.call.create_phone_call(from_number=FROM, to_number=numbers.ANSWERS)
    log = httpx.get(f"{rig.sim.url}/_sim/calls").json()
    assert [entry["agent_id"] for entry in log] == ["agent_clinic", "agent_sim_default"]


def test_a_deleted_chat_is_gone_and_a_failing_delete_deletes_nothing(rig: Rig) -> None:
    chat = rig.text(texts.DOING_WELL, "gone")
    rig.sim.inject(Fault("fail_delete", status=503))
    with pytest.raises(retell.InternalServerError):
        rig.client.chat.delete(chat.chat_id)
    assert rig.client.chat.retrieve(chat.chat_id).chat_id == chat.chat_id
    rig.client.chat.delete(chat.chat_id)
    assert rig.sim.deleted_chats == [chat.chat_id]
    with pytest.raises(retell.NotFoundError):
        rig.client.chat.retrieve(chat.chat_id)
    with pytest.raises(retell.NotFoundError):
        rig.client.chat.delete(chat.chat_id)


def test_a_failing_create_sms_chat_starts_nothing(rig: Rig) -> None:
    rig.sim.inject(Fault("fail_create_sms_chat", status=500))
    with pytest.raises(retell.InternalServerError):
        rig.text(texts.DOING_WELL, "failed")
    assert rig.client.chat.list().items == []
    assert [entry.status_code for entry in rig.sim.chat_requests()] == [500]


def test_list_chats_filters_sorts_and_pages_as_the_sdk_asks(rig: Rig) -> None:
    well = rig.text(texts.DOING_WELL, "a")
    worse = rig.text(f"+1212{numbers.PET_WORSE[-7:]}", "b")
    silent = rig.text(texts.NEVER_REPLIES, "c")
    everything = rig.client.chat.list(sort_order="ascending")
    assert [chat.chat_id for chat in everything.items] == [well.chat_id, worse.chat_id, silent.chat_id]
    assert all(chat.transcript is None and chat.message_with_tool_calls is None for chat in everything.items)
    assert all(chat.chat_analysis is not None for chat in everything.items)
    assert "_to_number" not in json.dumps(everything.to_dict())

    by_number = rig.client.chat.list(filter_criteria={"user_number": {"type": "string", "op": "ew", "value": "0112"}})
    assert [chat.chat_id for chat in by_number.items] == [worse.chat_id]
    worse_pets = rig.client.chat.list(
        filter_criteria={
            "custom_analysis_data": [{"key": "pet_condition", "type": "string", "op": "eq", "value": "worse"}],
            "chat_status": {"type": "enum", "op": "in", "value": ["ended"]},
        }
    )
    assert [chat.chat_id for chat in worse_pets.items] == [worse.chat_id]
    ok = rig.client.chat.list(filter_criteria={"chat_successful": {"type": "boolean", "op": "eq", "value": True}})
    assert [chat.chat_id for chat in ok.items] == [well.chat_id]

    first = rig.client.chat.list(limit=2, include_total=True)
    assert ([chat.chat_id for chat in first.items], first.has_more, first.total) == (
        [silent.chat_id, worse.chat_id],
        True,
        3,
    )
    assert first.pagination_key is not None
    rest = rig.client.chat.list(limit=2, pagination_key=first.pagination_key)
    assert ([chat.chat_id for chat in rest.items], rest.has_more) == ([well.chat_id], False)


@pytest.mark.parametrize(
    "criteria",
    [
        {"metadata": [{"key": "call_id", "type": "string", "op": "eq", "value": "call-a"}]},  # not in the SDK's types
        {"to_number": {"type": "string", "op": "eq", "value": texts.DOING_WELL}},  # list-calls' name, not list-chats'
        {"tool_calls": []},
        {"chat_status": {"type": "enum", "op": "in", "value": ["not_connected"]}},
        {"user_number": {"type": "string", "op": "in", "value": ["+14155550100"]}},
    ],
)
def test_list_chats_refuses_filters_the_sdk_types_do_not_allow(rig: Rig, criteria: Any) -> None:
    with pytest.raises(retell.BadRequestError):
        rig.client.chat.list(filter_criteria=criteria)


def test_list_chats_refuses_unknown_list_parameters(rig: Rig) -> None:
    with pytest.raises(retell.BadRequestError):
        rig.client.chat.list(extra_body={"filter": {}})


def test_chat_agents_are_kept_as_retell_keeps_them_and_listed_beside_voice_agents(rig: Rig) -> None:
    client = rig.client
    llm = client.llm.create(general_prompt="Text {{owner_name}}", start_speaker="agent")
    engine: Any = {"type": "retell-llm", "llm_id": llm.llm_id}
    texting = client.chat_agent.create(response_engine=engine, agent_name="Texts", language="es-419")
    assert texting.agent_id.startswith("agent_")
    assert texting.version == 0
    updated = client.chat_agent.update(texting.agent_id, agent_name="Texts 2", end_chat_after_silence_ms=600_000)
    assert (updated.agent_name, updated.language) == ("Texts 2", "es-419")
    assert client.chat_agent.retrieve(texting.agent_id).end_chat_after_silence_ms == 600_000
    voice = client.agent.create(response_engine=engine, voice_id="11labs-Adrian", agent_name="Calls")

    everything = client.agent.list(sort_order="ascending")
    assert [(item.agent_id, item.channel) for item in everything.items] == [
        (texting.agent_id, "chat"),
        (voice.agent_id, "voice"),
    ]
    chat_only = client.chat_agent.list(filter_criteria={"channel": {"type": "string", "op": "eq", "value": "chat"}})
    assert [item.agent_id for item in chat_only.items] == [texting.agent_id]
    with pytest.raises(retell.NotFoundError):
        client.agent.retrieve(texting.agent_id)  # each kind's own routes know only that kind
    with pytest.raises(retell.NotFoundError):
        client.chat_agent.retrieve(voice.agent_id)
    with pytest.raises(retell.BadRequestError):
        client.chat_agent.create(response_engine=engine, webhook_events=["call_ended"])  # type: ignore[list-item]
    with pytest.raises(retell.UnprocessableEntityError):
        client.chat_agent.create(response_engine={"type": "retell-llm", "llm_id": "llm_missing"})
    with pytest.raises(retell.BadRequestError):
        client.chat_agent.update(texting.agent_id, end_chat_after_silence_ms=60_000)  # under Retell's two minutes
    with pytest.raises(retell.BadRequestError):
        rig.text(texts.DOING_WELL, "voice", override_agent_id=voice.agent_id)  # a voice agent cannot text
    with pytest.raises(retell.BadRequestError):
        client.call.create_phone_call(from_number=FROM, to_number=numbers.ANSWERS, override_agent_id=texting.agent_id)
    not_a_channel: Any = {"channel": {"type": "string", "op": "eq", "value": "sms"}}
    with pytest.raises(retell.BadRequestError):
        client.agent.list(filter_criteria=not_a_channel)

    client.chat_agent.delete(texting.agent_id)
    with pytest.raises(retell.NotFoundError):
        client.chat_agent.retrieve(texting.agent_id)


def test_a_chat_agents_webhook_url_and_events_replace_the_accounts(rig: Rig) -> None:
    own = Receiver()
    with BackgroundServer(own, name="chat-agent-webhooks").running() as server:
        agent = rig.client.chat_agent.create(
            response_engine={"type": "custom-llm", "llm_websocket_url": "wss://llm.example/ws"},
            agent_name="Own webhook",
            webhook_url=f"{server.url}/webhooks/retell",
            webhook_events=["chat_ended", "chat_analyzed"],
        )
        chat = rig.text(texts.DOING_WELL, "own", override_agent_id=agent.agent_id)
        rig.text(texts.DOING_WELL, "account")
        until(lambda: len(own.of("own")) == 2 and len(rig.receiver.of("account")) == 3)
        time.sleep(0.15)
    assert [event for event, _ in own.of("own")] == ["chat_ended", "chat_analyzed"]
    assert own.unsigned == 0
    assert rig.receiver.of("own") == []
    assert [event for event, _ in rig.receiver.of("account")] == EVENTS
    assert (chat.agent_id, rig.client.chat.retrieve(chat.chat_id).version) == (agent.agent_id, 0)
    assert rig.sim.chat_requests()[0].agent_id == agent.agent_id


def test_chat_webhooks_are_dropped_while_switched_to_drop_and_wait_for_flush_without_auto_delivery(
    receiver: tuple[Receiver, str],
) -> None:
    endpoint, url = receiver
    with RetellSimulator(KEY, url, auto_deliver=False).running() as sim:
        client = retell.Retell(api_key=KEY, base_url=sim.url, max_retries=0)
        client.chat.create_sms_chat(from_number=FROM, to_number=texts.OPTS_OUT, metadata={"tag": "flush"})
        assert [hook.event for hook in sim.pending()] == EVENTS
        assert json.loads(sim.pending()[0].body)["chat"]["metadata"] == {"tag": "flush"}
        assert sim.flush() == [204, 204, 204]
        assert [event for event, _ in endpoint.of("flush")] == EVENTS
        sim.set_faults(webhooks="drop")
        client.chat.create_sms_chat(from_number=FROM, to_number=texts.OPTS_OUT, metadata={"tag": "lost"})
        assert sim.flush() == []
        assert [hook.event for hook in sim.dropped()] == EVENTS
        assert endpoint.of("lost") == []
        assert endpoint.unsigned == 0
