"""Owners' personal data kept only as long as the clinic chooses (the retention purge), and erased on request."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.logic.ports import RetellUnavailable
from shared.models.call import ERASED_NAME, CallStatus
from shared.models.errors import CallInProgress, Forbidden
from shared.models.settings import ClinicSettings
from tests.support.graph import ADMIN, CLINIC, OTHER_CLINIC, STAFF, Graph, build_graph


def _answered(graph: Graph, **overrides: Any) -> str:
    call = graph.dialed_call(**overrides)
    graph.finish(call.call_id, "agent_hangup")
    ended = graph.stored(call.call_id)
    assert ended.status == CallStatus.COMPLETED
    assert ended.transcript
    assert ended.final_at is not None
    return call.call_id


def _graph() -> Graph:
    graph = build_graph()
    graph.configure(retention={"transcriptDays": 30, "callDays": 60})
    return graph


def test_retention_is_a_setting_with_defaults_and_bounds() -> None:
    assert ClinicSettings().retention.transcript_days == 90
    assert ClinicSettings().retention.call_days == 730
    for wrong in (6, 3651):
        with pytest.raises(ValidationError):
            ClinicSettings.model_validate({"retention": {"transcriptDays": wrong}})


def test_texts_stay_until_transcript_days_then_go_with_retells_copy() -> None:
    graph = _graph()
    call_id = _answered(graph)
    retell_id = graph.stored(call_id).retell_call_id
    graph.clock.advance(days=29)
    assert graph.purge.run().texts_removed == 0
    assert graph.stored(call_id).transcript

    graph.clock.advance(days=2)
    report = graph.purge.run()

    purged = graph.stored(call_id)
    assert (report.texts_removed, report.retell_deleted) == (1, 1)
    assert purged.transcript is None
    assert purged.notes is None
    assert purged.discharge_summary is None
    assert purged.analysis is not None
    assert purged.analysis.summary is None
    assert purged.retell_copies_left == []
    assert not purged.has_recording
    assert graph.dialer.deleted == [retell_id]
    # What the call keeps: its times, status, outcome and counts, and the owner's names (only an erasure takes those)
    assert purged.status == CallStatus.COMPLETED
    assert purged.outcome is not None
    assert purged.attempts
    assert purged.pet_name == "Luna"
    assert graph.purge.run() == type(report)()  # a repeat changes nothing


def test_the_whole_call_goes_after_call_days() -> None:
    graph = _graph()
    call_id = _answered(graph)
    graph.clock.advance(days=59)
    graph.purge.run()
    assert call_id in graph.calls.calls
    graph.clock.advance(days=2)
    assert graph.purge.run().calls_removed == 1
    assert call_id not in graph.calls.calls


def test_a_changed_setting_applies_to_calls_already_stored() -> None:
    graph = build_graph()  # the defaults: 90 days of texts
    call_id = _answered(graph)
    graph.clock.advance(days=10)
    graph.purge.run()
    assert graph.stored(call_id).transcript
    graph.configure(retention={"transcriptDays": 7, "callDays": 9})
    graph.purge.run()
    assert call_id not in graph.calls.calls


def test_retell_down_then_up_is_asked_again() -> None:
    graph = _graph()
    call_id = _answered(graph)
    graph.clock.advance(days=31)
    graph.dialer.unavailable = True
    report = graph.purge.run()
    assert report.texts_removed == 1
    assert report.retell_failed == 1
    assert graph.stored(call_id).transcript is None
    assert graph.stored(call_id).retell_copies_left

    graph.dialer.unavailable = False
    graph.clock.advance(minutes=5)
    assert graph.purge.run().retell_deleted == 1
    assert graph.stored(call_id).retell_copies_left == []


def test_a_late_analysis_does_not_bring_texts_back() -> None:
    graph = _graph()
    call = graph.dialed_call()
    graph.deliver(graph.webhook("call_ended", call, "agent_hangup"))
    graph.erasure.erase(ADMIN, "+14155550100")
    graph.deliver(graph.webhook("call_analyzed", graph.stored(call.call_id), "agent_hangup"))
    erased = graph.stored(call.call_id)
    assert erased.transcript is None
    assert erased.analysis is None or erased.analysis.summary is None


def test_erasure_removes_texts_names_and_number_across_calls_and_not_other_clinics() -> None:
    graph = _graph()
    first, second = _answered(graph), _answered(graph)
    other_number = _answered(graph, phoneNumber="+14155550105")
    graph.configure(OTHER_CLINIC.clinic_id)
    theirs = graph.schedule(OTHER_CLINIC)

    result = graph.erasure.erase(ADMIN, "(415) 555-0100")

    assert (result.calls, result.retell_deleted) == (2, 2)
    for call_id in (first, second):
        erased = graph.stored(call_id)
        assert erased.phone_number.startswith("erased:")
        assert "4155550100" not in erased.phone_number
        assert erased.owner_name == ERASED_NAME
        assert erased.pet_name == ERASED_NAME
        assert erased.transcript is None
        assert erased.erased_at is not None
        assert erased.view().phone_number == erased.phone_number
    assert graph.stored(other_number).owner_name == "Sarah Johnson"
    assert graph.stored(theirs.call_id).phone_number == "+14155550100"
    repeat = graph.erasure.erase(ADMIN, "+14155550100")
    assert (repeat.calls, repeat.retell_deleted) == (2, 0)


def test_erasure_cancels_a_scheduled_call_refuses_one_under_way_and_is_for_admins() -> None:
    graph = _graph()
    scheduled = graph.schedule()
    assert graph.erasure.erase(ADMIN, "+14155550100").calls == 1
    assert graph.stored(scheduled.call_id).status == CallStatus.CANCELLED
    assert graph.schedules_of(scheduled.call_id) == []
    graph.dialed_call(phoneNumber="+14155550105")
    with pytest.raises(CallInProgress):
        graph.erasure.erase(ADMIN, "+14155550105")
    with pytest.raises(Forbidden):
        graph.erasure.erase(STAFF, "+14155550100")


def test_the_dial_cap_still_counts_after_erasure_and_the_do_not_call_entry_stays() -> None:
    graph = _graph()
    _answered(graph)
    graph.do_not_call.add(ADMIN, "+14155550100", "asked not to be called")
    graph.erasure.erase(ADMIN, "+14155550100")
    assert graph.dial_cap.counted(CLINIC, "+14155550100") == 1
    assert graph.do_not_call_store.get(CLINIC, "+14155550100") is not None


def test_an_erased_number_is_only_ever_read_back_never_taken_as_input() -> None:
    from shared.models.requests import ScheduleCallRequest
    from tests.support.graph import LUNA

    with pytest.raises(ValidationError):
        ScheduleCallRequest.model_validate({**LUNA, "phoneNumber": "erased:abc"})


def test_the_stored_item_keeps_the_digest_and_final_time_once_and_reads_them_back() -> None:
    from shared.dal.call_repository import _call_document, call_from_values
    from shared.dal.items import from_item, to_item

    graph = _graph()
    call = graph.stored(_answered(graph))
    assert call.number_digest is not None
    assert call.final_at is not None
    item = from_item(to_item(_call_document(call)))
    assert item["gsi4pk"] == f"NUMBER#{CLINIC}#{call.number_digest}"
    assert item["gsi2pk"] == f"TEXTS#{CLINIC}"
    read = call_from_values(item)
    assert read.number_digest == call.number_digest
    assert read.final_at == call.final_at.replace(microsecond=0)
    assert "+14155550100" not in item["gsi4pk"]


def test_with_retell_down_a_run_asks_it_once_not_once_a_call() -> None:
    graph = _graph()
    calls = [_answered(graph, metadata={"consultation_id": f"c{index}"}) for index in range(3)]
    graph.clock.advance(days=31)
    asked: list[str] = []

    def down(retell_call_id: str) -> None:
        asked.append(retell_call_id)
        raise RetellUnavailable("down")

    graph.dialer.delete_call = down  # type: ignore[method-assign]
    report = graph.purge.run()
    assert report.texts_removed == 3
    assert len(asked) == 1
    assert report.retell_failed == 3
    assert all(graph.stored(call_id).retell_copies_left for call_id in calls)


def test_a_kept_call_is_placed_by_its_final_time_and_one_with_retell_copies_left_at_once() -> None:
    from shared.dal.call_repository import _call_document

    graph = _graph()
    call = graph.stored(_answered(graph))
    assert call.final_at is not None
    final = call.final_at.strftime("%Y-%m-%dT%H:%M:%S")
    graph.clock.advance(days=31)
    graph.dialer.unavailable = True
    graph.purge.run()
    waiting = _call_document(graph.stored(call.call_id))
    assert (waiting["gsi2pk"], waiting["gsi2sk"]) == (f"TEXTS#{CLINIC}", f"0#{call.call_id}")
    graph.dialer.unavailable = False
    graph.purge.run()
    kept = _call_document(graph.stored(call.call_id))
    assert kept["gsi2pk"] == f"KEPT#{CLINIC}"
    assert kept["gsi2sk"].startswith(final)
