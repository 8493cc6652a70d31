from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.adapters.call_scheduler import at_expression
from shared.dal.pagination import PageTokens
from shared.logic.ports import new_schedule_token, schedule_name
from shared.models.errors import InvalidNextToken

KEY = {"pk": "CALL#c1", "sk": "CALL", "gsi1pk": "CLINIC#clinic-a", "gsi1sk": "2026-12-01T17:00:00Z#c1"}
BINDING = "clinic-a\nscheduled\n\n"
TOKENS = PageTokens(lambda: b"k" * 64)


def test_a_token_round_trips_for_its_query() -> None:
    assert TOKENS.decode(TOKENS.encode(KEY, BINDING), BINDING) == KEY


@pytest.mark.parametrize(
    "token",
    [
        "",
        "!!!",
        "e30",
        "e30.",
        TOKENS.encode(KEY, BINDING).split(".")[0],  # the key alone, as the old unsigned tokens were
        PageTokens(lambda: b"another deployment").encode(KEY, BINDING),
    ],
)
def test_malformed_or_foreign_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidNextToken):
        TOKENS.decode(token, BINDING)


@pytest.mark.parametrize("binding", ["clinic-b\nscheduled\n\n", "clinic-a\n\n\n", "clinic-a\nscheduled\n2026\n"])
def test_a_token_is_refused_for_another_clinic_or_query(binding: str) -> None:
    with pytest.raises(InvalidNextToken):
        TOKENS.decode(TOKENS.encode(KEY, BINDING), binding)


@given(st.integers(min_value=0), st.characters(codec="utf-8"))
def test_any_edit_to_a_token_is_refused(position: int, replacement: str) -> None:
    token = TOKENS.encode(KEY, BINDING)
    index = position % len(token)
    edited = token[:index] + replacement + token[index + 1 :]
    if edited == token:
        return
    with pytest.raises(InvalidNextToken):
        TOKENS.decode(edited, BINDING)


@given(st.text(max_size=300))
def test_arbitrary_text_is_refused_not_crashed_on(text: str) -> None:
    with pytest.raises(InvalidNextToken):
        TOKENS.decode(text, BINDING)


def test_schedule_names_are_deterministic_and_fit_scheduler_limits() -> None:
    token = new_schedule_token()
    name = schedule_name("f" * 32, attempt=10, token=token)
    assert name == schedule_name("f" * 32, attempt=10, token=token) == f"call-{'f' * 32}-a10-{token}"
    assert len(name) <= 64
    assert re.fullmatch(r"[0-9a-zA-Z\-_.]+", name)
    assert new_schedule_token() != token
    with pytest.raises(ValueError, match="longer"):
        schedule_name("f" * 60, attempt=1, token=token)


def test_at_expressions_are_utc_wall_times() -> None:
    instant = datetime.fromisoformat("2026-12-01T09:00:00-08:00")
    assert at_expression(instant) == "at(2026-12-01T17:00:00)"
    assert at_expression(datetime(2026, 3, 8, 10, 30, tzinfo=UTC)) == "at(2026-03-08T10:30:00)"
