"""A change decided on one version of a call (``If-Match``) is refused with ``ChangedMeanwhile`` once the call has
moved on, whether the other writer came before the read or between the read and the write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shared.models.errors import ChangedMeanwhile
from shared.models.requests import ScheduleCallRequest, UpdateCallRequest
from tests.support.graph import ADMIN, LUNA, OTHER_ADMIN, build_graph


def _request() -> ScheduleCallRequest:
    return ScheduleCallRequest.model_validate({**LUNA, "scheduledFor": "2026-12-01T17:00:00Z"})


def _change(**fields: Any) -> UpdateCallRequest:
    return UpdateCallRequest.model_validate(fields)


def test_a_change_on_the_version_read_goes_through() -> None:
    graph = build_graph()
    graph.service.schedule(ADMIN, _request())
    assert graph.service.update(ADMIN, "call1", _change(notes="mine"), expected_version=1).version == 2


@pytest.mark.parametrize("action", ["update", "cancel", "call_now"])
def test_another_writer_between_the_read_and_the_write_is_changed_meanwhile(action: str) -> None:
    graph = build_graph()
    graph.service.schedule(ADMIN, _request())
    graph.clock.advance(hours=2)  # into Monday's opening hours: "call now" needs the clinic open
    graph.calls.before_write(lambda: graph.service.update(OTHER_ADMIN, "call1", _change(notes="theirs")))
    actions: dict[str, Callable[[], object]] = {
        "update": lambda: graph.service.update(ADMIN, "call1", _change(notes="mine"), expected_version=1),
        "cancel": lambda: graph.service.cancel(ADMIN, "call1", expected_version=1),
        "call_now": lambda: graph.service.call_now(ADMIN, "call1", expected_version=1),
    }
    with pytest.raises(ChangedMeanwhile) as refused:
        actions[action]()
    assert refused.value.details == [{"callId": "call1", "version": 2, "status": "scheduled"}]
    assert graph.stored("call1").notes == "theirs"


def test_a_version_already_gone_when_read_is_refused_before_anything_is_written() -> None:
    graph = build_graph()
    graph.service.schedule(ADMIN, _request())
    graph.calls.bump("call1", notes="theirs")
    writes = graph.calls.write_attempts
    with pytest.raises(ChangedMeanwhile):
        graph.service.cancel(ADMIN, "call1", expected_version=1)
    assert graph.calls.write_attempts == writes
