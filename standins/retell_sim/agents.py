"""Retell's agents and Retell LLMs, kept in memory, with the requests and answers of retell-sdk's ``agent`` and
``llm`` resources (``create-agent``, ``update-agent/{id}``, ``get-agent/{id}``, ``v2/list-agents``; the same for
``retell-llm``)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from standins.retell_sim.filters import BadFilter, page

# Fields of the answer that the server owns: a request cannot set them.
_AGENT_OWNED = {"agent_id", "version", "is_published", "last_modification_timestamp"}
_LLM_OWNED = {"llm_id", "version", "is_published", "last_modification_timestamp"}
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

    def agent(self, agent_id: str) -> dict[str, Any] | None:
        with self._lock:
            agent = self._agents.get(agent_id)
            return dict(agent) if agent is not None else None

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
            agent_id = f"agent_{uuid.uuid4().hex[:24]}"
            agent = {**_settable(body, _AGENT_OWNED), "response_engine": engine, "agent_id": agent_id}
            agent.update(version=0, is_published=False, last_modification_timestamp=self._now_ms())
            self._agents[agent_id] = agent
            return Answer(201, dict(agent))

    def update_agent(self, agent_id: str, body: dict[str, Any]) -> Answer:
        with self._lock:
            agent = self._agents.get(agent_id)
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
        with self._lock:
            agent = self._agents.get(agent_id)
            return Answer(200, dict(agent)) if agent is not None else _refused(404, "Agent not found")

    def list_agents(self, query: dict[str, str], body: dict[str, Any]) -> Answer:
        criteria = body.get("filter_criteria") or {}
        if not isinstance(criteria, dict) or set(criteria) - {"query", "channel", "is_transfer_agent"}:
            return _refused(400, "filter_criteria takes query, channel and is_transfer_agent")
        text = str(criteria.get("query") or "").lower()
        with self._lock:
            agents = [
                _agent_item(agent)
                for agent in self._agents.values()
                if text in str(agent.get("agent_name") or "").lower() or text in agent["agent_id"]
            ]
        return _listed(agents, "agent_id", query)

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


def _settable(body: dict[str, Any], owned: set[str]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in owned}


def _agent_item(agent: dict[str, Any]) -> dict[str, Any]:
    """An agent as ``v2/list-agents`` lists it (retell-sdk's ``AgentListResponse`` item)."""
    return {
        "agent_id": agent["agent_id"],
        "agent_name": agent.get("agent_name") or "",
        "channel": "voice",
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
