"""``CallService`` (and ``ClinicSettingsService``) on the in-memory fakes: scheduling with business hours,
idempotency keys and the consultation lock, reading, changing, cancelling and "call now", and the races between
writers. Asserted on the calls stored, the schedules placed and removed, and the execute requests sent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.logic.ports import PendingAttempt
from shared.models.call import CallMetadata, CallStatus
from shared.models.errors import (
    CallNotFound,
    ConcurrentUpdate,
    DuplicateConsultation,
    Forbidden,
    IdempotencyKeyReused,
    InvalidNextToken,
    InvalidState,
    OutsideBusinessHours,
    ScheduledInPast,
    ValidationFailed,
)
from shared.models.execution import ExecuteRequest, ExecuteTrigger, ExecutionResult
from shared.models.queries import CallQuery
from shared.models.requests import ScheduleCallRequest, UpdateCallRequest
from shared.models.settings import ClinicSettings
from tests.support.graph import ADMIN, CLINIC, LUNA, OTHER_ADMIN, OTHER_CLINIC, STAFF, Graph, at, build_graph

TUESDAY_0900_LA = "2026-12-01T17:00:00Z"
MONDAY_0800_LA = "2026-11-23T16:00:00+00:00"


def request(**overrides: Any) -> ScheduleCallRequest:
    return ScheduleCallRequest.model_validate({**LUNA, "scheduledFor": TUESDAY_0900_LA, **overrides})


def change(**fields: Any) -> UpdateCallRequest:
    return UpdateCallRequest.model_validate(fields)


def nothing_stored(graph: Graph) -> bool:
    return graph.calls.calls == {} and graph.scheduler.schedules == {}


class TestSchedule:
    def test_a_call_in_business_hours_is_stored_with_a_one_shot_schedule_for_its_token(self) -> None:
        graph = build_graph()
        result = graph.service.schedule(ADMIN, request(phoneNumber="(415) 555-0100"))
        assert result.replayed is False
        call = graph.stored("call1")
        assert result.call == call.view()
        assert (call.status, call.clinic_id, call.phone_number) == (CallStatus.SCHEDULED, CLINIC, "+14155550100")
        assert call.requested_for == call.scheduled_for == at(TUESDAY_0900_LA)
        assert (call.rescheduled, call.attempt, call.max_attempts, call.requeues) == (False, 1, 4, 0)
        assert (call.timezone, call.created_by, call.version, call.schedule_token) == (
            "America/Los_Angeles",
            "admin-1",
            1,
            "t1",
        )
        assert call.created_at == call.updated_at == graph.clock()
        assert graph.scheduler.schedules == {
            "call-call1-a1-t1": PendingAttempt("call1", CLINIC, 1, "t1", at(TUESDAY_0900_LA))
        }
        assert graph.calls.locks == {(CLINIC, "12345"): "call1"}

    def test_a_time_outside_business_hours_moves_to_the_next_open_slot(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request(scheduledFor="2026-12-05T18:00:00Z"))  # Saturday 10:00
        call = graph.stored("call1")
        assert call.requested_for == at("2026-12-05T18:00:00Z")
        assert call.scheduled_for == at("2026-12-07T17:00:00Z")  # Monday 09:00
        assert call.rescheduled is True
        assert graph.scheduler.only().fire_at == call.scheduled_for

    def test_no_time_while_open_is_now_and_its_schedule_fires_a_minute_later(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request(scheduledFor=None))
        call = graph.stored("call1")
        assert (call.scheduled_for, call.rescheduled) == (graph.clock(), False)
        assert graph.scheduler.only().fire_at == graph.clock() + timedelta(seconds=60)

    def test_no_time_while_closed_is_the_next_opening(self) -> None:
        graph = build_graph(MONDAY_0800_LA)
        graph.service.schedule(ADMIN, request(scheduledFor=None))
        call = graph.stored("call1")
        assert (call.scheduled_for, call.rescheduled) == (at("2026-11-23T17:00:00Z"), True)

    def test_the_clinics_settings_decide_hours_and_attempts(self) -> None:
        graph = build_graph()
        graph.configure(timezone="America/New_York", retry={"maxRetries": 1, "backoffSeconds": [60]})
        # 08:30 in New York, for an owner there too (a Los Angeles owner would wait until 08:00 their time)
        graph.service.schedule(ADMIN, request(scheduledFor="2026-12-01T13:30:00Z", phoneNumber="+12125550100"))
        call = graph.stored("call1")
        assert (call.scheduled_for, call.timezone, call.max_attempts) == (
            at("2026-12-01T14:00:00Z"),
            "America/New_York",
            2,
        )

    def test_a_time_in_the_past_is_refused_but_a_minute_of_clock_skew_is_now(self) -> None:
        graph = build_graph()
        with pytest.raises(ScheduledInPast):
            graph.service.schedule(ADMIN, request(scheduledFor="2026-11-23T17:28:00Z"))
        assert nothing_stored(graph)
        graph.service.schedule(ADMIN, request(scheduledFor="2026-11-23T17:29:30Z"))
        assert graph.stored("call1").scheduled_for == graph.clock()

    def test_staff_may_not_schedule(self) -> None:
        graph = build_graph()
        with pytest.raises(Forbidden):
            graph.service.schedule(STAFF, request())
        assert nothing_stored(graph)

    def test_a_failed_write_withdraws_the_schedule_it_placed(self) -> None:
        graph = build_graph()

        def unavailable() -> None:
            raise RuntimeError("DynamoDB unavailable")

        graph.calls.before_write(unavailable)
        with pytest.raises(RuntimeError, match="DynamoDB unavailable"):
            graph.service.schedule(ADMIN, request())
        assert nothing_stored(graph)
        assert graph.scheduler.removed == ["call-call1-a1-t1"]


class TestIdempotencyKey:
    def test_a_repeat_replays_the_first_answer_and_creates_nothing(self) -> None:
        graph = build_graph()
        first = graph.service.schedule(ADMIN, request(), "ext-5b1c")
        graph.clock.advance(minutes=3)
        second = graph.service.schedule(ADMIN, request(), "ext-5b1c")
        assert (first.replayed, second.replayed) == (False, True)
        assert second.call == first.call
        assert list(graph.calls.calls) == ["call1"]
        assert list(graph.scheduler.schedules) == ["call-call1-a1-t1"]

    def test_the_key_with_another_body_is_refused(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request(), "ext-5b1c")
        with pytest.raises(IdempotencyKeyReused):
            graph.service.schedule(ADMIN, request(petName="Max"), "ext-5b1c")
        assert list(graph.calls.calls) == ["call1"]
        assert len(graph.scheduler.schedules) == 1

    def test_keys_are_per_clinic_and_forgotten_after_a_day(self) -> None:
        graph = build_graph()
        body = request(scheduledFor=None, metadata={})
        graph.service.schedule(ADMIN, body, "same-key")
        other = graph.service.schedule(OTHER_CLINIC, body, "same-key")
        assert (other.replayed, other.call.call_id, other.call.clinic_id) == (False, "call2", "clinic-b")
        graph.clock.advance(hours=24, seconds=1)
        assert graph.service.schedule(ADMIN, body, "same-key").replayed is False
        assert len(graph.calls.calls) == 3

    def test_a_concurrent_request_with_the_key_that_wins_is_replayed_and_the_losers_schedule_withdrawn(self) -> None:
        graph = build_graph()
        graph.calls.before_write(lambda: graph.service.schedule(ADMIN, request(), "k"))
        result = graph.service.schedule(ADMIN, request(), "k")
        assert result.replayed is True
        assert result.call.call_id == "call2"  # the other request's call
        assert list(graph.calls.calls) == ["call2"]
        assert list(graph.scheduler.schedules) == ["call-call2-a1-t2"]
        assert "call-call1-a1-t1" in graph.scheduler.removed

    def test_a_concurrent_request_with_the_key_and_another_body_is_refused(self) -> None:
        graph = build_graph()
        graph.calls.before_write(lambda: graph.service.schedule(ADMIN, request(petName="Max"), "k"))
        with pytest.raises(IdempotencyKeyReused):
            graph.service.schedule(ADMIN, request(), "k")
        assert list(graph.scheduler.schedules) == ["call-call2-a1-t2"]


class TestConsultationLock:
    def test_a_second_active_call_for_a_consultation_is_refused_until_the_first_is_cancelled(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        with pytest.raises(DuplicateConsultation) as refused:
            graph.service.schedule(ADMIN, request(scheduledFor="2026-12-02T17:00:00Z"))
        assert refused.value.existing_call_id == "call1"
        assert list(graph.calls.calls) == ["call1"]
        assert list(graph.scheduler.schedules) == ["call-call1-a1-t1"]  # the loser's schedule was withdrawn
        graph.service.cancel(ADMIN, "call1")
        assert graph.service.schedule(ADMIN, request()).call.call_id == "call3"

    def test_a_call_that_ended_frees_its_consultation_and_another_clinic_has_its_own(self) -> None:
        graph = build_graph()
        graph.service.schedule(OTHER_CLINIC, request())
        call = graph.dialed_call()
        graph.finish(call.call_id, "agent_hangup")
        graph.service.schedule(ADMIN, request())
        assert len(graph.calls.calls) == 3


class TestReading:
    def test_a_call_is_read_only_in_its_own_clinic(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        assert graph.service.get(STAFF, "call1") == graph.stored("call1")
        for principal, call_id in ((OTHER_CLINIC, "call1"), (ADMIN, "nope")):
            with pytest.raises(CallNotFound):
                graph.service.get(principal, call_id)

    def test_the_list_is_the_clinics_calls_by_time_filtered_and_paged(self) -> None:
        graph = build_graph()
        times = ["2026-12-03T17:00:00Z", "2026-12-01T18:00:00Z", "2026-12-02T19:00:00Z", "2026-12-01T17:30:00Z"]
        for index, when in enumerate(times):
            graph.service.schedule(ADMIN, request(scheduledFor=when, metadata={"consultation_id": str(index)}))
        graph.service.schedule(OTHER_CLINIC, request())
        graph.service.cancel(ADMIN, "call1")

        first, token = graph.service.list(STAFF, CallQuery(CLINIC, limit=3))
        assert [c.scheduled_for for c in first] == [at(t) for t in sorted(times)[:3]]
        assert token is not None
        rest, end = graph.service.list(STAFF, CallQuery(CLINIC, limit=3, next_token=token))
        assert ([c.call_id for c in rest], end) == (["call1"], None)
        scheduled, _ = graph.service.list(STAFF, CallQuery(CLINIC, statuses=frozenset({CallStatus.SCHEDULED})))
        assert {c.call_id for c in scheduled} == {"call2", "call3", "call4"}
        window, _ = graph.service.list(
            STAFF, CallQuery(CLINIC, scheduled_from=at("2026-12-02T00:00:00Z"), scheduled_to=at("2026-12-02T23:59:59Z"))
        )
        assert [c.call_id for c in window] == ["call3"]
        with pytest.raises(InvalidNextToken):
            graph.service.list(OTHER_CLINIC, CallQuery(OTHER_CLINIC.clinic_id, next_token=token))

    def test_a_range_that_ends_before_it_starts_is_refused(self) -> None:
        graph = build_graph()
        query = CallQuery(CLINIC, scheduled_from=at("2026-12-02T00:00:00Z"), scheduled_to=at("2026-12-01T00:00:00Z"))
        with pytest.raises(ValidationFailed):
            graph.service.list(STAFF, query)


class TestUpdate:
    def test_moving_a_call_replaces_its_schedule_under_a_new_token(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        graph.clock.advance(minutes=5)
        updated = graph.service.update(ADMIN, "call1", change(scheduledFor="2026-12-02T20:00:00Z"))
        moved = graph.stored("call1")
        assert updated == moved
        assert moved.requested_for == moved.scheduled_for == at("2026-12-02T20:00:00Z")
        assert (moved.rescheduled, moved.schedule_token, moved.version) == (False, "t2", 2)
        assert moved.updated_at == graph.clock()
        assert graph.scheduler.schedules == {
            "call-call1-a1-t2": PendingAttempt("call1", CLINIC, 1, "t2", at("2026-12-02T20:00:00Z"))
        }
        assert graph.scheduler.removed == ["call-call1-a1-t1"]

    def test_a_new_time_goes_through_business_hours_and_one_in_the_past_is_refused(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        graph.service.update(ADMIN, "call1", change(scheduledFor="2026-12-06T18:00:00Z"))  # Sunday
        moved = graph.stored("call1")
        assert (moved.scheduled_for, moved.rescheduled) == (at("2026-12-07T17:00:00Z"), True)
        with pytest.raises(ScheduledInPast):
            graph.service.update(ADMIN, "call1", change(scheduledFor="2026-11-01T18:00:00Z"))
        assert graph.stored("call1") == moved
        assert list(graph.scheduler.schedules) == [graph.live_schedule_name(moved)]

    def test_other_fields_change_without_touching_the_schedule(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request(notes="Follow-up on surgery"))
        graph.service.update(ADMIN, "call1", change(phoneNumber="415.555.0106", notes=None, dischargeSummary="New"))
        changed = graph.stored("call1")
        assert (changed.phone_number, changed.notes, changed.discharge_summary) == ("+14155550106", None, "New")
        assert (changed.pet_name, changed.schedule_token, changed.version) == ("Luna", "t1", 2)
        assert list(graph.scheduler.schedules) == ["call-call1-a1-t1"]
        assert graph.scheduler.removed == []

    def test_metadata_may_change_but_not_its_consultation(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        graph.service.update(ADMIN, "call1", change(metadata={"source": "manual", "consultation_id": 12345}))
        assert graph.stored("call1").metadata == CallMetadata(source="manual", consultation_id="12345")
        before = graph.stored("call1")
        for metadata in ({"consultation_id": "999"}, {"source": "manual"}):
            with pytest.raises(ValidationFailed) as refused:
                graph.service.update(ADMIN, "call1", change(metadata=metadata))
            assert refused.value.details == [{"field": "metadata.consultation_id"}]
        assert graph.stored("call1") == before

    def test_only_a_scheduled_call_changes(self) -> None:
        graph = build_graph()
        dialed = graph.dialed_call(metadata={"consultation_id": "1"})
        graph.service.schedule(ADMIN, request())
        cancelled = graph.service.cancel(ADMIN, "call2")
        for call in (dialed, cancelled):
            with pytest.raises(InvalidState):
                graph.service.update(ADMIN, call.call_id, change(notes="too late"))
            assert graph.stored(call.call_id).notes is None

    def test_staff_and_other_clinics_may_not_change_a_call(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        with pytest.raises(Forbidden):
            graph.service.update(STAFF, "call1", change(notes="x"))
        with pytest.raises(CallNotFound):
            graph.service.update(OTHER_CLINIC, "call1", change(notes="x"))
        assert graph.stored("call1").version == 1

    def test_moving_a_call_that_waits_for_its_retry_keeps_its_next_retry_in_step(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.finish(call.call_id, "dial_no_answer")
        waiting = graph.stored(call.call_id)
        assert waiting.next_retry_at == waiting.scheduled_for
        graph.service.update(ADMIN, call.call_id, change(scheduledFor="2026-11-24T18:00:00Z"))
        moved = graph.stored(call.call_id)
        assert moved.scheduled_for == at("2026-11-24T18:00:00Z")
        assert moved.next_retry_at in {None, moved.scheduled_for}


class TestConcurrentWriters:
    def test_a_writer_whose_copy_went_stale_gets_concurrent_update(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        # the other admin's change lands between this admin's read and write
        graph.calls.before_write(lambda: graph.service.update(OTHER_ADMIN, "call1", change(notes="first admin")))
        with pytest.raises(ConcurrentUpdate):
            graph.service.update(ADMIN, "call1", change(notes="second admin"))
        stored = graph.stored("call1")
        assert (stored.notes, stored.version) == ("first admin", 2)

    def test_two_admins_moving_a_call_at_once_leave_exactly_the_winners_schedule(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        graph.calls.before_write(
            lambda: graph.service.update(OTHER_ADMIN, "call1", change(scheduledFor="2026-12-02T20:00:00Z"))
        )
        with pytest.raises(ConcurrentUpdate):
            graph.service.update(ADMIN, "call1", change(scheduledFor="2026-12-03T20:00:00Z"))
        winner = graph.stored("call1")
        assert winner.scheduled_for == at("2026-12-02T20:00:00Z")
        assert list(graph.scheduler.schedules) == [graph.live_schedule_name(winner)]
        assert graph.scheduler.only().fire_at == at("2026-12-02T20:00:00Z")

    def test_a_cancel_between_read_and_write_is_reported_as_the_state_it_left(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        graph.calls.before_write(lambda: graph.service.cancel(OTHER_ADMIN, "call1"))
        with pytest.raises(InvalidState):
            graph.service.update(ADMIN, "call1", change(scheduledFor="2026-12-02T18:00:00Z"))
        assert graph.stored("call1").status == CallStatus.CANCELLED
        assert graph.scheduler.schedules == {}

    def test_a_cancel_that_loses_to_the_schedule_firing_is_refused_and_the_call_dialed_once(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        graph.clock.advance(minutes=1)
        graph.calls.before_write(lambda: graph.executor.execute(graph.request_for(call)))
        with pytest.raises(InvalidState):
            graph.service.cancel(ADMIN, call.call_id)
        assert graph.stored(call.call_id).status == CallStatus.INITIATED
        assert len(graph.dialer.dials) == 1

    def test_a_call_gone_between_read_and_write_is_not_found(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        graph.calls.before_write(lambda: graph.calls.calls.pop("call1"))
        with pytest.raises(CallNotFound):
            graph.service.update(ADMIN, "call1", change(notes="x"))
        assert graph.scheduler.removed == []


class TestCancel:
    def test_cancel_removes_the_schedule_and_frees_the_consultation_once(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        cancelled = graph.service.cancel(ADMIN, "call1")
        assert cancelled == graph.stored("call1")
        assert (cancelled.status, cancelled.status_reason, cancelled.version) == (
            CallStatus.CANCELLED,
            "cancelled by admin-1",
            2,
        )
        assert graph.scheduler.schedules == {}
        assert graph.scheduler.removed == ["call-call1-a1-t1"]
        with pytest.raises(InvalidState):
            graph.service.cancel(ADMIN, "call1")
        graph.service.schedule(ADMIN, request())  # the consultation is free again
        assert list(graph.calls.locks.values()) == ["call2"]

    def test_a_schedule_already_gone_is_not_an_error(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        graph.scheduler.schedules.clear()
        assert graph.service.cancel(ADMIN, "call1").status == CallStatus.CANCELLED

    def test_staff_and_other_clinics_may_not_cancel(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        with pytest.raises(Forbidden):
            graph.service.cancel(STAFF, "call1")
        with pytest.raises(CallNotFound):
            graph.service.cancel(OTHER_CLINIC, "call1")
        assert graph.stored("call1").status == CallStatus.SCHEDULED


class TestCallNow:
    def test_call_now_moves_the_call_to_now_behind_a_backstop_and_starts_execute(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        saved = graph.service.call_now(ADMIN, "call1")
        assert saved == graph.stored("call1")
        assert (saved.scheduled_for, saved.schedule_token) == (graph.clock(), "t2")
        assert saved.status_reason == "call now requested by admin-1"
        assert graph.invoker.requests == [
            ExecuteRequest(
                call_id="call1",
                clinic_id=CLINIC,
                attempt=1,
                token="t2",
                scheduled_time=graph.clock(),
                trigger=ExecuteTrigger.CALL_NOW,
            )
        ]
        backstop = graph.scheduler.only()
        assert (backstop.token, backstop.fire_at) == ("t2", graph.clock() + timedelta(seconds=60))
        assert graph.scheduler.removed == ["call-call1-a1-t1"]

        (sent,) = graph.invoker.requests
        assert graph.executor.execute(sent).result == ExecutionResult.DIALED
        assert graph.scheduler.schedules == {}  # the claim removed the backstop
        assert graph.executor.execute(sent).result == ExecutionResult.SKIPPED  # as the backstop would be
        assert len(graph.dialer.dials) == 1

    def test_a_lost_invocation_still_answers_and_the_backstop_dials(self) -> None:
        graph = build_graph()
        graph.invoker.fail = True
        graph.service.schedule(ADMIN, request())
        assert graph.service.call_now(ADMIN, "call1").schedule_token == "t2"
        assert graph.invoker.requests == []
        assert graph.fire("call1").result == ExecutionResult.DIALED
        assert len(graph.dialer.dials) == 1

    def test_when_closed_the_refusal_names_the_next_open_slot_and_nothing_changes(self) -> None:
        graph = build_graph(MONDAY_0800_LA)
        graph.service.schedule(ADMIN, request())
        before = graph.stored("call1")
        with pytest.raises(OutsideBusinessHours) as refused:
            graph.service.call_now(ADMIN, "call1")
        assert refused.value.details == [{"nextOpenSlot": "2026-11-23T17:00:00Z"}]
        assert graph.stored("call1") == before
        assert graph.invoker.requests == []
        assert list(graph.scheduler.schedules) == ["call-call1-a1-t1"]

    def test_only_a_scheduled_call_and_only_an_admin_of_its_clinic(self) -> None:
        graph = build_graph()
        graph.service.schedule(ADMIN, request())
        with pytest.raises(Forbidden):
            graph.service.call_now(STAFF, "call1")
        with pytest.raises(CallNotFound):
            graph.service.call_now(OTHER_CLINIC, "call1")
        graph.service.call_now(ADMIN, "call1")
        graph.executor.execute(graph.invoker.requests[0])
        with pytest.raises(InvalidState):
            graph.service.call_now(ADMIN, "call1")
        assert len(graph.invoker.requests) == 1


class TestClinicSettings:
    def test_a_clinic_that_saved_nothing_gets_the_defaults(self) -> None:
        graph = build_graph()
        assert graph.settings.current(CLINIC) == ClinicSettings()

    def test_an_admin_replaces_their_own_clinics_settings_only(self) -> None:
        graph = build_graph()
        wanted = ClinicSettings.model_validate({"timezone": "America/New_York", "maxConcurrentCalls": 3})
        assert graph.settings.replace(ADMIN, wanted) == wanted
        assert graph.settings.current(CLINIC) == wanted
        assert graph.settings_store.updated_by == {CLINIC: "admin-1"}
        assert graph.settings.current(OTHER_CLINIC.clinic_id) == ClinicSettings()

    def test_staff_may_not_change_settings(self) -> None:
        graph = build_graph()
        with pytest.raises(Forbidden):
            graph.settings.replace(STAFF, ClinicSettings())
        assert graph.settings_store.settings == {}
