"""Many calls written straight into a running local stack's table (moto's server), for the dashboard's tests and
the bench: scheduling a thousand calls over HTTP takes minutes, and what is measured is reading them. The items are
the repository's own (``CallRepository.create``); nothing is scheduled, so none of them is ever dialed. Likewise a
clinic's answer counts (``seed_answer_counts``): the weeks of dials a heat map needs, through the counters' own
adapter."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from shared.dal.answer_counters import DynamoAnswerCounters
from shared.dal.call_repository import CallRepository
from shared.dal.pagination import PageTokens
from shared.domain.answer_rates import WEEKDAY_NAMES, AnswerTally
from shared.models.call import Call, CallStatus
from standins.aws_resources import FAKE_CREDENTIALS, REGION


def _dynamodb(moto_url: str) -> Any:
    return boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=moto_url,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def seed_answer_counts(
    moto_url: str, table: str, clinic_id: str, cells: Mapping[tuple[str, int], tuple[int, int]]
) -> None:
    """``clinic_id``'s dials by owner-local weekday ("mon".."sun") and hour: ``(dials, answered)`` for each cell,
    counted today (so any period read includes them)."""
    today = datetime.now(UTC).date()
    tallies = [
        AnswerTally(day=today, cell=(WEEKDAY_NAMES.index(weekday), hour), dials=dials, answered=answered)
        for (weekday, hour), (dials, answered) in cells.items()
    ]
    DynamoAnswerCounters(_dynamodb(moto_url), table).add(clinic_id, tallies)


def seed_calls(moto_url: str, table: str, clinic_id: str, count: int, first: datetime, every: timedelta) -> list[str]:
    """``count`` scheduled calls of ``clinic_id``, the first at ``first`` and one every ``every`` after; their ids."""
    client = _dynamodb(moto_url)
    repository = CallRepository(client, table, PageTokens(lambda: b"unused" * 8))
    ids = []
    for index in range(count):
        when = first + every * index
        call = Call(
            call_id=uuid.uuid4().hex,
            clinic_id=clinic_id,
            status=CallStatus.SCHEDULED,
            requested_for=when,
            scheduled_for=when,
            timezone="America/Los_Angeles",
            rescheduled=False,
            phone_number="+14155550100",
            pet_name=f"Pet {index + 1:04d}",
            owner_name=f"Owner {index + 1:04d}",
            attempt=1,
            max_attempts=4,
            schedule_token=uuid.uuid4().hex[:12],
            created_at=first - timedelta(days=1),
            updated_at=first - timedelta(days=1),
            created_by="seed",
        )
        repository.create(call)
        ids.append(call.call_id)
    return ids
