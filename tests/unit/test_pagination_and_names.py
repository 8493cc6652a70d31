from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from shared.adapters.call_scheduler import at_expression, new_schedule_token, schedule_name
from shared.dal.pagination import InvalidNextToken, decode_next_token, encode_next_token

KEY = {"pk": "CALL#c1", "sk": "CALL", "gsi1pk": "CLINIC#clinic-a", "gsi1sk": "2026-12-01T17:00:00Z#c1"}


def test_a_token_round_trips_for_its_clinic() -> None:
    assert decode_next_token(encode_next_token(KEY), "clinic-a") == KEY


@pytest.mark.parametrize("token", ["", "!!!", "e30", encode_next_token({**KEY, "gsi1pk": "CLINIC#clinic-b"})])
def test_foreign_or_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidNextToken):
        decode_next_token(token, "clinic-a")


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
