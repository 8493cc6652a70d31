"""Property tests for every parser that sees untrusted input: whatever arrives, each either returns a value of the
promised shape or raises its own refusal, never anything else (which the API would answer with a 500)."""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from shared.api.auth import TokenClaims, parse_claims
from shared.api.request_body import MAX_DEPTH, check_json_body, parse_json_strictly
from shared.dal.table_design import UnsafeKeyPart, call_key, consultation_lock_key, idempotency_key, settings_key
from shared.models.base import EARLIEST_INSTANT, LATEST_INSTANT, RequestedInstant
from shared.models.errors import DomainError, MalformedJson, Unauthenticated
from shared.models.ids import CLINIC_ID_PATTERN
from shared.models.phone import normalise_phone

NOW = 1_795_000_000.0
E164 = re.compile(r"\+[1-9][0-9]{7,14}")

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_documents = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)
CLAIM_NAMES = [*sorted(TokenClaims.model_fields), "custom:clinic_id", "cognito:groups"]
STATUS_BY_KIND = {"bad_request": 400, "too_large": 413, "unsupported_media_type": 415}


def _text_is_encodable(document: Any) -> bool:
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class TestJsonBodies:
    @given(json_documents)
    def test_standard_json_round_trips(self, document: Any) -> None:
        text = json.dumps(document)
        if _text_is_encodable(document):
            assert parse_json_strictly(text) == document
        else:
            with pytest.raises(MalformedJson):
                parse_json_strictly(text)  # a lone surrogate escape is no text

    @given(st.text(max_size=500))
    def test_any_text_parses_or_is_malformed_json(self, text: str) -> None:
        with contextlib.suppress(MalformedJson):
            parse_json_strictly(text)

    @given(st.binary(max_size=300), st.sampled_from(["application/json", "text/plain", "", "application/json; x=1"]))
    def test_any_bytes_are_taken_or_refused_with_a_domain_error(self, raw: bytes, content_type: str) -> None:
        refusal: DomainError | None = None
        try:
            check_json_body(
                base64.b64encode(raw).decode(), base64_encoded=True, content_type=content_type, max_bytes=1_024
            )
        except DomainError as error:
            refusal = error
        if refusal is not None:
            assert refusal.kind in STATUS_BY_KIND
        else:
            assert not raw or content_type.startswith("application/json")  # an empty body is for the route to judge

    @given(st.integers(min_value=1, max_value=3 * MAX_DEPTH))
    def test_nesting_is_bounded(self, depth: int) -> None:
        text = "[" * depth + "]" * depth
        if depth <= MAX_DEPTH:
            assert parse_json_strictly(text) is not None
        else:
            with pytest.raises(MalformedJson):
                parse_json_strictly(text)

    @pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}', "1e999", "-1e400", "1" * 39])
    def test_numbers_no_store_can_hold_are_refused(self, text: str) -> None:
        with pytest.raises(MalformedJson):
            parse_json_strictly(text)


class TestPhones:
    @given(st.text(max_size=40))
    def test_any_text_is_an_e164_number_or_a_value_error(self, text: str) -> None:
        try:
            phone = normalise_phone(text)
        except ValueError:
            return
        assert E164.fullmatch(phone)
        assert normalise_phone(phone) == phone

    @given(st.from_regex(r"\+1(415|212|808|907)[2-9][0-9]{6}", fullmatch=True), st.integers(min_value=1, max_value=11))
    def test_one_non_ascii_digit_is_enough_to_refuse(self, phone: str, position: int) -> None:
        digit = phone[position]
        foreign = phone[:position] + chr(0x0660 + int(digit)) + phone[position + 1 :]
        assert normalise_phone(phone) == phone
        with pytest.raises(ValueError, match="0-9"):
            normalise_phone(foreign)


class TestClaims:
    @given(
        st.dictionaries(
            st.sampled_from(CLAIM_NAMES),
            json_scalars | st.lists(st.text(), max_size=3),
        )
    )
    def test_any_claims_give_a_principal_of_the_right_shape_or_are_refused(self, claims: dict[str, Any]) -> None:
        try:
            parsed = parse_claims(claims, NOW)
        except Unauthenticated:
            return
        assert re.fullmatch(CLINIC_ID_PATTERN, parsed.clinic_id)
        assert parsed.exp > NOW

    @given(st.sampled_from([str, int]), st.integers(min_value=-100_000, max_value=100_000))
    def test_expiry_is_enforced_as_number_or_string(self, kind: type, offset: int) -> None:
        claims = {"sub": "u1", "custom:clinic_id": "c1", "exp": kind(int(NOW) + offset)}
        if offset > 0:
            assert parse_claims(claims, NOW).exp == int(NOW) + offset
        else:
            with pytest.raises(Unauthenticated):
                parse_claims(claims, NOW)


class TestInstants:
    adapter: TypeAdapter[datetime] = TypeAdapter(RequestedInstant)

    @given(
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
        st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59),
    )
    def test_any_offset_at_any_date_is_an_instant_in_range_or_a_validation_error(
        self, wall: datetime, offset_minutes: int
    ) -> None:
        text = wall.replace(tzinfo=timezone(timedelta(minutes=offset_minutes))).isoformat()
        try:
            instant = self.adapter.validate_python(text)
        except ValidationError:
            return
        assert instant.tzinfo == UTC
        assert EARLIEST_INSTANT <= instant < LATEST_INSTANT

    @pytest.mark.parametrize("value", [0.5, 1796144400, "1796144400", "0.5", "20261201", "-1"])
    def test_numbers_are_not_instants(self, value: object) -> None:
        with pytest.raises(ValidationError):
            self.adapter.validate_python(value)


class TestKeys:
    @given(st.text(max_size=70))
    def test_no_value_builds_a_key_with_an_extra_delimiter(self, value: str) -> None:
        builders: list[tuple[Callable[[str], dict[str, str]], int]] = [
            (call_key, 1),
            (settings_key, 1),
            (lambda v: consultation_lock_key("c1", v), 2),
            (lambda v: idempotency_key(v, "k1"), 2),
        ]
        for build, delimiters in builders:
            try:
                key = build(value)
            except UnsafeKeyPart:
                continue
            assert key["pk"].count("#") == delimiters
