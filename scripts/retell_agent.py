"""``make retell-agent``: create or update, for each language of ``--languages`` (``LANGUAGES``, default ``en-US``),
the clinic's voice agent and text agent (a Retell chat agent), each with its Retell LLM
(``scripts/retell_agent_definition.py``), with retell-sdk. It prints the first language's voice agent id for
``RETELL_DEFAULT_AGENT_ID`` or a clinic's ``agentId``, then, last, the JSON of the clinic's settings' ``agents``:
``{"agents": {"en-US": {"agentId": ..., "textAgentId": ...}, ...}}``.

Idempotent: an agent is found by ``--agent-id`` / ``--text-agent-id`` (``RETELL_AGENT_ID``,
``RETELL_TEXT_AGENT_ID``; only with one language) or else by its name, and only what differs from the definition is
updated, so a second run changes nothing. Retell's key and address come from
``RETELL_API_KEY`` and ``RETELL_BASE_URL`` (default: the local stack's simulated Retell and its key). The webhook is
``--webhook-url`` (``WEBHOOK_URL``), or else the local stack's when Retell is the simulated one, or else the
deployed API's (``RetellWebhookUrl`` in ``.build/cdk-outputs.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scripts.retell_agent_definition import (
    DEFAULT_LANGUAGE,
    DEFAULT_VOICE_ID,
    LANGUAGES,
    agent_settings,
    language,
    llm_settings,
    text_agent_settings,
    text_llm_settings,
)

if TYPE_CHECKING:
    from retell import Retell
    from retell.types import AgentResponse, ChatAgentResponse

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ROOT / ".build" / "cdk-outputs.json"
LOCAL_KEY = "key_local_dev"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class AgentSetupError(Exception):
    """Why the agent cannot be set up as asked (printed, exit status 1)."""


@dataclass
class Outcome:
    agent_id: str
    llm_id: str
    created: bool = False
    updated: list[str] = field(default_factory=list)  # "llm.general_prompt", "agent.webhook_url", ...


def local_sim_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('RETELL_SIM_PORT') or 3001}"


def is_local(url: str) -> bool:
    return urlsplit(url).hostname in _LOOPBACK


def default_webhook_url(retell_url: str, outputs: Path = OUTPUTS) -> str:
    """The local stack's webhook for the simulated Retell; the deployed API's for a real one (which cannot reach
    this machine's loopback)."""
    if is_local(retell_url):
        return f"http://127.0.0.1:{os.environ.get('PORT') or 3000}/webhooks/retell"
    if outputs.exists():
        stacks: dict[str, dict[str, str]] = json.loads(outputs.read_text())
        for values in stacks.values():
            if values.get("RetellWebhookUrl"):
                return values["RetellWebhookUrl"]
    raise AgentSetupError(
        "no webhook URL for a real Retell: deploy first (make deploy writes .build/cdk-outputs.json) or set "
        "WEBHOOK_URL=https://<api>/webhooks/retell"
    )


def covers(current: Any, desired: Any) -> bool:
    """Whether ``current`` (what Retell answers) already is ``desired``: Retell adds defaults inside the objects it
    stores, so only the fields we set are compared."""
    if isinstance(desired, dict):
        return isinstance(current, dict) and all(covers(current.get(key), value) for key, value in desired.items())
    if isinstance(desired, list | tuple):
        return (
            isinstance(current, list | tuple)
            and len(current) == len(desired)
            and all(covers(have, want) for have, want in zip(current, desired, strict=True))
        )
    return bool(current == desired)


def _differences(current: dict[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in desired.items() if not covers(current.get(key), value)}


def _named(client: Retell, name: str, channel: str) -> str | None:
    """The id of the ``channel`` agent named ``name`` (the most recently changed if several are): voice and chat
    agents share Retell's list of agents."""
    import retell

    named: list[tuple[int, str]] = []
    key: str | None = None
    while True:
        page = client.agent.list(filter_criteria={"query": name}, limit=100, pagination_key=key or retell.omit)
        named += [
            (item.user_modified_timestamp, item.agent_id)
            for item in page.items
            if item.agent_name == name and item.channel == channel
        ]
        if not page.has_more or not page.pagination_key:
            break
        key = page.pagination_key
    return max(named)[1] if named else None


def find_agent(client: Retell, agent_id: str | None, name: str | None = None) -> AgentResponse | None:
    """The voice agent by its id, or else the one named ``name`` (the default language's agent name)."""
    import retell

    if agent_id:
        try:
            return client.agent.retrieve(agent_id)
        except retell.NotFoundError as error:
            raise AgentSetupError(f"Retell has no agent {agent_id}") from error
    found = _named(client, name or language(DEFAULT_LANGUAGE).agent_name, "voice")
    return client.agent.retrieve(found) if found else None


def find_text_agent(client: Retell, agent_id: str | None, name: str) -> ChatAgentResponse | None:
    """The text agent (a chat agent) by its id, or else the one named ``name``."""
    import retell

    if agent_id:
        try:
            return client.chat_agent.retrieve(agent_id)
        except retell.NotFoundError as error:
            raise AgentSetupError(f"Retell has no chat agent {agent_id}") from error
    found = _named(client, name, "chat")
    return client.chat_agent.retrieve(found) if found else None


def _bring_llm(client: Retell, engine: dict[str, Any], desired_llm: dict[str, Any], outcome: Outcome) -> bool:
    """Bring the agent's Retell LLM to ``desired_llm`` (recording what changed in ``outcome``); ``False`` when the
    agent runs on another engine (switched by hand): then ``outcome.llm_id`` is a new LLM the agent must be given."""
    if engine.get("type") == "retell-llm":
        outcome.llm_id = str(engine["llm_id"])
        llm_changes = _differences(client.llm.retrieve(outcome.llm_id).to_dict(mode="json"), desired_llm)
        if llm_changes:
            client.llm.update(outcome.llm_id, **llm_changes)
            outcome.updated += [f"llm.{name}" for name in llm_changes]
        return True
    outcome.llm_id = client.llm.create(**desired_llm, max_retries=0).llm_id  # never retried: a retry makes two
    return False


def _report(outcome: Outcome, what: str, say: Callable[[str], None]) -> None:
    say(
        f"updated {what} {outcome.agent_id}: {', '.join(outcome.updated)}"
        if outcome.updated
        else f"{what} {outcome.agent_id} and its LLM {outcome.llm_id} already match the definition"
    )


def ensure_agent(
    client: Retell,
    webhook_url: str,
    *,
    agent_id: str | None = None,
    voice_id: str | None = None,
    say: Callable[[str], None] = print,
    language_tag: str = DEFAULT_LANGUAGE,
) -> Outcome:
    """Create the language's voice agent and its LLM, or bring the existing ones to the definition."""
    name = language(language_tag).agent_name
    agent = find_agent(client, agent_id, name)
    desired_agent: dict[str, Any] = dict(agent_settings(webhook_url, language_tag))
    desired_llm: dict[str, Any] = dict(llm_settings(language_tag))
    if agent is None:
        llm = client.llm.create(**desired_llm, max_retries=0)  # never retried: a retry could make a second one
        created = client.agent.create(
            response_engine={"type": "retell-llm", "llm_id": llm.llm_id},
            voice_id=voice_id or DEFAULT_VOICE_ID,
            **desired_agent,
            max_retries=0,
        )
        say(f"created Retell LLM {llm.llm_id} and agent {created.agent_id} ({name})")
        return Outcome(created.agent_id, llm.llm_id, created=True)

    outcome = Outcome(agent.agent_id, "")
    if not _bring_llm(client, agent.response_engine.to_dict(), desired_llm, outcome):
        desired_agent["response_engine"] = {"type": "retell-llm", "llm_id": outcome.llm_id}
    if voice_id:
        desired_agent["voice_id"] = voice_id
    agent_changes = _differences(agent.to_dict(mode="json"), desired_agent)
    if agent_changes:
        client.agent.update(agent.agent_id, **agent_changes)
        outcome.updated += [f"agent.{name}" for name in agent_changes]
    _report(outcome, "agent", say)
    return outcome


def ensure_text_agent(
    client: Retell,
    webhook_url: str,
    *,
    agent_id: str | None = None,
    say: Callable[[str], None] = print,
    language_tag: str = DEFAULT_LANGUAGE,
) -> Outcome:
    """Create the language's text agent (a chat agent) and its LLM, or bring the existing ones to the definition."""
    name = language(language_tag).text_agent_name
    agent = find_text_agent(client, agent_id, name)
    desired_agent: dict[str, Any] = dict(text_agent_settings(webhook_url, language_tag))
    desired_llm: dict[str, Any] = dict(text_llm_settings(language_tag))
    if agent is None:
        llm = client.llm.create(**desired_llm, max_retries=0)
        created = client.chat_agent.create(
            response_engine={"type": "retell-llm", "llm_id": llm.llm_id}, **desired_agent, max_retries=0
        )
        say(f"created Retell LLM {llm.llm_id} and text agent {created.agent_id} ({name})")
        return Outcome(created.agent_id, llm.llm_id, created=True)

    outcome = Outcome(agent.agent_id, "")
    if not _bring_llm(client, agent.response_engine.to_dict(), desired_llm, outcome):
        desired_agent["response_engine"] = {"type": "retell-llm", "llm_id": outcome.llm_id}
    agent_changes = _differences(agent.to_dict(mode="json"), desired_agent)
    if agent_changes:
        client.chat_agent.update(agent.agent_id, **agent_changes)
        outcome.updated += [f"text_agent.{name}" for name in agent_changes]
    _report(outcome, "text agent", say)
    return outcome


def parse_languages(text: str) -> list[str]:
    """``en-US,es-US`` as a list in its order, each once; a language with no agents defined is refused."""
    tags = list(dict.fromkeys(tag.strip() for tag in text.split(",") if tag.strip()))
    if not tags:
        raise AgentSetupError(f"no language given: LANGUAGES takes a comma-separated list of {', '.join(LANGUAGES)}")
    unknown = [tag for tag in tags if tag not in LANGUAGES]
    if unknown:
        raise AgentSetupError(
            f"no agents are defined for {', '.join(unknown)}: the languages are {', '.join(LANGUAGES)}"
        )
    return tags


def ensure_agents(
    client: Retell,
    webhook_url: str,
    languages: list[str],
    *,
    agent_id: str | None = None,
    text_agent_id: str | None = None,
    voice_id: str | None = None,
    say: Callable[[str], None] = print,
) -> dict[str, dict[str, str]]:
    """Each language's voice and text agents, created or brought to the definition; the clinic's settings'
    ``agents`` (``{"en-US": {"agentId", "textAgentId"}}``)."""
    if (agent_id or text_agent_id) and len(languages) > 1:
        raise AgentSetupError("RETELL_AGENT_ID and RETELL_TEXT_AGENT_ID name one language's agents: give one language")
    agents: dict[str, dict[str, str]] = {}
    for tag in languages:
        voice = ensure_agent(client, webhook_url, agent_id=agent_id, voice_id=voice_id, say=say, language_tag=tag)
        text = ensure_text_agent(client, webhook_url, agent_id=text_agent_id, say=say, language_tag=tag)
        agents[tag] = {"agentId": voice.agent_id, "textAgentId": text.agent_id}
    return agents


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--webhook-url", default=os.environ.get("WEBHOOK_URL") or None)
    parser.add_argument("--languages", default=os.environ.get("LANGUAGES") or DEFAULT_LANGUAGE, help="en-US,es-US")
    parser.add_argument("--agent-id", default=os.environ.get("RETELL_AGENT_ID") or None, help="update this agent")
    parser.add_argument(
        "--text-agent-id", default=os.environ.get("RETELL_TEXT_AGENT_ID") or None, help="update this text agent"
    )
    parser.add_argument("--voice-id", default=os.environ.get("RETELL_VOICE_ID") or None)
    args = parser.parse_args(argv)
    base_url = os.environ.get("RETELL_BASE_URL") or local_sim_url()
    api_key = os.environ.get("RETELL_API_KEY") or (LOCAL_KEY if is_local(base_url) else None)
    if api_key is None:
        print("RETELL_API_KEY is not set (it is needed for a real Retell)", file=sys.stderr)
        return 1

    import retell

    try:
        languages = parse_languages(args.languages)
        webhook_url = args.webhook_url or default_webhook_url(base_url)
        if is_local(webhook_url) and not is_local(base_url):
            raise AgentSetupError(f"Retell at {base_url} cannot reach {webhook_url}: set WEBHOOK_URL to a public URL")
        print(f"Retell: {base_url}; webhook: {webhook_url}; languages: {', '.join(languages)}")
        client = retell.Retell(api_key=api_key, base_url=base_url)
        agents = ensure_agents(
            client,
            webhook_url,
            languages,
            agent_id=args.agent_id,
            text_agent_id=args.text_agent_id,
            voice_id=args.voice_id,
        )
    except AgentSetupError as error:
        print(f"make retell-agent: {error}", file=sys.stderr)
        return 1
    except retell.APIError as error:
        print(f"make retell-agent: Retell refused: {error}", file=sys.stderr)
        return 1
    print(
        f"Set the {languages[0]} agent's id (next) as RETELL_DEFAULT_AGENT_ID (cdk.json: retellDefaultAgentId) or as a "
        "clinic's agentId; the clinic's settings (PUT /clinic/settings) take the agents of the last line:"
    )
    print(agents[languages[0]]["agentId"])
    print(json.dumps({"agents": agents}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
