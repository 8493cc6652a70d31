"""``make retell-agent``: create or update the clinic's Retell LLM and agent (``scripts/retell_agent_definition.py``)
with retell-sdk, and print the agent's id (the last line) for ``RETELL_DEFAULT_AGENT_ID`` or a clinic's ``agentId``.

Idempotent: the agent is found by ``--agent-id`` (``RETELL_AGENT_ID``) or else by its name, and only what differs
from the definition is updated, so a second run changes nothing. Retell's key and address come from
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

from scripts.retell_agent_definition import AGENT_NAME, DEFAULT_VOICE_ID, agent_settings, llm_settings

if TYPE_CHECKING:
    from retell import Retell
    from retell.types import AgentResponse

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


def find_agent(client: Retell, agent_id: str | None) -> AgentResponse | None:
    """The agent by its id, or else the one named ``AGENT_NAME`` (the most recently changed if several are)."""
    import retell

    if agent_id:
        try:
            return client.agent.retrieve(agent_id)
        except retell.NotFoundError as error:
            raise AgentSetupError(f"Retell has no agent {agent_id}") from error
    named: list[tuple[int, str]] = []
    key: str | None = None
    while True:
        page = client.agent.list(filter_criteria={"query": AGENT_NAME}, limit=100, pagination_key=key or retell.omit)
        named += [(item.user_modified_timestamp, item.agent_id) for item in page.items if item.agent_name == AGENT_NAME]
        if not page.has_more or not page.pagination_key:
            break
        key = page.pagination_key
    if not named:
        return None
    return client.agent.retrieve(max(named)[1])


def ensure_agent(
    client: Retell,
    webhook_url: str,
    *,
    agent_id: str | None = None,
    voice_id: str | None = None,
    say: Callable[[str], None] = print,
) -> Outcome:
    """Create the LLM and the agent, or bring the existing ones to the definition."""
    agent = find_agent(client, agent_id)
    desired_agent: dict[str, Any] = dict(agent_settings(webhook_url))
    desired_llm: dict[str, Any] = dict(llm_settings())
    if agent is None:
        llm = client.llm.create(**desired_llm, max_retries=0)  # never retried: a retry could make a second one
        created = client.agent.create(
            response_engine={"type": "retell-llm", "llm_id": llm.llm_id},
            voice_id=voice_id or DEFAULT_VOICE_ID,
            **desired_agent,
            max_retries=0,
        )
        say(f"created Retell LLM {llm.llm_id} and agent {created.agent_id} ({AGENT_NAME})")
        return Outcome(created.agent_id, llm.llm_id, created=True)

    outcome = Outcome(agent.agent_id, "")
    engine = agent.response_engine.to_dict()
    if engine.get("type") == "retell-llm":
        outcome.llm_id = str(engine["llm_id"])
        llm_changes = _differences(client.llm.retrieve(outcome.llm_id).to_dict(mode="json"), desired_llm)
        if llm_changes:
            client.llm.update(outcome.llm_id, **llm_changes)
            outcome.updated += [f"llm.{name}" for name in llm_changes]
    else:  # the agent was switched to another engine by hand: give it this definition's LLM again
        outcome.llm_id = client.llm.create(**desired_llm, max_retries=0).llm_id
        desired_agent["response_engine"] = {"type": "retell-llm", "llm_id": outcome.llm_id}
    if voice_id:
        desired_agent["voice_id"] = voice_id
    agent_changes = _differences(agent.to_dict(mode="json"), desired_agent)
    if agent_changes:
        client.agent.update(agent.agent_id, **agent_changes)
        outcome.updated += [f"agent.{name}" for name in agent_changes]
    say(
        f"updated agent {agent.agent_id}: {', '.join(outcome.updated)}"
        if outcome.updated
        else f"agent {agent.agent_id} and its LLM {outcome.llm_id} already match the definition"
    )
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--webhook-url", default=os.environ.get("WEBHOOK_URL") or None)
    parser.add_argument("--agent-id", default=os.environ.get("RETELL_AGENT_ID") or None, help="update this agent")
    parser.add_argument("--voice-id", default=os.environ.get("RETELL_VOICE_ID") or None)
    args = parser.parse_args(argv)
    base_url = os.environ.get("RETELL_BASE_URL") or local_sim_url()
    api_key = os.environ.get("RETELL_API_KEY") or (LOCAL_KEY if is_local(base_url) else None)
    if api_key is None:
        print("RETELL_API_KEY is not set (it is needed for a real Retell)", file=sys.stderr)
        return 1

    import retell

    try:
        webhook_url = args.webhook_url or default_webhook_url(base_url)
        if is_local(webhook_url) and not is_local(base_url):
            raise AgentSetupError(f"Retell at {base_url} cannot reach {webhook_url}: set WEBHOOK_URL to a public URL")
        print(f"Retell: {base_url}; webhook: {webhook_url}")
        client = retell.Retell(api_key=api_key, base_url=base_url)
        outcome = ensure_agent(client, webhook_url, agent_id=args.agent_id, voice_id=args.voice_id)
    except AgentSetupError as error:
        print(f"make retell-agent: {error}", file=sys.stderr)
        return 1
    except retell.APIError as error:
        print(f"make retell-agent: Retell refused: {error}", file=sys.stderr)
        return 1
    print("Set it as RETELL_DEFAULT_AGENT_ID (cdk.json: retellDefaultAgentId) or as a clinic's agentId:")
    print(outcome.agent_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
