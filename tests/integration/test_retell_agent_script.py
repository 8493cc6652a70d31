"""``make retell-agent`` against the simulated Retell with the real retell-sdk: it creates each language's LLMs, voice
agent and text agent once, a second run changes nothing, a drifted agent is brought back, and the command prints the
agent's id and, last, the clinic's settings' ``agents``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import retell

from scripts import retell_agent_definition as definition
from scripts.retell_agent import ensure_agent, ensure_agents, ensure_text_agent
from standins.retell_sim import RetellSimulator

KEY = "key_agent_script"
WEBHOOK = "https://api.example.test/webhooks/retell"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sim() -> Iterator[RetellSimulator]:
    with RetellSimulator(KEY, auto_deliver=False).running() as simulator:
        yield simulator


@pytest.fixture
def client(sim: RetellSimulator) -> retell.Retell:
    return retell.Retell(api_key=KEY, base_url=sim.url, max_retries=0)


def test_it_creates_the_llm_and_agent_then_a_rerun_changes_nothing(client: retell.Retell) -> None:
    lines: list[str] = []
    first = ensure_agent(client, WEBHOOK, say=lines.append)
    assert first.created
    agent = client.agent.retrieve(first.agent_id)
    llm = client.llm.retrieve(first.llm_id)
    assert agent.agent_name == definition.AGENT_NAME
    assert agent.response_engine.to_dict() == {"type": "retell-llm", "llm_id": first.llm_id, "version": 0}
    assert agent.voice_id == definition.DEFAULT_VOICE_ID
    assert agent.webhook_url == WEBHOOK
    assert agent.voicemail_option is not None
    assert agent.voicemail_option.to_dict() == {"action": {"type": "static_text", "text": definition.VOICEMAIL_MESSAGE}}
    assert [field.name for field in agent.post_call_analysis_data or []] == list(definition.ANALYSIS_FIELD_NAMES)
    assert (llm.general_prompt, llm.begin_message, llm.start_speaker) == (
        definition.GENERAL_PROMPT,
        definition.BEGIN_MESSAGE,
        "agent",
    )

    second = ensure_agent(client, WEBHOOK, say=lines.append)
    assert (second.agent_id, second.llm_id, second.created, second.updated) == (first.agent_id, first.llm_id, False, [])
    assert [item.agent_id for item in client.agent.list().items] == [first.agent_id]
    assert [item.llm_id for item in client.llm.list().items] == [first.llm_id]
    assert client.agent.retrieve(first.agent_id).last_modification_timestamp == agent.last_modification_timestamp
    assert client.llm.retrieve(first.llm_id).last_modification_timestamp == llm.last_modification_timestamp
    assert "already match" in lines[-1]


def test_a_drifted_agent_is_brought_back_and_other_agents_are_left_alone(client: retell.Retell) -> None:
    other_llm = client.llm.create(start_speaker="user", general_prompt="another clinic's agent")
    other = client.agent.create(
        response_engine={"type": "retell-llm", "llm_id": other_llm.llm_id}, voice_id="v", agent_name="Reception"
    )
    first = ensure_agent(client, WEBHOOK)
    client.llm.update(first.llm_id, general_prompt="edited by hand in the dashboard")
    client.agent.update(first.agent_id, webhook_url="https://old.example/webhooks/retell", voice_id="openai-Alloy")

    again = ensure_agent(client, WEBHOOK)
    assert (again.agent_id, again.created) == (first.agent_id, False)
    assert again.updated == ["llm.general_prompt", "agent.webhook_url"]
    assert client.llm.retrieve(first.llm_id).general_prompt == definition.GENERAL_PROMPT
    restored = client.agent.retrieve(first.agent_id)
    assert (restored.webhook_url, restored.voice_id) == (WEBHOOK, "openai-Alloy")  # a voice chosen later stays
    assert client.agent.retrieve(other.agent_id).agent_name == "Reception"
    assert client.llm.retrieve(other_llm.llm_id).general_prompt == "another clinic's agent"

    by_id = ensure_agent(client, "https://new.example/webhooks/retell", agent_id=first.agent_id, voice_id="v2")
    assert by_id.updated == ["agent.webhook_url", "agent.voice_id"]


def _agents(sim: RetellSimulator, channel: str) -> list[str]:
    listed = retell.Retell(api_key=KEY, base_url=sim.url).agent.list(sort_order="ascending").items
    return [item.agent_id for item in listed if item.channel == channel]


def test_make_retell_agent_prints_the_agent_id_then_the_settings_agents_last(sim: RetellSimulator) -> None:
    env = {
        **os.environ,
        "RETELL_BASE_URL": sim.url,
        "RETELL_API_KEY": KEY,
        "WEBHOOK_URL": WEBHOOK,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("LANGUAGES", None)

    def run(**changes: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "scripts.retell_agent"]
        return subprocess.run(command, env={**env, **changes}, cwd=ROOT, capture_output=True, text=True, timeout=60)

    done = [run(), run()]
    assert [result.returncode for result in done] == [0, 0], done[0].stderr + done[1].stderr
    first, second = (result.stdout.splitlines() for result in done)
    (agent_id,) = _agents(sim, "voice")
    (text_agent_id,) = _agents(sim, "chat")
    assert first[-2] == second[-2] == agent_id
    assert (
        json.loads(first[-1])
        == json.loads(second[-1])
        == {"agents": {"en-US": {"agentId": agent_id, "textAgentId": text_agent_id}}}
    )
    assert any("created" in line for line in first)
    assert any("already match" in line for line in second)

    refused = run(RETELL_API_KEY="key_wrong")
    assert refused.returncode == 1
    assert "Retell refused" in refused.stderr


def test_make_retell_agent_sets_up_each_language_once(sim: RetellSimulator) -> None:
    env = {**os.environ, "RETELL_BASE_URL": sim.url, "RETELL_API_KEY": KEY, "WEBHOOK_URL": WEBHOOK}
    env["PYTHONPATH"] = str(ROOT)

    def run(*args: str, **changes: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "scripts.retell_agent", *args]
        return subprocess.run(command, env={**env, **changes}, cwd=ROOT, capture_output=True, text=True, timeout=60)

    done = [run(LANGUAGES="en-US,es-US"), run("--languages", "en-US, es-US")]
    assert [result.returncode for result in done] == [0, 0], done[0].stderr + done[1].stderr
    printed = [json.loads(result.stdout.splitlines()[-1]) for result in done]
    assert printed[0] == printed[1]
    agents = printed[0]["agents"]
    assert list(agents) == ["en-US", "es-US"]
    assert sorted(_agents(sim, "voice")) == sorted(agent["agentId"] for agent in agents.values())
    assert sorted(_agents(sim, "chat")) == sorted(agent["textAgentId"] for agent in agents.values())
    assert done[1].stdout.count("already match") == 4
    client = retell.Retell(api_key=KEY, base_url=sim.url)
    spanish = client.chat_agent.retrieve(agents["es-US"]["textAgentId"])
    assert (spanish.agent_name, spanish.language) == (definition.language("es-US").text_agent_name, "es-419")
    assert client.agent.retrieve(agents["es-US"]["agentId"]).language == "es-419"

    unknown = run(LANGUAGES="en-US,fr-CA")
    assert unknown.returncode == 1
    assert "fr-CA" in unknown.stderr
    by_id = run(LANGUAGES="en-US,es-US", RETELL_AGENT_ID=agents["en-US"]["agentId"])
    assert by_id.returncode == 1
    assert "one language" in by_id.stderr


@pytest.mark.parametrize("tag", ["en-US", "es-US"])
def test_each_languages_text_agent_is_created_then_kept_and_brought_back(client: retell.Retell, tag: str) -> None:
    lines: list[str] = []
    first = ensure_text_agent(client, WEBHOOK, say=lines.append, language_tag=tag)
    assert first.created
    agent = client.chat_agent.retrieve(first.agent_id)
    llm = client.llm.retrieve(first.llm_id)
    written = definition.language(tag)
    assert (agent.agent_name, agent.language, agent.webhook_url) == (
        written.text_agent_name,
        written.retell_language,
        WEBHOOK,
    )
    assert agent.webhook_events == ["chat_started", "chat_ended", "chat_analyzed"]
    assert [field.name for field in agent.post_chat_analysis_data or []] == list(definition.ANALYSIS_FIELD_NAMES)
    assert agent.response_engine.to_dict() == {"type": "retell-llm", "llm_id": first.llm_id, "version": 0}
    assert (llm.general_prompt, llm.begin_message, llm.start_speaker) == (
        written.text_prompt,
        written.text_begin_message,
        "agent",
    )

    again = ensure_text_agent(client, WEBHOOK, say=lines.append, language_tag=tag)
    assert (again.agent_id, again.llm_id, again.created, again.updated) == (first.agent_id, first.llm_id, False, [])
    assert "already match" in lines[-1]

    client.llm.update(first.llm_id, general_prompt="edited by hand")
    client.chat_agent.update(first.agent_id, webhook_url="https://old.example/webhooks/retell")
    restored = ensure_text_agent(client, WEBHOOK, language_tag=tag)
    assert restored.updated == ["llm.general_prompt", "text_agent.webhook_url"]
    assert client.llm.retrieve(first.llm_id).general_prompt == written.text_prompt
    assert client.chat_agent.retrieve(first.agent_id).webhook_url == WEBHOOK


def test_two_languages_get_their_own_agents_with_their_own_prompts(client: retell.Retell) -> None:
    agents = ensure_agents(client, WEBHOOK, ["en-US", "es-US"], say=lambda _line: None)
    assert ensure_agents(client, WEBHOOK, ["en-US", "es-US"], say=lambda _line: None) == agents
    english, spanish = (client.agent.retrieve(agents[tag]["agentId"]) for tag in ("en-US", "es-US"))
    assert (english.agent_name, english.language) == (definition.AGENT_NAME, "en-US")
    assert (spanish.agent_name, spanish.language) == (definition.language("es-US").agent_name, "es-419")
    prompts = {}
    for tag, agent in (("en-US", english), ("es-US", spanish)):
        engine = agent.response_engine.to_dict()
        prompts[tag] = client.llm.retrieve(str(engine["llm_id"])).general_prompt
    assert prompts == {"en-US": definition.GENERAL_PROMPT, "es-US": definition.GENERAL_PROMPT_ES}
    assert len({agent["textAgentId"] for agent in agents.values()} | {a["agentId"] for a in agents.values()}) == 4
