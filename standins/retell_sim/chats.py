"""A simulated Retell SMS chat (a text to an owner): the chat object as retell-sdk's ``ChatResponse`` has it, and how
the chat plays out, as the snapshots its webhooks carry (``chat_started``, ``chat_ended``, ``chat_analyzed``).

The first text goes out when the chat is created; the owner's reply (``chat_scenarios``) comes a minute and a half
later, the agent answers it, and the chat ends after the agent's ``end_chat_after_silence_ms`` of silence. As with
get-call, the chat is kept in its final state at once: get-chat answers it ended (a text's whole exchange takes
seconds in the simulation, as its webhooks do).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from standins.retell_sim.chat_scenarios import ANSWER_AFTER_SECONDS, REPLY_AFTER_SECONDS, ChatScript, opening

DEFAULT_EVENTS = frozenset({"chat_started", "chat_ended", "chat_analyzed"})  # a chat agent's, unless it says others
DEFAULT_SILENCE_MS = 60 * 60 * 1000  # the simulator's choice when the chat agent sets no end_chat_after_silence_ms
# What list-chats leaves out of each chat (retell-sdk's ``chat_list_response`` items: "Transcript fields are
# intentionally omitted").
NOT_LISTED = frozenset({"transcript", "message_with_tool_calls"})
# Kept beside the chat for list-chats' filters (ChatResponse has no phone numbers): never shown.
HIDDEN = ("_from_number", "_to_number", "_direction")


@dataclass
class SimChat:
    chat: dict[str, Any]
    script: ChatScript
    created_at: datetime
    from_number: str
    to_number: str
    webhook_url: str | None = None  # the chat agent's, which replaces the account's; None: the account's
    webhook_events: frozenset[str] | None = None  # the chat agent's subscription; None: Retell's default three
    silence_ms: int = DEFAULT_SILENCE_MS


def _epoch_ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def new_chat(chat_id: str, agent_id: str, version: int, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The chat as create-sms-chat answers it: started, its first text not yet in."""
    return {
        "chat_id": chat_id,
        "agent_id": agent_id,
        "version": version,
        "chat_status": "ongoing",
        "chat_type": "sms_chat",
        "metadata": body.get("metadata") or {},
        "retell_llm_dynamic_variables": body.get("retell_llm_dynamic_variables") or {},
        "start_timestamp": _epoch_ms(now),
        "transcript": "",
        "message_with_tool_calls": [],
    }


def _message(role: str, content: str, at: datetime, number: int) -> dict[str, Any]:
    return {"message_id": f"msg_{number}", "role": role, "content": content, "created_timestamp": _epoch_ms(at)}


def _transcript(messages: list[dict[str, Any]]) -> str:
    speakers = {"agent": "Agent", "user": "User"}
    return "\n".join(f"{speakers[message['role']]}: {message['content']}" for message in messages)


def play(sim_chat: SimChat) -> list[tuple[str, dict[str, Any]]]:
    """Play the chat's script: bring the chat to its final state, and return each event with the chat as it is
    when the event is sent (the events the agent does not subscribe to included: the caller leaves them out)."""
    chat, script = sim_chat.chat, sim_chat.script
    start = sim_chat.created_at
    first = _message("agent", opening(chat["retell_llm_dynamic_variables"]), start, 1)
    messages = [first]
    chat.update(message_with_tool_calls=list(messages), transcript=_transcript(messages))
    events = [("chat_started", _snapshot(chat))]
    last = start
    if script.reply is not None:
        last = start + timedelta(seconds=REPLY_AFTER_SECONDS)
        messages.append(_message("user", script.reply, last, 2))
        if script.answer is not None:
            last += timedelta(seconds=ANSWER_AFTER_SECONDS)
            messages.append(_message("agent", script.answer, last, 3))
    chat.update(
        chat_status="ended",
        end_timestamp=_epoch_ms(last + timedelta(milliseconds=sim_chat.silence_ms)),
        message_with_tool_calls=list(messages),
        transcript=_transcript(messages),
    )
    events.append(("chat_ended", _snapshot(chat)))
    chat["chat_analysis"] = {
        "chat_summary": script.summary,
        "chat_successful": script.successful,
        "user_sentiment": script.sentiment,
        "custom_analysis_data": dict(script.custom_analysis),
    }
    events.append(("chat_analyzed", _snapshot(chat)))
    return events


def _snapshot(chat: dict[str, Any]) -> dict[str, Any]:
    return {
        key: [dict(item) for item in value]
        if isinstance(value, list)
        else dict(value)
        if isinstance(value, dict)
        else value
        for key, value in chat.items()
    }


def view(sim_chat: SimChat, *, listed: bool = False) -> dict[str, Any]:
    """The chat as get-chat (or, ``listed``, list-chats, with the numbers its filters read) answers it now."""
    chat = _snapshot(sim_chat.chat)
    if listed:
        chat = {key: value for key, value in chat.items() if key not in NOT_LISTED}
        chat.update(_from_number=sim_chat.from_number, _to_number=sim_chat.to_number, _direction="outbound")
    return chat
