"""``POST /v3/list-calls``'s ``filter_criteria`` (the shapes of retell-sdk's ``call_list_params``) and the cursor
pagination that Retell's list endpoints share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


class BadFilter(ValueError):
    """A filter Retell would refuse (or one the simulator does not evaluate): answered ``400``."""


# Filters on keys inside an object of the call: {"key": ..., "type": ..., "op": ..., "value": ...} each.
_KEYED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "metadata": lambda call: call.get("metadata"),
    "dynamic_variables": lambda call: call.get("retell_llm_dynamic_variables"),
    "custom_analysis_data": lambda call: (call.get("call_analysis") or {}).get("custom_analysis_data"),
}
# Filters on one field of the call: {"type": ..., "op": ..., "value": ...}.
_FIELDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    name: (lambda field: lambda call: call.get(field))(name)
    for name in (
        "call_id",
        "to_number",
        "from_number",
        "call_status",
        "call_type",
        "direction",
        "disconnection_reason",
        "start_timestamp",
        "end_timestamp",
        "duration_ms",
        "batch_call_id",
    )
} | {
    name: (lambda field: lambda call: (call.get("call_analysis") or {}).get(field))(name)
    for name in ("call_successful", "in_voicemail", "user_sentiment")
}


def matches(call: dict[str, Any], criteria: Any) -> bool:
    """Whether the call passes every criterion (Retell ANDs them)."""
    if not isinstance(criteria, dict):
        raise BadFilter("filter_criteria must be an object")
    for name, criterion in criteria.items():
        if name in _KEYED:
            if not isinstance(criterion, list):
                raise BadFilter(f"filter_criteria.{name} must be a list")
            values = _KEYED[name](call) or {}
            if not all(_passes(_keyed(name, item), values.get(item["key"]), item) for item in criterion):
                return False
        elif name in _FIELDS:
            if not _passes(name, _FIELDS[name](call), criterion):
                return False
        elif name == "agent":
            if not isinstance(criterion, list) or not all(isinstance(item, dict) for item in criterion):
                raise BadFilter("filter_criteria.agent must be a list of {agent_id, version}")
            if not any(_agent_matches(call, item) for item in criterion):
                return False
        else:
            raise BadFilter(f"filter_criteria.{name} is unknown, or not evaluated by the simulated Retell")
    return True


def _keyed(name: str, item: Any) -> str:
    if not isinstance(item, dict) or not isinstance(item.get("key"), str):
        raise BadFilter(f"each filter_criteria.{name} entry needs a string key")
    return f"{name}.{item['key']}"


def _agent_matches(call: dict[str, Any], item: dict[str, Any]) -> bool:
    versions = item.get("version")
    return bool(
        call.get("agent_id") == item.get("agent_id") and (not versions or call.get("agent_version") in versions)
    )


def _passes(name: str, actual: Any, criterion: Any) -> bool:
    if not isinstance(criterion, dict) or not isinstance(criterion.get("op"), str):
        raise BadFilter(f"filter {name} needs an op")
    op: str = criterion["op"]
    expected = criterion.get("value")
    if op == "pr":
        return actual is not None
    if op == "np":
        return actual is None
    if actual is None:
        return op == "ne"
    if op in {"eq", "ne"}:
        return bool(actual == expected) == (op == "eq")
    if op in {"sw", "ew", "co"}:
        if not isinstance(expected, str):
            raise BadFilter(f"filter {name} ({op}) needs a string value")
        text = str(actual)
        return text.startswith(expected) if op == "sw" else text.endswith(expected) if op == "ew" else expected in text
    if op in {"gt", "ge", "lt", "le"}:
        if not isinstance(expected, int | float) or not isinstance(actual, int | float):
            return False
        return bool(
            {"gt": actual > expected, "ge": actual >= expected, "lt": actual < expected, "le": actual <= expected}[op]
        )
    if op == "bt":
        if not isinstance(expected, list) or len(expected) != 2:
            raise BadFilter(f"filter {name} (bt) needs [lower, upper]")
        return isinstance(actual, int | float) and bool(expected[0] <= actual <= expected[1])
    if op == "in":
        if not isinstance(expected, list):
            raise BadFilter(f"filter {name} (in) needs a list")
        return actual in expected
    raise BadFilter(f"filter {name} has an unknown op {op!r}")


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
