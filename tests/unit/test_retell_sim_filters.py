"""The simulated Retell's list-calls and list-chats filters are retell-sdk's: ``standins.retell_sim.filters`` written
out against the pinned SDK's ``call_list_params`` and ``chat_list_params`` types (keys, each key's filter types, their
ops and value types)."""

from __future__ import annotations

import typing
from collections.abc import Iterable, Sequence
from typing import Any, Literal, get_args, get_origin, get_type_hints

from retell.types import call_list_params, chat_list_params

from standins.retell_sim import filters


def _literals(hint: Any) -> frozenset[str]:
    hint = _unrequired(hint)
    assert get_origin(hint) is Literal, hint
    return frozenset(get_args(hint))


def _unrequired(hint: Any) -> Any:
    while get_origin(hint) in {typing.Required, typing.NotRequired}:
        (hint,) = get_args(hint)
    return hint


def _value_kind(hint: Any) -> filters.ValueKind:
    hint = _unrequired(hint)
    origin, args = get_origin(hint), get_args(hint)
    if hint is str:
        return "string"
    if hint is float:
        return "number"
    if hint is bool:
        return "boolean"
    if origin is list and get_origin(args[0]) is Literal:
        return frozenset(get_args(args[0]))
    if origin in {list, Iterable, Sequence}:  # retell's SequenceNotStr reads as Sequence outside type checking
        return "range" if args[0] is float else "strings"
    raise AssertionError(f"unexpected value type {hint}")


def _shape(typed_dict: Any) -> tuple[filters.Shape, bool]:
    hints = get_type_hints(typed_dict, include_extras=True)
    (kind,) = _literals(hints["type"])
    value = _value_kind(hints["value"]) if "value" in hints else "none"
    return filters.Shape(kind, _literals(hints["op"]), value), "key" in hints


def _alternatives(hint: Any) -> list[Any]:
    return list(get_args(hint)) if get_origin(hint) is typing.Union else [hint]


def _sdk_filters(
    criteria: Any = call_list_params.FilterCriteria,
) -> tuple[dict[str, tuple[filters.Shape, ...]], dict[str, tuple[filters.Shape, ...]], set[str]]:
    single: dict[str, tuple[filters.Shape, ...]] = {}
    keyed: dict[str, tuple[filters.Shape, ...]] = {}
    other: set[str] = set()
    for name, hint in get_type_hints(criteria, include_extras=True).items():
        hint = _unrequired(hint)
        is_list = get_origin(hint) is Iterable
        inner = get_args(hint)[0] if is_list else hint
        alternatives = _alternatives(inner)
        if not all("op" in get_type_hints(option) for option in alternatives):
            other.add(name)
            continue
        shapes = [_shape(option) for option in alternatives]
        if is_list:
            assert all(has_key for _, has_key in shapes)
            keyed[name] = tuple(shape for shape, _ in shapes)
        else:
            single[name] = tuple(shape for shape, _ in shapes)
    return single, keyed, other


def test_the_single_field_filters_are_the_sdks() -> None:
    single, _, _ = _sdk_filters()
    assert set(filters.FILTERS) == set(single)
    for name, shapes in single.items():
        assert set(filters.FILTERS[name]) == set(shapes), name


def test_the_keyed_filters_are_the_sdks() -> None:
    _, keyed, _ = _sdk_filters()
    assert set(filters.KEYED) == set(keyed)
    for name, shapes in keyed.items():
        assert set(filters.KEYED_SHAPES) == set(shapes), name


def test_the_other_filters_are_the_sdks() -> None:
    _, _, other = _sdk_filters()
    assert other == filters.OTHERS
    tool_call = get_type_hints(call_list_params.FilterCriteriaToolCall)
    assert set(filters.TOOL_CALL_FIELDS) == set(tool_call)
    agent = get_type_hints(call_list_params.FilterCriteriaAgent, include_extras=True)
    assert set(agent) == {"agent_id", "version"}


def test_the_list_parameters_are_the_sdks() -> None:
    from standins.retell_sim.server import LIST_PARAMS

    assert set(get_type_hints(call_list_params.CallListParams)) == LIST_PARAMS


def test_the_chat_filters_are_the_sdks() -> None:
    single, keyed, other = _sdk_filters(chat_list_params.FilterCriteria)
    assert set(filters.CHAT_FILTERS) == set(single)
    for name, shapes in single.items():
        assert set(filters.CHAT_FILTERS[name]) == set(shapes), name
    assert set(filters.CHAT_KEYED) == set(keyed)
    for name, shapes in keyed.items():
        assert set(filters.KEYED_SHAPES) == set(shapes), name
    assert other == filters.CHAT_OTHERS
    assert set(get_type_hints(chat_list_params.FilterCriteriaAgent)) == {"agent_id", "version"}
    assert "metadata" not in single
    assert "metadata" not in keyed


def test_the_list_chats_parameters_are_the_sdks() -> None:
    from standins.retell_sim.server import LIST_PARAMS

    assert set(get_type_hints(chat_list_params.ChatListParams)) == LIST_PARAMS
