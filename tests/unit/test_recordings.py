"""A recording link is always fresh from Retell, or a clear refusal."""

from __future__ import annotations

import pytest

from shared.models.errors import CallNotFound, NoRecording, RetellUnreachable
from tests.support.graph import ADMIN, OTHER_CLINIC, STAFF, build_graph


def test_a_member_gets_the_link_retell_gives_now() -> None:
    graph = build_graph()
    call = graph.dialed_call()
    graph.finish(call.call_id, "agent_hangup")
    ended = graph.stored(call.call_id)
    state = graph.webhook("call_analyzed", ended, "agent_hangup").call
    graph.dialer.retell_calls[ended.retell_call_id or ""] = state.model_copy(
        update={"recording_url": "https://retell.example/fresh.wav?expires=1"}
    )
    assert graph.recordings.link(STAFF, call.call_id) == "https://retell.example/fresh.wav?expires=1"


def test_no_conversation_no_recording_and_other_clinics_see_nothing() -> None:
    graph = build_graph()
    call = graph.dialed_call()
    graph.finish(call.call_id, "dial_no_answer")
    with pytest.raises(NoRecording):
        graph.recordings.link(ADMIN, call.call_id)
    with pytest.raises(CallNotFound):
        graph.recordings.link(OTHER_CLINIC, call.call_id)


def test_retell_down_is_a_clear_try_again() -> None:
    graph = build_graph()
    call = graph.dialed_call()
    graph.finish(call.call_id, "agent_hangup")
    graph.dialer.unavailable = True
    with pytest.raises(RetellUnreachable):
        graph.recordings.link(ADMIN, call.call_id)
