from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.models.phone import normalise_phone


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+14155550100", "+14155550100"),
        ("(415) 555-0100", "+14155550100"),
        ("415.555.0100", "+14155550100"),
        ("1 415 555 0100", "+14155550100"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_normalises_to_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(
    "raw",
    ["", "555-0100", "415555010", "+0 123 456 789", "(015) 555-0100", "415-555-0100 x12", "+1 415 555 01000", "tel"],
)
def test_refuses_what_cannot_be_dialed(raw: str) -> None:
    with pytest.raises(ValueError, match=r"phone|number|digits|extension"):
        normalise_phone(raw)


@given(
    area=st.sampled_from([201, 212, 305, 415, 503, 808, 907]), exchange=st.integers(200, 999), line=st.integers(0, 9999)
)
def test_any_us_formatting_gives_the_same_number(area: int, exchange: int, line: int) -> None:
    expected = f"+1{area}{exchange}{line:04d}"
    for raw in (f"({area}) {exchange}-{line:04d}", f"{area}.{exchange}.{line:04d}", f"1{area}{exchange}{line:04d}"):
        assert normalise_phone(raw) == expected
    assert normalise_phone(expected) == expected
