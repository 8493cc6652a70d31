"""A full lease pool is cleaned at any size (``DynamoDialLeases._make_room``): its leases whose attempts are over, or
that expired, are dropped in writes that each stay within DynamoDB's expression limits (the stand-in enforces them), so
a large clinic never stops dialing, and a lease taken again while the pool was being cleaned is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.dal.dial_leases import DynamoDialLeases, largest_removal, removal_batches
from shared.dal.items import from_item, to_attribute, to_item
from shared.dal.table_design import clinic_leases_key
from shared.logic.ports import LeaseLimits
from standins.moto_limits import expression_problem
from tests.conftest import TABLE, AwsStandIns

NOW = datetime(2030, 12, 2, 17, 0, tzinfo=UTC)
CLINIC = "big-clinic"


def _limits(clinic: int) -> LeaseLimits:
    return LeaseLimits(clinic=clinic, workspace=clinic + 16, duration=timedelta(minutes=20))


def _fill_clinic_pool(aws: AwsStandIns, count: int, expires: datetime) -> list[str]:
    """The clinic's pool as a busy day leaves it: ``count`` leases of calls dialed earlier, nothing written since."""
    call_ids = [f"{n:032x}" for n in range(count)]
    leases = {call_id: [int(expires.timestamp()), n % 8, 1] for n, call_id in enumerate(call_ids)}
    aws.dynamodb.put_item(TableName=TABLE, Item=to_item({**clinic_leases_key(CLINIC), "leases": leases}))
    return call_ids


def _pool(aws: AwsStandIns) -> dict[str, Any]:
    item = aws.dynamodb.get_item(TableName=TABLE, Key=to_item(clinic_leases_key(CLINIC)), ConsistentRead=True)
    return dict(from_item(item["Item"])["leases"])


@pytest.mark.parametrize("size", [500, 1000])
def test_a_full_pool_of_calls_that_ended_is_cleaned_and_a_new_call_gets_a_lease(aws: AwsStandIns, size: int) -> None:
    _fill_clinic_pool(aws, size, NOW + timedelta(minutes=20))
    leases = DynamoDialLeases(aws.dynamodb, TABLE, live=lambda attempts: set())  # every attempt is over
    assert leases.acquire(CLINIC, "new" + "0" * 29, 1, _limits(size), NOW)
    assert list(_pool(aws)) == ["new" + "0" * 29]


@pytest.mark.parametrize("size", [500, 1000])
def test_a_full_pool_of_expired_leases_is_cleaned(aws: AwsStandIns, size: int) -> None:
    """Calls stuck on a lost webhook: their attempts still look live, but their leases expired."""
    _fill_clinic_pool(aws, size, NOW - timedelta(minutes=1))
    leases = DynamoDialLeases(aws.dynamodb, TABLE, live=lambda attempts: set(attempts))
    assert leases.acquire(CLINIC, "new" + "0" * 29, 1, _limits(size), NOW)
    assert len(_pool(aws)) == 1


def test_a_pool_whose_leases_are_all_in_use_stays_full(aws: AwsStandIns) -> None:
    _fill_clinic_pool(aws, 500, NOW + timedelta(minutes=20))
    leases = DynamoDialLeases(aws.dynamodb, TABLE, live=lambda attempts: set(attempts))
    assert not leases.acquire(CLINIC, "new" + "0" * 29, 1, _limits(500), NOW)
    assert len(_pool(aws)) == 500


def test_a_lease_taken_again_while_the_pool_is_cleaned_is_kept(aws: AwsStandIns) -> None:
    """Between the pool's read and its cleaning, one call's next attempt takes its lease again: that lease (and the
    others of its write, which the condition refuses together) stay; every other batch is dropped."""
    size = 400
    call_ids = _fill_clinic_pool(aws, size, NOW + timedelta(minutes=20))
    retaken = call_ids[0]

    def live(attempts: dict[str, int | None]) -> set[str]:
        aws.dynamodb.update_item(
            TableName=TABLE,
            Key=to_item(clinic_leases_key(CLINIC)),
            UpdateExpression="SET #leases.#call = :lease",
            ExpressionAttributeNames={"#leases": "leases", "#call": retaken},
            ExpressionAttributeValues={":lease": to_attribute([int((NOW + timedelta(minutes=25)).timestamp()), 0, 2])},
        )
        return set()

    leases = DynamoDialLeases(aws.dynamodb, TABLE, live)
    assert leases.acquire(CLINIC, "new" + "0" * 29, 1, _limits(size), NOW)
    pool = _pool(aws)
    assert pool[retaken][2] == 2
    first_batch = next(removal_batches(call_ids))
    assert set(pool) == {*first_batch, "new" + "0" * 29}


def test_each_removal_fits_dynamodbs_limits_and_the_next_lease_would_not() -> None:
    from shared.dal.dial_leases import _removal, _unchanged

    most = largest_removal()
    assert most >= 100
    assert expression_problem("Update", _removal(most)) is None
    assert expression_problem("Condition", _unchanged(most)) is None
    assert expression_problem("Condition", _unchanged(most + 1)) is not None
    assert [len(batch) for batch in removal_batches([str(n) for n in range(1000)])] == [most] * 6 + [1000 - 6 * most]


def test_a_pool_stays_about_as_large_as_the_calls_in_flight(aws: AwsStandIns) -> None:
    """300 dials of a 500-call clinic, each call ending after the next four have dialed: the pool is cleaned every
    ``ROOM_AHEAD`` leases past those in use, never growing towards its limit (each write of it costs its size)."""
    from shared.dal.dial_leases import ROOM_AHEAD

    ended: set[str] = set()
    leases = DynamoDialLeases(aws.dynamodb, TABLE, live=lambda attempts: set(attempts) - ended)
    largest = 0
    for n in range(300):
        assert leases.acquire(CLINIC, f"{n:032x}", 1, _limits(500), NOW)
        if n >= 4:
            ended.add(f"{n - 4:032x}")
        largest = max(largest, len(_pool(aws)))
    assert largest <= 5 + ROOM_AHEAD
