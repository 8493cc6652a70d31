"""``POST /v3/list-calls``'s ``filter_criteria`` (the shapes of retell-sdk's ``call_list_params``), ``POST
/v3/list-chats``'s (``chat_list_params``: ``CHAT_FILTERS``), and the cursor pagination that Retell's list endpoints
share.

Strict as Retell is: a filter the SDK's types do not allow (an unknown key, a ``type`` with an op it does not take, a
value of the wrong type, an enum value outside the SDK's list) is refused, ``400``, before any call is read.
``FILTERS`` is those types written out; ``tests/unit/test_retell_sim_filters.py`` checks it against the pinned SDK.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


class BadFilter(ValueError):
    """A filter Retell would refuse: answered ``400``."""


ValueKind = str | frozenset[str]
"""What a filter's ``value`` must be: ``"string"``, ``"number"``, ``"boolean"``, ``"range"`` (``[lower, upper]``),
``"strings"`` (a list of strings), ``"none"`` (no value), or the set of strings an enum's list may hold."""


@dataclass(frozen=True)
class Shape:
    """One filter shape of the SDK: its ``type``, the ops that type takes, and what its value must be."""

    type: str
    ops: frozenset[str]
    value: ValueKind


STRING = Shape("string", frozenset({"eq", "ne", "sw", "ew", "co"}), "string")
NUMBER = Shape("number", frozenset({"eq", "ne", "gt", "ge", "lt", "le"}), "number")
BOOLEAN = Shape("boolean", frozenset({"eq"}), "boolean")
RANGE = Shape("range", frozenset({"bt"}), "range")
ENUM = Shape("enum", frozenset({"in"}), "strings")
PRESENT = Shape("present", frozenset({"pr", "np"}), "none")


def _enum(*values: str) -> Shape:
    return Shape("enum", frozenset({"in"}), frozenset(values))


DISCONNECTION_REASONS = (
    *("user_hangup", "agent_hangup", "user_requested_dnc", "user_requested_callback", "call_transfer"),
    *("voicemail_reached", "ivr_reached", "inactivity", "max_duration_reached", "concurrency_limit_reached"),
    *("no_concurrency_fallback", "no_valid_payment", "credit_exhausted", "budget_reached", "scam_detected"),
    *("dial_busy", "dial_failed", "dial_no_answer", "invalid_destination", "telephony_provider_permission_denied"),
    *("telephony_provider_unavailable", "sip_routing_error", "marked_as_spam", "network_blocked", "user_declined"),
    *("error_llm_websocket_open", "error_llm_websocket_lost_connection", "error_llm_websocket_runtime"),
    *("error_llm_websocket_corrupt_payload", "error_no_audio_received", "error_asr", "error_retell", "error_unknown"),
    *("error_user_not_joined", "registered_call_timeout", "transfer_bridged", "transfer_cancelled"),
    *("manual_stopped", "call_take_over"),
)
KEYED_SHAPES = (STRING, NUMBER, BOOLEAN, RANGE, ENUM, PRESENT)
FILTERS: dict[str, tuple[Shape, ...]] = {
    "agent_tag": (ENUM,),
    "batch_call_id": (STRING,),
    "call_id": (STRING, ENUM),
    "call_status": (_enum("not_connected", "ongoing", "ended", "error"),),  # "registered" is not filterable
    "call_successful": (BOOLEAN,),
    "call_type": (_enum("web_call", "phone_call"),),
    "combined_cost": (NUMBER, RANGE),
    "data_storage_setting": (_enum("everything", "everything_except_pii", "basic_attributes_only"),),
    "direction": (_enum("inbound", "outbound"),),
    "disconnection_reason": (_enum(*DISCONNECTION_REASONS),),
    "duration_ms": (NUMBER, RANGE),
    "e2e_latency_p50": (NUMBER, RANGE),
    "end_timestamp": (NUMBER, RANGE),
    "from_number": (STRING,),
    "in_voicemail": (BOOLEAN,),
    "start_timestamp": (NUMBER, RANGE),
    "to_number": (STRING,),
    "user_sentiment": (_enum("Negative", "Positive", "Neutral", "Unknown"),),
}
"""Each single-field filter and the shapes the SDK allows for it (one ``{"type", "op", "value"}`` object)."""
KEYED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "metadata": lambda call: call.get("metadata"),
    "dynamic_variables": lambda call: call.get("retell_llm_dynamic_variables"),
    "custom_analysis_data": lambda call: (call.get("call_analysis") or {}).get("custom_analysis_data"),
    "custom_attributes": lambda call: call.get("custom_attributes"),
}
"""Filters on keys inside an object of the call: a list of ``{"key", "type", "op", "value"}``, any of
``KEYED_SHAPES`` each."""
OTHERS = frozenset({"agent", "tool_calls"})
"""``agent``: a list of ``{"agent_id", "version": [numbers]}`` (ORed); ``tool_calls``: a list of ``{"name", "type",
"success", "latency_ms"}`` (the simulated calls make no tool calls, so a non-empty one matches nothing)."""
TOOL_CALL_FIELDS: dict[str, tuple[Shape, ...] | type] = {
    "latency_ms": (NUMBER, RANGE),
    "success": (BOOLEAN,),
    "name": str,
    "type": str,
}
_NOT_ON_THE_CALL: dict[str, Callable[[dict[str, Any]], Any]] = {
    "combined_cost": lambda call: (call.get("call_cost") or {}).get("combined_cost"),
    "e2e_latency_p50": lambda call: ((call.get("latency") or {}).get("e2e") or {}).get("p50"),
}
_IN_THE_ANALYSIS = frozenset({"call_successful", "in_voicemail", "user_sentiment"})


@dataclass(frozen=True)
class FilterTable:
    """One list endpoint's filters: the single-field ones, the keyed ones, whether ``tool_calls`` is one, and how an
    item's value for a single-field filter is read."""

    single: dict[str, tuple[Shape, ...]]
    keyed: dict[str, Callable[[dict[str, Any]], Any]]
    field: Callable[[dict[str, Any], str], Any]
    tool_calls: bool = True


CHAT_FILTERS: dict[str, tuple[Shape, ...]] = {
    "agent_number": (STRING,),
    "agent_tag": (ENUM,),
    "chat_id": (STRING, ENUM),
    "chat_status": (_enum("ongoing", "ended", "error"),),
    "chat_successful": (BOOLEAN,),
    "chat_type": (_enum("api_chat", "sms_chat"),),
    "combined_cost": (NUMBER, RANGE),
    "data_storage_setting": (_enum("everything", "everything_except_pii", "basic_attributes_only"),),
    "direction": (_enum("inbound", "outbound"),),
    "disconnection_reason": (_enum(*DISCONNECTION_REASONS),),
    "duration_ms": (NUMBER, RANGE),
    "end_timestamp": (NUMBER, RANGE),
    "start_timestamp": (NUMBER, RANGE),
    "user_number": (STRING,),
    "user_sentiment": (_enum("Negative", "Positive", "Neutral", "Unknown"),),
}
"""retell-sdk's ``chat_list_params`` single-field filters. It has no metadata filter: a chat is found by its id."""
CHAT_KEYED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "custom_analysis_data": lambda chat: (chat.get("chat_analysis") or {}).get("custom_analysis_data"),
    "custom_attributes": lambda chat: chat.get("custom_attributes"),
}
CHAT_OTHERS = frozenset({"agent"})
# Chat fields that ChatResponse does not carry: the simulator keeps them beside the chat under these names.
_CHAT_HIDDEN = {"agent_number": "_from_number", "user_number": "_to_number", "direction": "_direction"}


def _chat_field(chat: dict[str, Any], name: str) -> Any:
    if name in _CHAT_HIDDEN:
        return chat.get(_CHAT_HIDDEN[name])
    if name == "combined_cost":
        return (chat.get("chat_cost") or {}).get("combined_cost")
    if name in {"chat_successful", "user_sentiment"}:
        return (chat.get("chat_analysis") or {}).get(name)
    if name == "duration_ms" and chat.get("end_timestamp") and chat.get("start_timestamp"):
        return chat["end_timestamp"] - chat["start_timestamp"]
    return chat.get(name)


def check(criteria: Any, table: FilterTable | None = None) -> None:
    """Refuse (``BadFilter``) criteria that retell-sdk's list params types (``call_list_params`` unless ``table``
    says otherwise) do not allow."""
    table = table or CALLS
    if not isinstance(criteria, dict):
        raise BadFilter("filter_criteria must be an object")
    for name, criterion in criteria.items():
        if name in table.single:
            _check_shape(name, criterion, table.single[name], keyed=False)
        elif name in table.keyed:
            for item in _list(name, criterion):
                _check_shape(name, item, KEYED_SHAPES, keyed=True)
        elif name == "agent":
            for item in _list(name, criterion):
                _check_agent(item)
        elif name == "tool_calls" and table.tool_calls:
            for item in _list(name, criterion):
                _check_tool_call(item)
        else:
            raise BadFilter(f"filter_criteria.{name} is not a filter Retell knows")


def matches(call: dict[str, Any], criteria: Any, table: FilterTable | None = None) -> bool:
    """Whether the call (or chat, by ``table``) passes every criterion (Retell ANDs them). Check the criteria first
    (``check``)."""
    table = table or CALLS
    for name, criterion in criteria.items():
        if name in table.keyed:
            values = table.keyed[name](call) or {}
            if not all(_passes(values.get(item.get("key")), item) for item in criterion):
                return False
        elif name in table.single:
            if not _passes(table.field(call, name), criterion):
                return False
        elif name == "agent":
            if not any(_agent_matches(call, item) for item in criterion):
                return False
        elif name == "tool_calls" and criterion:
            return False
    return True


def _field(call: dict[str, Any], name: str) -> Any:
    if name in _NOT_ON_THE_CALL:
        return _NOT_ON_THE_CALL[name](call)
    if name in _IN_THE_ANALYSIS:
        return (call.get("call_analysis") or {}).get(name)
    return call.get(name)


CALLS = FilterTable(FILTERS, KEYED, _field)
CHATS = FilterTable(CHAT_FILTERS, CHAT_KEYED, _chat_field, tool_calls=False)


def _list(name: str, criterion: Any) -> list[Any]:
    if not isinstance(criterion, list):
        raise BadFilter(f"filter_criteria.{name} must be a list")
    return criterion


def _check_shape(name: str, criterion: Any, shapes: tuple[Shape, ...], *, keyed: bool) -> None:
    if not isinstance(criterion, dict):
        raise BadFilter(f"filter_criteria.{name} must be an object (or a list of them)")
    allowed = {"type", "op", "value", *(("key",) if keyed else ())}
    if set(criterion) - allowed:
        raise BadFilter(f"filter_criteria.{name} has unknown fields: {sorted(set(criterion) - allowed)}")
    if keyed and not isinstance(criterion.get("key"), str):
        # The SDK leaves ``key`` optional, but a keyed filter without one names nothing to compare.
        raise BadFilter(f"each filter_criteria.{name} entry needs a string key")
    shape = next((shape for shape in shapes if shape.type == criterion.get("type")), None)
    if shape is None:
        types = ", ".join(shape.type for shape in shapes)
        raise BadFilter(f"filter_criteria.{name}.type must be one of: {types}")
    if criterion.get("op") not in shape.ops:
        raise BadFilter(f"filter_criteria.{name}: a {shape.type} filter's op is one of {', '.join(sorted(shape.ops))}")
    _check_value(name, shape, criterion)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_value(name: str, shape: Shape, criterion: dict[str, Any]) -> None:
    kind, present, value = shape.value, "value" in criterion, criterion.get("value")
    if kind == "none":
        if present:
            raise BadFilter(f"filter_criteria.{name}: a present filter takes no value")
        return
    if not present:
        raise BadFilter(f"filter_criteria.{name} needs a value")
    if kind == "string":
        ok = isinstance(value, str)
    elif kind == "number":
        ok = _is_number(value)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "range":
        ok = isinstance(value, list) and len(value) == 2 and all(_is_number(bound) for bound in value)
    else:
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        if ok and isinstance(kind, frozenset) and isinstance(value, list):
            ok = set(value) <= kind
    if not ok:
        expected = "one of its listed values" if isinstance(kind, frozenset) else kind
        raise BadFilter(f"filter_criteria.{name}: the value must be {expected}")


def _check_agent(item: Any) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("agent_id"), str) or set(item) - {"agent_id", "version"}:
        raise BadFilter("filter_criteria.agent must be a list of {agent_id, version}")
    versions = item.get("version", [])
    if not isinstance(versions, list) or not all(_is_number(version) for version in versions):
        raise BadFilter("filter_criteria.agent[].version must be a list of numbers")


def _check_tool_call(item: Any) -> None:
    if not isinstance(item, dict):
        raise BadFilter("filter_criteria.tool_calls must be a list of objects")
    for field, expected in item.items():
        rule = TOOL_CALL_FIELDS.get(field)
        if rule is None:
            raise BadFilter(f"filter_criteria.tool_calls[].{field} is not a filter Retell knows")
        if isinstance(rule, tuple):
            _check_shape(f"tool_calls[].{field}", expected, rule, keyed=False)
        elif not isinstance(expected, str):
            raise BadFilter(f"filter_criteria.tool_calls[].{field} must be a string")


def _agent_matches(call: dict[str, Any], item: dict[str, Any]) -> bool:
    versions = item.get("version")
    return bool(
        call.get("agent_id") == item.get("agent_id") and (not versions or call.get("agent_version") in versions)
    )


def _passes(actual: Any, criterion: dict[str, Any]) -> bool:
    """Under a checked criterion: whether ``actual`` (``None``: the call has no such value) passes it."""
    op: str = criterion["op"]
    expected: Any = criterion.get("value")
    if op == "pr":
        return actual is not None
    if op == "np":
        return actual is None
    if actual is None:
        return op == "ne"
    if op in {"eq", "ne"}:
        return bool(actual == expected) == (op == "eq")
    if op in {"sw", "ew", "co"}:
        text = str(actual)
        return text.startswith(expected) if op == "sw" else text.endswith(expected) if op == "ew" else expected in text
    if op in {"gt", "ge", "lt", "le"}:
        if not _is_number(actual):
            return False
        return bool(
            {"gt": actual > expected, "ge": actual >= expected, "lt": actual < expected, "le": actual <= expected}[op]
        )
    if op == "bt":
        return _is_number(actual) and bool(expected[0] <= actual <= expected[1])
    return actual in expected  # "in"


def page(
    items: Sequence[dict[str, Any]], id_field: str, limit: Any, pagination_key: Any, default_limit: int = 50
) -> tuple[list[dict[str, Any]], bool, str | None]:
    """One page after ``pagination_key`` (the id of the previous page's last item): the items, whether more follow,
    and the key of the next page."""
    size = default_limit if limit is None else limit
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 1000:
        raise BadFilter("limit must be an integer from 1 to 1000")
    start = 0
    if pagination_key is not None:
        ids = [item[id_field] for item in items]
        if pagination_key not in ids:
            raise BadFilter("pagination_key is not valid")
        start = ids.index(pagination_key) + 1
    chosen = list(items[start : start + size])
    more = start + size < len(items)
    return chosen, more, (chosen[-1][id_field] if more and chosen else None)
