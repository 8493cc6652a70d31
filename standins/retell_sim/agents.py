"""Retell's agents and Retell LLMs, kept in memory, with the requests and answers of retell-sdk's ``agent``,
``chat_agent`` and ``llm`` resources (``create-agent``, ``update-agent/{id}``, ``get-agent/{id}``,
``v2/list-agents``; ``create-chat-agent``, ``update-chat-agent/{id}``, ``get-chat-agent/{id}``,
``delete-chat-agent/{id}``; the same for ``retell-llm``). Voice agents and chat agents share their ids' form and
``v2/list-agents`` (each item says its ``channel``), but each kind's own routes know only that kind, as at Retell."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from standins.retell_sim.filters import BOOLEAN, STRING, BadFilter, FilterTable, check, matches, page

# Fields of the answer that the server owns: a request cannot set them.
_AGENT_OWNED = {"agent_id", "version", "is_published", "last_modification_timestamp"}
_LLM_OWNED = {"llm_id", "version", "is_published", "last_modification_timestamp"}
MIN_SILENCE_MS, MAX_SILENCE_MS = 120_000, 259_200_000  # a chat agent's end_chat_after_silence_ms: 2 min to 72 h
CHAT_EVENTS = frozenset({"chat_started", "chat_ended", "chat_analyzed", "transcript_updated"})
_ENGINES = {"retell-llm": "llm_id", "custom-llm": "llm_websocket_url", "conversation-flow": "conversation_flow_id"}


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # None: an error's message is in ``message``
    message: str = ""


def _refused(status: int, message: str) -> Answer:
    return Answer(status, None, message)


class AgentStore:
    def __init__(self, now_ms: Callable[[], int]):
        self._now_ms = now_ms
        self._lock = threading.Lock()
        self._agents: dict[str, dict[str, Any]] = {}
        self._llms: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, str] = {}  # an agent's id -> "voice" | "chat"

    def agent(self, agent_id: str, channel: str = "voice") -> dict[str, Any] | None:
        """The agent of that channel (``None``: no such agent, or one of the other channel)."""
        with self._lock:
            agent = self._agents.get(agent_id)
            return dict(agent) if agent is not None and self._channels[agent_id] == channel else None

    def channel(self, agent_id: str) -> str | None:
        with self._lock:
            return self._channels.get(agent_id)

    # -- Retell LLMs ---------------------------------------------------------------------------------------------

    def create_llm(self, body: dict[str, Any]) -> Answer:
        if body.get("start_speaker") not in {"user", "agent"}:
            return _refused(400, "start_speaker is required: user or agent")
        llm_id = f"llm_{uuid.uuid4().hex[:24]}"
        with self._lock:
            llm = {**_settable(body, _LLM_OWNED), "llm_id": llm_id, "version": 0, "is_published": False}
            llm["last_modification_timestamp"] = self._now_ms()
            self._llms[llm_id] = llm
            return Answer(201, dict(llm))

    def update_llm(self, llm_id: str, body: dict[str, Any]) -> Answer:
        if "start_speaker" in body and body["start_speaker"] not in {"user", "agent"}:
            return _refused(400, "start_speaker must be user or agent")
        with self._lock:
            llm = self._llms.get(llm_id)
            if llm is None:
                return _refused(404, "Retell LLM not found")
            # Only the latest version is editable and is edited in place (Retell numbers versions when publishing).
            llm.update(_settable(body, _LLM_OWNED), last_modification_timestamp=self._now_ms())
            return Answer(200, dict(llm))

    def get_llm(self, llm_id: str) -> Answer:
        with self._lock:
            llm = self._llms.get(llm_id)
            return Answer(200, dict(llm)) if llm is not None else _refused(404, "Retell LLM not found")

    def list_llms(self, query: dict[str, str]) -> Answer:
        with self._lock:
            llms = [dict(llm) for llm in self._llms.values()]
        return _listed(llms, "llm_id", query)

    # -- agents --------------------------------------------------------------------------------------------------

    def create_agent(self, body: dict[str, Any]) -> Answer:
        if not isinstance(body.get("voice_id"), str) or not body["voice_id"]:
            return _refused(400, "voice_id is required")
        with self._lock:
            engine = self._engine(body.get("response_engine"))
            if isinstance(engine, Answer):
                return engine
            return self._add(body, engine, "voice")

    def update_agent(self, agent_id: str, body: dict[str, Any]) -> Answer:
        with self._lock:
            agent = self._agents.get(agent_id) if self._channels.get(agent_id) == "voice" else None
            if agent is None:
                return _refused(404, "Agent not found")
            changes = _settable(body, _AGENT_OWNED)
            if "response_engine" in changes:
                engine = self._engine(changes["response_engine"])
                if isinstance(engine, Answer):
                    return engine
                changes["response_engine"] = engine
            if "voice_id" in changes and not (isinstance(changes["voice_id"], str) and changes["voice_id"]):
                return _refused(400, "voice_id must be a non-empty string")
            agent.update(changes, last_modification_timestamp=self._now_ms())
            return Answer(200, dict(agent))

    def get_agent(self, agent_id: str) -> Answer:
        agent = self.agent(agent_id)
        return Answer(200, agent) if agent is not None else _refused(404, "Agent not found")

    def list_agents(self, query: dict[str, str], body: dict[str, Any]) -> Answer:
        """Voice and chat agents alike, each item with its ``channel``; ``filter_criteria`` as retell-sdk's
        ``agent_list_params`` (``query``, ``channel``, ``is_transfer_agent``), anything else refused."""
        criteria = body.get("filter_criteria") or {}
        if not isinstance(criteria, dict) or set(criteria) - {"query", "channel", "is_transfer_agent"}:
            return _refused(400, "filter_criteria takes query, channel and is_transfer_agent")
        wanted = {name: criteria[name] for name in ("channel", "is_transfer_agent") if name in criteria}
        try:
            check(wanted, _AGENT_FILTERS)
        except BadFilter as error:
            return _refused(400, str(error))
        if "channel" in wanted and wanted["channel"]["value"] not in {"voice", "chat"}:
            return _refused(400, "filter_criteria.channel's value is voice or chat")
        if not isinstance(criteria.get("query", ""), str):
            return _refused(400, "filter_criteria.query must be a string")
        text = str(criteria.get("query") or "").lower()
        with self._lock:
            items = [
                _agent_item(agent, self._channels[agent["agent_id"]])
                for agent in self._agents.values()
                if text in str(agent.get("agent_name") or "").lower() or text in agent["agent_id"]
            ]
        agents = [item for item in items if matches(item, wanted, _AGENT_FILTERS)]
        return _listed(agents, "agent_id", query)

    # -- chat agents ---------------------------------------------------------------------------------------------

    def create_chat_agent(self, body: dict[str, Any]) -> Answer:
        refused = _chat_agent_refusal(body)
        if refused is not None:
            return refused
        with self._lock:
            engine = self._engine(body.get("response_engine"))
            if isinstance(engine, Answer):
                return engine
            return self._add(body, engine, "chat")

    def update_chat_agent(self, agent_id: str, body: dict[str, Any]) -> Answer:
        refused = _chat_agent_refusal(body, creating=False)
        if refused is not None:
            return refused
        with self._lock:
            agent = self._agents.get(agent_id) if self._channels.get(agent_id) == "chat" else None
            if agent is None:
                return _refused(404, "Chat agent not found")
            changes = _settable(body, _AGENT_OWNED)
            if "response_engine" in changes:
                engine = self._engine(changes["response_engine"])
                if isinstance(engine, Answer):
                    return engine
                changes["response_engine"] = engine
            agent.update(changes, last_modification_timestamp=self._now_ms())
            return Answer(200, dict(agent))

    def get_chat_agent(self, agent_id: str) -> Answer:
        agent = self.agent(agent_id, "chat")
        return Answer(200, agent) if agent is not None else _refused(404, "Chat agent not found")

    def delete_chat_agent(self, agent_id: str) -> Answer:
        with self._lock:
            if self._channels.get(agent_id) != "chat":
                return _refused(404, "Chat agent not found")
            del self._agents[agent_id], self._channels[agent_id]
            return Answer(204, None)

    def _add(self, body: dict[str, Any], engine: dict[str, Any], channel: str) -> Answer:
        """Under the lock: store a new agent of ``channel``."""
        agent_id = f"agent_{uuid.uuid4().hex[:24]}"
        agent = {**_settable(body, _AGENT_OWNED), "response_engine": engine, "agent_id": agent_id}
        agent.update(version=0, is_published=False, last_modification_timestamp=self._now_ms())
        self._agents[agent_id] = agent
        self._channels[agent_id] = channel
        return Answer(201, dict(agent))

    def _engine(self, engine: Any) -> dict[str, Any] | Answer:
        """Under the lock: the response engine as stored (a Retell LLM's with its version), or why not."""
        if not isinstance(engine, dict) or engine.get("type") not in _ENGINES:
            return _refused(400, "response_engine needs a type: retell-llm, custom-llm or conversation-flow")
        reference = engine.get(_ENGINES[engine["type"]])
        if not isinstance(reference, str) or not reference:
            return _refused(400, f"response_engine needs {_ENGINES[engine['type']]}")
        if engine["type"] != "retell-llm":
            return dict(engine)
        llm = self._llms.get(reference)
        if llm is None:
            return _refused(422, "Cannot find requested asset under given api key.")
        return {**engine, "version": engine.get("version", llm["version"])}


# retell-sdk's ``agent_list_params``: ``channel`` a string filter whose value is "voice" or "chat",
# ``is_transfer_agent`` a boolean one; both read off the listed item.
_AGENT_FILTERS = FilterTable(
    {"channel": (STRING,), "is_transfer_agent": (BOOLEAN,)}, {}, lambda item, name: item.get(name), tool_calls=False
)


def _settable(body: dict[str, Any], owned: set[str]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in owned}


def _chat_agent_refusal(body: dict[str, Any], *, creating: bool = True) -> Answer | None:
    """Why retell-sdk's ``chat_agent_create_params`` (or ``_update_params``) types refuse this body, if they do."""
    if creating and "response_engine" not in body:
        return _refused(400, "response_engine is required")
    events = body.get("webhook_events")
    if events is not None and (not isinstance(events, list) or not set(events) <= CHAT_EVENTS):
        return _refused(400, f"webhook_events must be a list of: {', '.join(sorted(CHAT_EVENTS))}")
    if "voice_id" in body:
        return _refused(400, "A chat agent has no voice_id")
    silence = body.get("end_chat_after_silence_ms")
    if silence is not None and (
        not isinstance(silence, int) or isinstance(silence, bool) or not MIN_SILENCE_MS <= silence <= MAX_SILENCE_MS
    ):
        return _refused(400, f"end_chat_after_silence_ms must be from {MIN_SILENCE_MS} to {MAX_SILENCE_MS}")
    return None


def _agent_item(agent: dict[str, Any], channel: str) -> dict[str, Any]:
    """An agent as ``v2/list-agents`` lists it (retell-sdk's ``AgentListResponse`` item)."""
    return {
        "agent_id": agent["agent_id"],
        "agent_name": agent.get("agent_name") or "",
        "channel": channel,
        "is_suspended": False,
        "is_transfer_agent": bool(agent.get("is_transfer_agent")),
        "tags": {},
        "user_modified_timestamp": agent["last_modification_timestamp"],
    }


def _listed(items: list[dict[str, Any]], id_field: str, query: dict[str, str]) -> Answer:
    if query.get("sort_order", "descending") not in {"ascending", "descending"}:
        return _refused(400, "sort_order must be ascending or descending")
    # In the order of creation, newest first unless asked otherwise (a stable order for the cursor).
    ordered = items[::-1] if query.get("sort_order", "descending") == "descending" else items
    try:
        limit = int(query["limit"]) if "limit" in query else None
        chosen, more, key = page(ordered, id_field, limit, query.get("pagination_key"))
    except (ValueError, BadFilter) as error:
        return _refused(400, str(error))
    return Answer(200, {"items": chosen, "has_more": more, "pagination_key": key})
