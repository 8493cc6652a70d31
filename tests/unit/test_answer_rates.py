"""Answer rates: what a write that ends a dial adds to the counts (``tally``), the blended expected rates, and the
counts kept through the services on the in-memory fakes: counted once whatever Retell repeats, never for a dial
that rang nobody, and read back by ``GET /clinic/answer-rates``'s service."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shared.domain.answer_rates import (
    CLINIC_WEIGHT,
    PRIOR_RATE,
    AnswerRateModel,
    CellCounts,
    best_cells,
    cell_of,
    owner_zone,
    tally,
)
from shared.models.call import CallAttempt, CallOutcome
from shared.models.errors import ValidationFailed
from shared.models.results import EventEffect
from tests.support.graph import CLINIC, STAFF, Graph, build_graph

# The graph's clock: Monday 2026-11-23 09:30 in Los Angeles; Luna's owner is in Los Angeles too (+1415).
MONDAY_09 = (0, 9)


def counts(graph: Graph, clinic_id: str | None = CLINIC) -> dict[tuple[int, int], CellCounts]:
    return graph.answer_counters.history(clinic_id, date(2026, 1, 1))


def ended_call(graph: Graph, reason: str, phone: str = "+14155550100") -> None:
    call = graph.dialed_call(phoneNumber=phone)
    graph.finish(call.call_id, reason)


class TestCountedAsDialsEnd:
    def test_an_answered_dial_counts_a_dial_and_an_answer_at_the_owners_hour(self) -> None:
        graph = build_graph()
        ended_call(graph, "agent_hangup")
        assert counts(graph) == {MONDAY_09: CellCounts(1, 1)}
        assert counts(graph, None) == {MONDAY_09: CellCounts(1, 1)}  # and every clinic's

    @pytest.mark.parametrize("reason", ["voicemail_reached", "dial_no_answer", "dial_busy", "user_declined"])
    def test_a_dial_that_rang_without_the_owner_speaking_counts_a_dial_only(self, reason: str) -> None:
        graph = build_graph()
        ended_call(graph, reason)
        assert counts(graph) == {MONDAY_09: CellCounts(1, 0)}

    @pytest.mark.parametrize(
        "reason", ["dial_failed", "concurrency_limit_reached", "no_valid_payment", "error_retell", "manual_stopped"]
    )
    def test_a_dial_that_rang_nobody_counts_nothing(self, reason: str) -> None:
        graph = build_graph()
        ended_call(graph, reason)
        assert counts(graph) == {}

    def test_a_dial_retell_refused_counts_nothing(self) -> None:
        graph = build_graph(dial_outcomes=[400])
        call = graph.schedule()
        graph.fire(call.call_id)
        assert graph.stored(call.call_id).outcome == CallOutcome.DIAL_REJECTED
        assert counts(graph) == {}

    def test_repeated_and_reordered_webhooks_count_once(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        events = graph.retell_events(call, "agent_hangup")
        graph.deliver(*events, *reversed(events), *events)
        assert counts(graph) == {MONDAY_09: CellCounts(1, 1)}

    def test_each_attempt_counts_in_its_own_hour(self) -> None:
        graph = build_graph()
        graph.configure(retry={"maxRetries": 2, "backoffSeconds": [3600]})
        call = graph.dialed_call()
        graph.finish(call.call_id, "dial_no_answer")
        graph.fire(call.call_id)  # an hour later: 10:30
        graph.finish(call.call_id, "agent_hangup")
        assert counts(graph) == {MONDAY_09: CellCounts(1, 0), (0, 10): CellCounts(1, 1)}

    def test_an_analysis_that_finds_a_voicemail_takes_the_answer_back(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.deliver(graph.webhook("call_started", call), graph.webhook("call_ended", call, "agent_hangup"))
        assert counts(graph) == {MONDAY_09: CellCounts(1, 1)}
        analysis = {"call_summary": "a voicemail box", "in_voicemail": True}
        graph.deliver(graph.webhook("call_analyzed", call, "agent_hangup", analysis=analysis))
        assert graph.stored(call.call_id).outcome == CallOutcome.VOICEMAIL
        assert counts(graph) == {MONDAY_09: CellCounts(1, 0)}

    def test_a_failed_addition_leaves_the_call_ended_and_loses_that_count_only(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        graph.answer_counters.down = True
        outcomes = graph.finish(call.call_id, "agent_hangup")
        assert EventEffect.COMPLETED in [outcome.effect for outcome in outcomes]
        graph.answer_counters.down = False
        ended_call(graph, "dial_no_answer")
        assert counts(graph) == {MONDAY_09: CellCounts(1, 0)}


class TestTally:
    def test_the_cell_is_the_owners_clock_and_a_number_without_a_place_uses_the_calls_zone(self) -> None:
        graph = build_graph()
        call = graph.dialed_call(phoneNumber="+12125550100")  # New York: 12:30 there
        ended = call.model_copy(
            update={"attempts": [call.attempts[0].model_copy(update={"outcome": CallOutcome.ANSWERED})]}
        )
        (added,) = tally(call, ended, graph.clock())
        assert (added.cell, added.dials, added.answered) == ((0, 12), 1, 1)
        assert owner_zone("+18005550100", "America/Denver").key == "America/Denver"  # toll-free: no place

    def test_nothing_changed_adds_nothing(self) -> None:
        graph = build_graph()
        call = graph.dialed_call()
        assert tally(call, call, graph.clock()) == []
        extra = call.model_copy(update={"attempts": [*call.attempts, CallAttempt(number=2)]})
        assert tally(call, extra, graph.clock()) == []

    def test_the_cell_of_an_instant_in_a_dst_fold_is_its_local_hour(self) -> None:
        zone = owner_zone("+14155550100", "UTC")
        first = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # 01:30 PDT
        assert cell_of(first, zone) == cell_of(first + timedelta(hours=1), zone) == (6, 1)  # then 01:30 PST


class TestExpectedRates:
    def test_nothing_known_is_the_prior(self) -> None:
        assert AnswerRateModel({}, {}).rate((0, 9)) == PRIOR_RATE

    def test_a_clinics_own_hour_outweighs_every_clinics_once_it_has_many_dials(self) -> None:
        everyone = {(0, 9): CellCounts(1_000, 200)}
        few = AnswerRateModel({(0, 9): CellCounts(2, 2)}, everyone).rate((0, 9))
        many = AnswerRateModel({(0, 9): CellCounts(200, 180)}, everyone).rate((0, 9))
        assert 0.2 < few < 0.4
        assert many > 0.8
        assert many == pytest.approx((180 + CLINIC_WEIGHT * (200 + 20 * 0.5) / 1_020) / (200 + CLINIC_WEIGHT))

    def test_best_lists_at_most_three_hours_with_enough_dials_highest_first(self) -> None:
        history = {
            (0, 9): CellCounts(10, 5),
            (0, 10): CellCounts(10, 9),
            (1, 9): CellCounts(4, 4),  # too few dials
            (2, 17): CellCounts(5, 4),
            (3, 8): CellCounts(20, 2),
            (4, 8): CellCounts(20, 1),
        }
        assert [cell for cell, _ in best_cells(history)] == [(0, 10), (2, 17), (0, 9)]


class TestAnswerRatesService:
    def test_the_clinics_cells_and_best_hours(self) -> None:
        graph = build_graph()
        for index in range(5):  # five owners: the dial cap allows 3 dials a number a day
            ended_call(graph, "agent_hangup", f"+141555501{20 + index}")
        ended_call(graph, "dial_no_answer")
        rates = graph.answer_rates.rates(STAFF, 90)
        assert rates.model_dump(mode="json", by_alias=True) == {
            "days": 90,
            "timezoneBasis": "owner",
            "cells": [{"weekday": "mon", "hour": 9, "dials": 6, "answered": 5}],
            "best": [{"weekday": "mon", "hour": 9, "rate": 0.8333}],
        }

    def test_only_the_days_asked_for_count(self) -> None:
        graph = build_graph()
        ended_call(graph, "agent_hangup")
        graph.clock.now += timedelta(days=8)
        assert graph.answer_rates.rates(STAFF, 7).cells == []
        assert len(graph.answer_rates.rates(STAFF, 9).cells) == 1

    @pytest.mark.parametrize("days", [6, 366, 0])
    def test_days_outside_7_to_365_are_refused(self, days: int) -> None:
        with pytest.raises(ValidationFailed):
            build_graph().answer_rates.rates(STAFF, days)
