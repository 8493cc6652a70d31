"""Which calls need the clinic's follow-up (``shared.domain.follow_up``), and the worklist through the services on
the in-memory fakes: flagged at the write that ends the call (or brings its analysis), by the clinic's rules; marked
done by any member, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain import follow_up
from shared.domain.follow_up import reasons_for
from shared.models.call import Call, CallAnalysis, CallOutcome, CallStatus
from shared.models.errors import ChangedMeanwhile, NoFollowUpNeeded
from shared.models.settings import ALL_REASONS, FollowUpReason, FollowUpRules
from tests.support.graph import ADMIN, OTHER_CLINIC, STAFF, build_graph

NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def a_call(**changes: Any) -> Call:
    base: dict[str, Any] = {
        "call_id": "c1",
        "clinic_id": "clinic-a",
        "status": CallStatus.COMPLETED,
        "phone_number": "+14155550100",
        "pet_name": "Luna",
        "owner_name": "Sarah Johnson",
        "requested_for": NOW,
        "scheduled_for": NOW,
        "timezone": "America/Los_Angeles",
        "rescheduled": False,
        "max_attempts": 4,
        "created_at": NOW,
        "updated_at": NOW,
        "created_by": "admin-1",
        "outcome": CallOutcome.ANSWERED,
    }
    return Call.model_validate({**base, **changes})


class TestReasons:
    def test_a_good_call_needs_nothing(self) -> None:
        call = a_call(analysis=CallAnalysis(successful=True, pet_condition="improving", owner_concerns=""))
        assert reasons_for(call) == []

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            ({"status": CallStatus.FAILED, "outcome": CallOutcome.NO_ANSWER}, [FollowUpReason.CALL_FAILED]),
            ({"status": CallStatus.FAILED, "outcome": CallOutcome.LOST}, [FollowUpReason.CALL_UNRESOLVED]),
            ({"outcome": CallOutcome.CALLBACK_REQUESTED}, [FollowUpReason.CALLBACK_REQUESTED]),
            ({"analysis": CallAnalysis(callback_requested=True)}, [FollowUpReason.CALLBACK_REQUESTED]),
            ({"analysis": CallAnalysis(pet_condition="Worse")}, [FollowUpReason.PET_WORSE]),
            ({"analysis": CallAnalysis(owner_concerns="the wound is red")}, [FollowUpReason.OWNER_CONCERN]),
            ({"analysis": CallAnalysis(successful=False)}, [FollowUpReason.CALL_UNSUCCESSFUL]),
            ({"outcome": CallOutcome.DO_NOT_CALL_REQUESTED}, [FollowUpReason.DO_NOT_CALL_REQUESTED]),
            (
                {"analysis": CallAnalysis(successful=False, pet_condition="worse", owner_concerns="not eating")},
                [FollowUpReason.PET_WORSE, FollowUpReason.OWNER_CONCERN, FollowUpReason.CALL_UNSUCCESSFUL],
            ),
        ],
    )
    def test_each_signal_has_its_reason(self, changes: dict[str, Any], expected: list[FollowUpReason]) -> None:
        assert reasons_for(a_call(**changes)) == expected

    def test_a_voicemail_judged_unsuccessful_is_not_a_concern(self) -> None:
        call = a_call(outcome=CallOutcome.VOICEMAIL, analysis=CallAnalysis(successful=False, in_voicemail=True))
        assert reasons_for(call) == []

    @pytest.mark.parametrize("status", [CallStatus.SCHEDULED, CallStatus.INITIATED, CallStatus.CANCELLED])
    def test_only_a_call_that_ended_has_reasons(self, status: CallStatus) -> None:
        assert reasons_for(a_call(status=status, analysis=CallAnalysis(pet_condition="worse"))) == []


class TestFlag:
    def test_the_rules_decide_which_reasons_flag(self) -> None:
        call = a_call(analysis=CallAnalysis(successful=False, pet_condition="worse"))
        only_pets = FollowUpRules(flag=[FollowUpReason.PET_WORSE])
        flagged = follow_up.flag(call, only_pets, NOW)
        assert (flagged.needs_follow_up, flagged.follow_up_reasons, flagged.flagged_at) == (True, ["pet_worse"], NOW)
        assert follow_up.flag(call, FollowUpRules(flag=[]), NOW) is call

    def test_nothing_new_changes_nothing(self) -> None:
        flagged = follow_up.flag(a_call(analysis=CallAnalysis(pet_condition="worse")), FollowUpRules(), NOW)
        assert follow_up.flag(flagged, FollowUpRules(), NOW + timedelta(hours=1)) is flagged

    def test_done_stays_done_unless_a_new_reason_comes(self) -> None:
        flagged = follow_up.flag(a_call(analysis=CallAnalysis(pet_condition="worse")), FollowUpRules(), NOW)
        done = follow_up.mark_done(flagged, "staff-1", "called back", NOW)
        assert done is not None
        assert not done.needs_follow_up
        assert follow_up.mark_done(done, "staff-1", None, NOW) is None
        assert follow_up.flag(done, FollowUpRules(), NOW) is done
        later = done.model_copy(update={"analysis": CallAnalysis(pet_condition="worse", owner_concerns="vomiting")})
        again = follow_up.flag(later, FollowUpRules(), NOW + timedelta(hours=2))
        assert again.needs_follow_up
        assert again.follow_up_reasons == ["pet_worse", "owner_concern"]
        assert again.flagged_at == NOW + timedelta(hours=2)

    @given(
        rules=st.lists(st.sampled_from(ALL_REASONS), unique=True),
        successful=st.sampled_from([True, False, None]),
        condition=st.sampled_from([None, "worse", "improving", "unknown"]),
        concerns=st.sampled_from([None, "", "red wound"]),
        callback=st.sampled_from([None, True, False]),
        status=st.sampled_from(list(CallStatus)),
    )
    def test_reasons_are_what_the_rules_enable_and_never_shrink(
        self,
        rules: list[FollowUpReason],
        successful: bool | None,
        condition: str | None,
        concerns: str | None,
        callback: bool | None,
        status: CallStatus,
    ) -> None:
        analysis = CallAnalysis(
            successful=successful, pet_condition=condition, owner_concerns=concerns, callback_requested=callback
        )
        call = a_call(status=status, analysis=analysis)
        flagged = follow_up.flag(call, FollowUpRules(flag=rules), NOW)
        expected = [reason.value for reason in reasons_for(call) if reason in rules]
        assert flagged.follow_up_reasons == expected
        assert flagged.needs_follow_up == bool(expected)
        assert set(follow_up.flag(flagged, FollowUpRules(), NOW).follow_up_reasons) >= set(expected)


class TestThroughTheServices:
    def test_a_pet_doing_worse_is_flagged_when_the_analysis_comes(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.deliver(graph.webhook("call_started", call), graph.webhook("call_ended", call, "agent_hangup"))
        assert not graph.stored(call.call_id).needs_follow_up
        analysis = {
            "call_successful": False,
            "custom_analysis_data": {"pet_condition": "worse", "owner_concerns": "not eating"},
        }
        graph.deliver(graph.webhook("call_analyzed", call, "agent_hangup", analysis=analysis))
        stored = graph.stored(call.call_id)
        assert stored.needs_follow_up
        assert stored.follow_up_reasons == ["pet_worse", "owner_concern", "call_unsuccessful"]
        assert stored.analysis is not None
        assert stored.analysis.owner_concerns == "not eating"
        items, _ = graph.service.follow_ups(STAFF, 25, None)
        assert [item.call_id for item in items] == [call.call_id]
        assert graph.service.follow_ups(OTHER_CLINIC, 25, None)[0] == []

    def test_a_callback_request_is_flagged_by_its_end(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.finish(call.call_id, "user_requested_callback")
        assert "callback_requested" in graph.stored(call.call_id).follow_up_reasons

    def test_a_clinic_that_turns_a_reason_off_is_not_told_of_it(self) -> None:
        graph = build_graph()
        graph.configure(followUpRules={"flag": ["call_failed"]})
        call = graph.dialed_call()
        graph.finish(call.call_id, "user_requested_callback")
        assert not graph.stored(call.call_id).needs_follow_up

    def test_an_earlier_attempts_analysis_says_nothing_of_the_call_that_completed(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        unsuccessful = {"call_successful": False, "call_summary": "The carrier could not place the call."}
        graph.deliver(graph.webhook("call_ended", call, "telephony_provider_unavailable"))
        graph.deliver(graph.webhook("call_analyzed", call, "telephony_provider_unavailable", analysis=unsuccessful))
        retried = graph.stored(call.call_id)
        assert retried.attempt == 2
        graph.fire(call.call_id)
        second = graph.stored(call.call_id)
        graph.deliver(graph.webhook("call_started", second), graph.webhook("call_ended", second, "agent_hangup"))
        assert graph.stored(call.call_id).status == CallStatus.COMPLETED
        assert not graph.stored(call.call_id).needs_follow_up
        graph.deliver(graph.webhook("call_analyzed", second, "agent_hangup"))
        assert not graph.stored(call.call_id).needs_follow_up

    def test_a_failed_call_is_flagged(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.finish(call.call_id, "dial_failed")
        stored = graph.stored(call.call_id)
        assert stored.status == CallStatus.FAILED
        assert stored.follow_up_reasons == ["call_failed"]

    def test_any_member_marks_it_done_once_with_a_note(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.finish(call.call_id, "user_requested_callback")
        flagged = graph.stored(call.call_id)
        with pytest.raises(ChangedMeanwhile):
            graph.service.mark_followed_up(STAFF, call.call_id, "x", expected_version=flagged.version - 1)
        done = graph.service.mark_followed_up(STAFF, call.call_id, "called back, all fine", flagged.version)
        assert done.follow_up is not None
        assert (done.follow_up.resolved_by, done.follow_up.note) == ("staff-1", "called back, all fine")
        assert done.follow_up.resolved_at == graph.clock()
        assert graph.service.follow_ups(ADMIN, 25, None)[0] == []
        with pytest.raises(NoFollowUpNeeded):
            graph.service.mark_followed_up(ADMIN, call.call_id, None)

    def test_a_call_never_flagged_needs_no_follow_up(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.finish(call.call_id, "agent_hangup")
        assert not graph.stored(call.call_id).needs_follow_up
        with pytest.raises(NoFollowUpNeeded):
            graph.service.mark_followed_up(STAFF, call.call_id, None)
