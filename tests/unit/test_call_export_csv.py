"""What a spreadsheet opening an export would run is written as text; everything else is written as it is."""

from __future__ import annotations

import pytest

from shared.api.call_export import _cell


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("https://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]
)
def test_a_formula_is_written_as_text(value: str) -> None:
    assert _cell(value) == "'" + value


@pytest.mark.parametrize("value", ["+14155550100", "Luna", "Sarah Johnson", "2026-12-01T17:00:00Z", ""])
def test_the_rest_is_written_as_it_is(value: str) -> None:
    assert _cell(value) == value


def test_lists_are_joined_and_booleans_are_words() -> None:
    assert _cell(["pet_worse", "callback_requested"]) == "pet_worse;callback_requested"
    assert _cell(True) == "true"
    assert _cell(None) == ""
