"""``CallWriter``: a call's write and its schedules in the order that survives a crash between any two steps, and the
read-decide-write loop every service builds on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.logic.call_writes import MAX_WRITE_ROUNDS, Written
from shared.logic.ports import StaleWrite
from shared.models.call import Call, CallStatus
from tests.support.graph import CLINIC, build_graph


def moved(call: Call, token: str) -> Call:
    return call.model_copy(update={"schedule_token": token, "scheduled_for": call.scheduled_for + timedelta(hours=1)})


class TestSave:
    def test_the_new_schedule_exists_before_the_write_and_the_replaced_one_goes_after(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        seen_at_write: list[list[str]] = []
        graph.calls.before_write(lambda: seen_at_write.append(sorted(graph.scheduler.schedules)))
        saved = graph.writer.save(moved(call, "tX"), call, graph.clock())
        assert seen_at_write == [sorted([graph.live_schedule_name(call), graph.live_schedule_name(saved)])]
        assert list(graph.scheduler.schedules) == [graph.live_schedule_name(saved)]
        assert (saved.version, saved.updated_at) == (call.version + 1, graph.clock())
        assert graph.stored(call.call_id) == saved

    def test_a_lost_write_withdraws_the_schedule_it_placed(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        graph.calls.bump(call.call_id, notes="someone else")
        with pytest.raises(StaleWrite) as stale:
            graph.writer.save(moved(call, "tX"), call, graph.clock())
        assert stale.value.current is not None
        assert stale.value.current.notes == "someone else"
        assert list(graph.scheduler.schedules) == [graph.live_schedule_name(call)]

    def test_schedules_follow_the_status(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        edited = graph.writer.save(call.model_copy(update={"notes": "edited"}), call, graph.clock())
        assert graph.scheduler.removed == []  # same token: the schedule stays
        claimed = graph.writer.save(edited.model_copy(update={"status": CallStatus.INITIATED}), edited, graph.clock())
        assert graph.scheduler.schedules == {}
        back = claimed.model_copy(update={"status": CallStatus.SCHEDULED, "schedule_token": "tY"})
        queued = graph.writer.save(back, claimed, graph.clock())
        assert list(graph.scheduler.schedules) == [graph.live_schedule_name(queued)]


class TestApply:
    def test_an_unknown_call_or_a_transition_with_nothing_to_do_writes_nothing(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        assert graph.writer.apply(CLINIC, "nope", lambda c: c, graph.clock()) == Written(None, None)
        assert graph.writer.apply(CLINIC, call.call_id, lambda c: None, graph.clock()) == Written(call, None)
        assert graph.calls.writes == 1

    def test_a_lost_race_is_decided_again_on_what_won(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        graph.calls.before_write(lambda: graph.calls.bump(call.call_id, notes="first"))
        written = graph.writer.apply(
            CLINIC,
            call.call_id,
            lambda c: c.model_copy(update={"pet_name": f"{c.pet_name} ({c.notes})"}),
            graph.clock(),
        )
        assert written.before is not None
        assert written.before.notes == "first"
        assert graph.stored(call.call_id).pet_name == "Luna (first)"

    def test_a_call_that_keeps_changing_is_given_up_after_a_few_rounds(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        for round_ in range(MAX_WRITE_ROUNDS):
            graph.calls.before_write(lambda: graph.calls.bump(call.call_id), skip=round_)
        with pytest.raises(StaleWrite) as gave_up:
            graph.writer.apply(CLINIC, call.call_id, lambda c: c.model_copy(update={"notes": "x"}), graph.clock())
        assert gave_up.value.current is None
        assert graph.stored(call.call_id).notes is None
