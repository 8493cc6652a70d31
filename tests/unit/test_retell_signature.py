"""The webhook's stdlib signature check says exactly what ``retell.lib.verify`` (the SDK) says, on generated
cases: good, wrong key, stale, from the future, tampered, re-serialised, malformed headers, unicode bodies."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.api.retell_signature import TOLERANCE_MS, sign, verify

NOW_MS = 1_795_000_000_000


@pytest.fixture(scope="module")
def sdk_verify() -> Iterator[Callable[[str, str, str], bool]]:
    import retell.lib.webhook_auth as webhook_auth

    clock = vars(webhook_auth)["time"]  # the SDK reads the clock itself, through its module's ``time``
    original = clock.time
    clock.time = lambda: NOW_MS / 1000
    yield webhook_auth.verify
    clock.time = original


bodies = st.one_of(
    st.text(max_size=300),
    st.builds(lambda s: '{"event":"call_ended","call":{"call_id":"' + s + '"}}', st.text(max_size=40)),
)
keys = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FFF), min_size=1, max_size=40)
offsets = st.one_of(
    st.integers(-2 * TOLERANCE_MS, 2 * TOLERANCE_MS),
    st.sampled_from([-TOLERANCE_MS, TOLERANCE_MS, -TOLERANCE_MS - 1, TOLERANCE_MS + 1, 0]),
)


def _mutations(body: str, key: str, stamp: int) -> st.SearchStrategy[tuple[str, str]]:
    good = sign(body, key, stamp)
    digest = good.split(",d=")[1]
    return st.sampled_from(
        [
            (body, good),
            (body + " ", good),
            (body[:-1] if body else "x", good),
            (body, sign(body, key + "x", stamp)),
            (body, good.upper()),
            (body, f"v={stamp},d={digest[:-1]}"),
            (body, f"v={stamp}, d={digest}"),
            (body, f"v=0{stamp},d={digest}"),
            (body, f"d={digest},v={stamp}"),
            (body, ""),
            (body, f"v={stamp},d={hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()}"),
        ]
    )


@settings(max_examples=400, deadline=None)
@given(data=st.data(), body=bodies, key=keys, offset=offsets)
def test_agrees_with_the_sdk(
    sdk_verify: Callable[[str, str, str], bool], data: st.DataObject, body: str, key: str, offset: int
) -> None:
    sent, signature = data.draw(_mutations(body, key, NOW_MS + offset))
    assert verify(sent, signature, [key], NOW_MS) == sdk_verify(sent, key, signature)


@settings(max_examples=200, deadline=None)
@given(signature=st.text(max_size=120), body=bodies)
def test_agrees_on_arbitrary_headers(sdk_verify: Callable[[str, str, str], bool], signature: str, body: str) -> None:
    assert verify(body, signature, ["key"], NOW_MS) == sdk_verify(body, "key", signature)


def test_a_fresh_signature_verifies_and_a_missing_one_does_not() -> None:
    body = '{"event":"call_started"}'
    assert verify(body, sign(body, "k", NOW_MS), ["k"], NOW_MS)
    assert verify(body, sign(body, "old", NOW_MS), ["new", "old"], NOW_MS)
    assert not verify(body, None, ["k"], NOW_MS)
    assert not verify(body, sign(body, "k", NOW_MS - TOLERANCE_MS - 1), ["k"], NOW_MS)
    assert not verify(body, sign(body, "k", NOW_MS), [], NOW_MS)


@pytest.mark.parametrize("digits", [5_000, 4_301, 17])
def test_a_timestamp_longer_than_any_clock_reading_is_refused_without_reading_it(digits: int) -> None:
    body = '{"event":"call_ended"}'
    assert verify(body, "v=" + "1" * digits + ",d=" + "0" * 64, ["key"], NOW_MS) is False
