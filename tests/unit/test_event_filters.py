"""Lambda's event filtering as the stand-in applies it, with the patterns the deployed stack gives the notices
function: a call or the breaker written reaches it, nothing else the table holds does."""

from __future__ import annotations

from typing import Any

import pytest

from shared.dal.table_design import notice_stream_filters
from standins.event_filters import matches, notices_stream_filters, passes


def record(event: str, pk: str, sk: str) -> dict[str, Any]:
    return {"eventName": event, "dynamodb": {"Keys": {"pk": {"S": pk}, "sk": {"S": sk}}}}


@pytest.mark.parametrize(
    ("written", "reaches"),
    [
        (record("INSERT", "CALL#c1", "CALL"), True),
        (record("MODIFY", "CALL#c1", "CALL"), True),
        (record("REMOVE", "CALL#c1", "CALL"), False),
        (record("MODIFY", "BREAKER#RETELL", "BREAKER"), True),
        (record("INSERT", "BUDGET#clinic-a#1796529440", "BUDGET"), False),
        (record("MODIFY", "LEASES#clinic-a", "LEASES"), False),
        (record("INSERT", "NOTICE#c1", "NOTICE#call_failed#email#r1"), False),
    ],
)
def test_only_calls_and_the_breaker_reach_the_notices_function(written: dict[str, Any], reaches: bool) -> None:
    assert passes(notice_stream_filters(), written) is reaches


def test_the_stand_in_reads_the_deployed_stacks_patterns() -> None:
    assert notices_stream_filters() == notice_stream_filters()


def test_no_patterns_let_everything_through() -> None:
    assert passes([], record("REMOVE", "x", "y"))


def test_an_operator_the_stand_in_does_not_apply_is_refused_not_ignored() -> None:
    with pytest.raises(NotImplementedError):
        matches({"dynamodb": {"Keys": {"sk": {"S": [{"prefix": "CALL"}]}}}}, record("INSERT", "a", "CALL"))
