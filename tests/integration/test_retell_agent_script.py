"""``make retell-agent`` against the simulated Retell with the real retell-sdk: it creates the LLM and the agent
once, a second run changes nothing, a drifted agent is brought back, and the command prints the agent's id last."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import retell

from scripts import retell_agent_definition as definition
from scripts.retell_agent import ensure_agent
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


def test_make_retell_agent_prints_the_agent_id_last(sim: RetellSimulator) -> None:
    env = {
        **os.environ,
        "RETELL_BASE_URL": sim.url,
        "RETELL_API_KEY": KEY,
        "WEBHOOK_URL": WEBHOOK,
        "PYTHONPATH": str(ROOT),
    }

    def run(**changes: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "scripts.retell_agent"]
        return subprocess.run(command, env={**env, **changes}, cwd=ROOT, capture_output=True, text=True, timeout=60)

    done = [run(), run()]
    assert [result.returncode for result in done] == [0, 0], done[0].stderr + done[1].stderr
    first, second = (result.stdout.splitlines() for result in done)
    (agent_id,) = [item.agent_id for item in retell.Retell(api_key=KEY, base_url=sim.url).agent.list().items]
    assert first[-1] == second[-1] == agent_id
    assert any("created" in line for line in first)
    assert any("already match" in line for line in second)

    refused = run(RETELL_API_KEY="key_wrong")
    assert refused.returncode == 1
    assert "Retell refused" in refused.stderr
