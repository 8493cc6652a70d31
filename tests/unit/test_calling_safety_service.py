"""Calling safety through the services, on the in-memory fakes: consent, the clinic's identity, do-not-call, the
owner's calling hours at every step that sets a time, and the cap on dials to one number."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError as PydanticValidationError

from shared.models.call import CallStatus
from shared.models.errors import (
    ClinicIdentityMissing,
    ConsentRequired,
    Forbidden,
    NotOnDoNotCallList,
    OnDoNotCallList,
    OutsideBusinessHours,
    OutsideCallingHours,
    ValidationFailed,
)
from shared.models.execution import ExecutionResult
from shared.models.requests import ScheduleCallRequest, UpdateCallRequest
from shared.models.results import EventEffect
from shared.models.safety import DoNotCallSource
from shared.models.settings import WEEKDAYS, ClinicSettings
from tests.support.graph import ADMIN, CLINIC, LUNA, STAFF, at, build_graph

NEW_YORK = "+12125550100"
ALWAYS_OPEN = {day: [["00:00", "24:00"]] for day in WEEKDAYS}


def body(**overrides: Any) -> ScheduleCallRequest:
    fields = {**LUNA, **overrides}
    return ScheduleCallRequest.model_validate({k: v for k, v in fields.items() if v is not None})


class TestConsent:
    def test_a_call_without_the_owners_consent_is_refused_while_the_clinic_requires_it(self) -> None:
        graph = build_graph()
        for consent in (None, {"given": False, "method": "verbal_at_discharge"}):
            with pytest.raises(ConsentRequired) as refused:
                graph.service.schedule(ADMIN, body(consent=consent))
            assert (refused.value.code, refused.value.details[0]["field"]) == ("consent_required", "consent")
        assert graph.calls.calls == {}

    def test_consent_is_recorded_with_who_and_when(self) -> None:
        graph = build_graph()
        note = "asked at the desk"
        result = graph.service.schedule(
            ADMIN, body(consent={"given": True, "method": "verbal_at_discharge", "note": note})
        )
        consent = result.call.consent
        assert consent is not None
        assert (consent.given, consent.method, consent.note) == (True, "verbal_at_discharge", note)
        assert (consent.recorded_by, consent.recorded_at) == (ADMIN.user_id, graph.clock())
        assert graph.stored(result.call.call_id).consent == consent

    def test_a_clinic_that_turned_the_requirement_off_schedules_without(self) -> None:
        graph = build_graph()
        graph.configure(requireConsent=False)
        assert graph.service.schedule(ADMIN, body(consent=None)).call.consent is None

    def test_consent_can_be_recorded_later_by_a_change(self) -> None:
        graph = build_graph()
        graph.configure(requireConsent=False)
        call = graph.service.schedule(ADMIN, body(consent=None)).call
        change = UpdateCallRequest.model_validate({"consent": {"given": True, "method": "written"}})
        changed = graph.service.update(ADMIN, call.call_id, change)
        assert changed.consent is not None
        assert (changed.consent.method, changed.consent.recorded_by) == ("written", ADMIN.user_id)


class TestIdentity:
    def test_a_call_with_no_clinic_name_or_callback_number_anywhere_is_refused(self) -> None:
        graph = build_graph()
        with pytest.raises(ClinicIdentityMissing) as refused:
            graph.service.schedule(ADMIN, body(clinicName=None, clinicPhone=None))
        assert [detail["field"] for detail in refused.value.details] == ["clinicName", "clinicPhone"]
        with pytest.raises(ClinicIdentityMissing):
            graph.service.schedule(ADMIN, body(clinicPhone=None))

    def test_the_clinics_settings_fill_in_what_the_call_lacks_and_the_agent_says_it(self) -> None:
        graph = build_graph()
        graph.configure(clinicName="Paws & Claws", clinicPhone="(415) 555-9876")
        call = graph.schedule(clinicName=None, clinicPhone=None)
        graph.fire(call.call_id)
        variables = graph.dialer.dials[-1].dynamic_variables
        assert (variables["clinic_name"], variables["clinic_phone"]) == ("Paws & Claws", "+14155559876")

    def test_clearing_the_calls_own_when_the_clinic_has_none_is_refused(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        with pytest.raises(ClinicIdentityMissing):
            graph.service.update(ADMIN, call.call_id, UpdateCallRequest.model_validate({"clinicPhone": None}))


class TestDoNotCall:
    def test_admins_list_and_unlist_numbers_in_any_format_members_read(self) -> None:
        graph = build_graph()
        entry = graph.do_not_call.add(ADMIN, "(415) 555-0100", "asked on the phone")
        assert (entry.phone_number, entry.source, entry.added_by) == ("+14155550100", DoNotCallSource.CLINIC, "admin-1")
        assert [e.phone_number for e in graph.do_not_call.page(STAFF, 100, None)[0]] == ["+14155550100"]
        with pytest.raises(Forbidden):
            graph.do_not_call.add(STAFF, "+14155550101", "no")
        with pytest.raises(ValidationFailed):
            graph.do_not_call.add(ADMIN, "555-01", "no")
        assert graph.do_not_call.remove(ADMIN, "+1 415 555 0100") == "+14155550100"
        with pytest.raises(NotOnDoNotCallList):
            graph.do_not_call.remove(ADMIN, "+14155550100")

    def test_scheduling_or_changing_to_a_listed_number_is_refused(self) -> None:
        graph = build_graph()
        graph.do_not_call.add(ADMIN, "+14155550100", "owner asked")
        with pytest.raises(OnDoNotCallList) as refused:
            graph.service.schedule(ADMIN, body())
        assert refused.value.code == "do_not_call"
        call = graph.schedule(phoneNumber="+14155550101")
        with pytest.raises(OnDoNotCallList):
            graph.service.update(ADMIN, call.call_id, UpdateCallRequest.model_validate({"phoneNumber": "4155550100"}))

    def test_a_call_whose_number_is_listed_after_scheduling_is_cancelled_when_due_never_dialed(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        graph.do_not_call.add(ADMIN, call.phone_number, "owner phoned to opt out")
        execution = graph.fire(call.call_id)
        assert execution.result == ExecutionResult.CANCELLED
        cancelled = graph.stored(call.call_id)
        assert cancelled.status == CallStatus.CANCELLED
        assert "do-not-call list (owner phoned to opt out)" in (cancelled.status_reason or "")
        assert graph.dialer.dials == []
        assert cancelled.attempts == []
        assert graph.calls.consultation_is_free(CLINIC, "12345")  # the consultation may be scheduled again
        assert graph.leases.held(CLINIC) == {}

    def test_call_now_to_a_listed_number_is_refused(self) -> None:
        graph = build_graph()
        call = graph.schedule()
        graph.do_not_call.add(ADMIN, call.phone_number, "owner asked")
        with pytest.raises(OnDoNotCallList):
            graph.service.call_now(ADMIN, call.call_id)

    @pytest.mark.parametrize("how", ["disconnection", "analysis"])
    def test_an_owner_who_asks_the_agent_not_to_call_again_is_listed_once(self, how: str) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        if how == "disconnection":
            outcomes = graph.finish(call.call_id, "user_requested_dnc")
        else:
            analysis = {"call_successful": True, "custom_analysis_data": {"do_not_call_requested": True}}
            outcomes = graph.deliver(*graph.retell_events(call, "agent_hangup", analysis=analysis))
        assert [outcome.do_not_call_added for outcome in outcomes].count(True) == 1
        (entry,) = graph.do_not_call.page(ADMIN, 100, None)[0]
        assert (entry.phone_number, entry.source, entry.added_by) == (
            call.phone_number,
            DoNotCallSource.OWNER_REQUEST,
            "voice-agent",
        )
        assert call.call_id in entry.reason
        assert graph.finish(call.call_id, "user_requested_dnc")[0].do_not_call_added is False  # a repeat
        with pytest.raises(OnDoNotCallList):
            graph.service.schedule(ADMIN, body(metadata={"consultation_id": "other"}))

    def test_the_clinics_own_entry_is_kept_when_the_owner_asks_too(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.do_not_call.add(ADMIN, call.phone_number, "clinic's note")
        graph.finish(call.call_id, "user_requested_dnc")
        assert [e.reason for e in graph.do_not_call.page(ADMIN, 100, None)[0]] == ["clinic's note"]

    def test_an_analysis_that_says_nothing_of_it_lists_nothing(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        analysis = {"call_successful": True, "custom_analysis_data": {"do_not_call_requested": False}}
        graph.deliver(*graph.retell_events(call, "agent_hangup", analysis=analysis))
        assert graph.do_not_call.page(ADMIN, 100, None)[0] == []


class TestOwnersHours:
    def test_scheduling_moves_a_time_outside_the_owners_hours_and_says_so(self) -> None:
        graph = build_graph()  # Monday 09:30 in Los Angeles: 12:30 in New York
        graph.configure(businessHours=ALWAYS_OPEN)
        # 17:30 in Los Angeles is 20:30 in New York: the owner's evening is over
        result = graph.service.schedule(ADMIN, body(phoneNumber=NEW_YORK, scheduledFor="2026-11-24T01:30:00Z"))
        assert result.call.rescheduled
        assert result.call.requested_for == at("2026-11-24T01:30:00Z")
        assert result.call.scheduled_for == at("2026-11-24T08:00:00-05:00")
        assert result.call.owner_timezone == "America/New_York"
        assert result.call.owner_local_time == "2026-11-24T08:00:00-05:00"

    def test_an_owner_in_the_clinics_zone_shows_no_second_clock(self) -> None:
        call = build_graph().service.schedule(ADMIN, body()).call
        assert (call.owner_timezone, call.owner_local_time) == (None, None)

    def test_a_change_of_number_to_an_owner_outside_their_hours_moves_the_call(self) -> None:
        graph = build_graph()
        graph.configure(businessHours=ALWAYS_OPEN)
        call = graph.service.schedule(ADMIN, body(scheduledFor="2026-11-24T03:00:00Z")).call  # 19:00 in LA
        moved = graph.service.update(ADMIN, call.call_id, UpdateCallRequest.model_validate({"phoneNumber": NEW_YORK}))
        assert moved.scheduled_for == at("2026-11-24T08:00:00-05:00")
        assert moved.rescheduled
        assert moved.requested_for == call.requested_for

    def test_call_now_outside_the_owners_hours_is_refused_with_the_next_time(self) -> None:
        graph = build_graph("2026-11-24T02:30:00+00:00")  # 18:30 in LA, 21:30 in New York
        graph.configure(businessHours=ALWAYS_OPEN)
        call = graph.service.schedule(ADMIN, body(phoneNumber=NEW_YORK, scheduledFor="2026-11-25T18:00:00Z")).call
        with pytest.raises(OutsideCallingHours) as refused:
            graph.service.call_now(ADMIN, call.call_id)
        assert refused.value.details == [{"nextOpenSlot": "2026-11-24T13:00:00Z"}]
        assert refused.value.code == "outside_calling_hours"

    def test_call_now_while_the_clinic_is_closed_names_the_next_time_both_allow(self) -> None:
        graph = build_graph("2026-11-24T03:30:00+00:00")  # 19:30 in LA: closed; tomorrow 09:00 LA is fine for NY
        call = graph.service.schedule(ADMIN, body(phoneNumber=NEW_YORK)).call
        with pytest.raises(OutsideBusinessHours) as refused:
            graph.service.call_now(ADMIN, call.call_id)
        assert refused.value.details == [{"nextOpenSlot": "2026-11-24T17:00:00Z"}]

    def test_at_dial_time_a_narrower_window_set_meanwhile_moves_the_call(self) -> None:
        graph = build_graph()
        call = graph.schedule(phoneNumber=NEW_YORK)  # due now: 12:30 in New York
        graph.configure(ownerCallingHours={"start": "14:00", "end": "20:00"})
        execution = graph.fire(call.call_id)
        assert execution.result == ExecutionResult.MOVED
        moved = graph.stored(call.call_id)
        assert moved.scheduled_for == at("2026-11-23T14:00:00-05:00")
        assert moved.rescheduled
        assert "owner's calling hours (14:00-20:00 in America/New_York)" in (moved.status_reason or "")
        assert graph.dialer.dials == []

    def test_a_retry_that_would_fall_after_the_owners_evening_waits_for_their_morning(self) -> None:
        graph = build_graph("2026-11-24T00:40:00+00:00")  # 16:40 in LA, 19:40 in New York
        graph.configure(businessHours=ALWAYS_OPEN, retry={"maxRetries": 2, "backoffSeconds": [1200]})
        call = graph.dialed_call(phoneNumber=NEW_YORK)  # at 19:41 in New York
        outcomes = graph.finish(call.call_id, "dial_no_answer")
        assert outcomes[0].effect == EventEffect.RETRY_SCHEDULED
        retry = graph.stored(call.call_id)
        # 19:41 + 20 min is after 20:00 in New York: the next morning there
        assert retry.scheduled_for == retry.next_retry_at == at("2026-11-24T08:00:00-05:00")


class TestDialCap:
    def test_a_fourth_dial_to_one_number_within_24_hours_waits_across_calls(self) -> None:
        graph = build_graph()
        graph.configure(requireConsent=True)
        first_dials = []
        for index in range(3):
            call = graph.dialed_call(metadata={"consultation_id": f"c{index}"})
            first_dials.append(graph.clock())
            graph.finish(call.call_id, "agent_hangup")
        fourth = graph.schedule(metadata={"consultation_id": "c4"})
        assert graph.fire(fourth.call_id).result == ExecutionResult.CAPPED
        waiting = graph.stored(fourth.call_id)
        assert (waiting.status, waiting.attempt) == (CallStatus.SCHEDULED, 1)  # no attempt used up
        assert waiting.scheduled_for == first_dials[0] + timedelta(hours=24)
        assert graph.leases.held(CLINIC) == {}
        assert len(graph.dialer.dials) == 3
        assert graph.fire(fourth.call_id).result == ExecutionResult.DIALED

    def test_a_clinic_may_allow_fewer_and_other_numbers_are_not_affected(self) -> None:
        graph = build_graph()
        graph.configure(maxDialsPerNumber=1)
        graph.dialed_call(metadata={"consultation_id": "c1"})
        second = graph.schedule(metadata={"consultation_id": "c2"})
        assert graph.fire(second.call_id).result == ExecutionResult.CAPPED
        other = graph.schedule(metadata={"consultation_id": "c3"}, phoneNumber="+14155550101")
        assert graph.fire(other.call_id).result == ExecutionResult.DIALED

    def test_a_dial_retell_refused_does_not_count(self) -> None:
        graph = build_graph(dial_outcomes=[429, 422])
        graph.configure(maxDialsPerNumber=1)
        call = graph.schedule()
        assert graph.fire(call.call_id).result == ExecutionResult.REQUEUED
        assert graph.dial_cap.counted(CLINIC, call.phone_number) == 0
        assert graph.fire(call.call_id).result == ExecutionResult.FAILED
        assert graph.dial_cap.counted(CLINIC, call.phone_number) == 0

    def test_the_cap_is_never_more_than_three(self) -> None:
        with pytest.raises(PydanticValidationError, match="maxDialsPerNumber"):
            ClinicSettings.model_validate({"maxDialsPerNumber": 4})
