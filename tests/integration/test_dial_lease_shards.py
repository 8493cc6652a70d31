"""The workspace's lease pool split into shards (``shared/dal/dial_leases.py``): a limit of any size is kept
exactly, every shard stays a one-write-unit item, a call keeps one shard from its dial to its end, a lease written
before the shards existed is still released, and a lease whose attempt is over is found free without a release."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.dal.dial_leases import SHARD_LEASES, DynamoDialLeases, shard_sizes
from shared.dal.items import to_attribute, to_item
from shared.dal.table_design import clinic_leases_key, workspace_leases_key
from shared.logic.ports import LeaseLimits
from tests.conftest import TABLE, AwsStandIns

NOW = datetime(2030, 12, 2, 17, 0, tzinfo=UTC)


def every_attempt_live(lease_attempts: dict[str, int | None]) -> set[str]:
    return set(lease_attempts)


def _limits(workspace: int, clinic: int = 20) -> LeaseLimits:
    return LeaseLimits(clinic=clinic, workspace=workspace, duration=timedelta(minutes=20))


def _shard_items(aws: AwsStandIns, limit: int) -> list[dict[str, Any]]:
    items = []
    for shard in range(len(shard_sizes(limit))):
        found = aws.dynamodb.get_item(TableName=TABLE, Key=to_item(workspace_leases_key(shard))).get("Item")
        items.append(found or {})
    return items


@pytest.mark.parametrize("limit", [1, 16, 17, 20, 100, 1000])
def test_shard_sizes_add_up_to_the_limit_and_none_holds_more_than_a_shard(limit: int) -> None:
    sizes = shard_sizes(limit)
    assert sum(sizes) == limit
    assert max(sizes) <= SHARD_LEASES
    assert max(sizes) - min(sizes) <= 1


def test_a_workspace_limit_over_several_shards_is_kept_exactly(aws: AwsStandIns) -> None:
    leases = DynamoDialLeases(aws.dynamodb, TABLE, every_attempt_live)
    limit = 40  # three shards: 14, 13, 13
    taken = [leases.acquire(f"clinic-{n}", f"{n:032x}", 1, _limits(limit), NOW) for n in range(limit)]
    assert taken == [True] * limit
    assert not leases.acquire("clinic-x", "f" * 32, 1, _limits(limit), NOW)
    assert len(leases.held_in_workspace(limit)) == limit
    leases.release("clinic-7", f"{7:032x}")
    assert leases.acquire("clinic-x", "f" * 32, 1, _limits(limit), NOW)
    assert not leases.acquire("clinic-y", "e" * 32, 1, _limits(limit), NOW)


def test_a_full_shard_of_call_ids_is_one_write_unit(aws: AwsStandIns) -> None:
    leases = DynamoDialLeases(aws.dynamodb, TABLE, every_attempt_live)
    limit = 1000
    for n in range(SHARD_LEASES * 3):
        assert leases.acquire(f"clinic-{n % 50}", f"{n:032x}", 1, _limits(limit), NOW)
    for item in _shard_items(aws, limit):
        assert len(json.dumps(item)) < 1024  # the JSON form is longer than DynamoDB's own size measure


def test_a_retried_claim_keeps_its_one_shard_and_its_end_frees_it(aws: AwsStandIns) -> None:
    leases = DynamoDialLeases(aws.dynamodb, TABLE, every_attempt_live)
    limit = 100
    for _ in range(5):  # a retry of the same claim tries the same shard first: the call and attempt choose it
        assert leases.acquire("clinic-a", "a" * 32, 1, _limits(limit), NOW)
    holding = [n for n, item in enumerate(_shard_items(aws, limit)) if "a" * 32 in item.get("leases", {}).get("M", {})]
    assert len(holding) == 1
    assert leases.held_in_workspace(limit)["a" * 32] == int((NOW + timedelta(minutes=20)).timestamp())
    leases.release("clinic-a", "a" * 32)
    assert leases.held_in_workspace(limit) == {}
    assert leases.held("clinic-a") == {}


def test_a_lease_from_before_the_shards_is_released_from_the_old_item(aws: AwsStandIns) -> None:
    """A clinic lease that is a bare expiry (the single-item pool's format) lives in shard 0, the old item."""
    expiry = int((NOW + timedelta(minutes=20)).timestamp())
    for key in (clinic_leases_key("clinic-a"), workspace_leases_key()):
        aws.dynamodb.put_item(TableName=TABLE, Item={**to_item(key), "leases": to_attribute({"b" * 32: expiry})})
    leases = DynamoDialLeases(aws.dynamodb, TABLE, every_attempt_live)
    assert leases.held("clinic-a") == {"b" * 32: expiry}
    leases.release("clinic-a", "b" * 32)
    assert leases.held("clinic-a") == {}
    assert leases.held_in_workspace(20) == {}


def test_a_busy_workspace_finds_the_one_shard_left_with_room(aws: AwsStandIns) -> None:
    leases = DynamoDialLeases(aws.dynamodb, TABLE, every_attempt_live)
    limit = 160  # ten shards of 16
    for n in range(limit - 1):
        assert leases.acquire(f"clinic-{n % 10}", f"{n:032x}", 1, _limits(limit), NOW)
    calls: list[str] = []
    original = aws.dynamodb.update_item

    def counting(**kwargs: object) -> object:
        calls.append("update")
        return original(**kwargs)

    aws.dynamodb.update_item = counting
    assert leases.acquire("clinic-z", "c" * 32, 1, _limits(limit), NOW)
    # The first shard tried, the one a single batch read found with room, the clinic's pool.
    assert len(calls) <= 3
    assert not leases.acquire("clinic-z", "d" * 32, 1, _limits(limit), NOW)


def test_expired_leases_in_a_shard_are_pruned_when_the_workspace_is_full(aws: AwsStandIns) -> None:
    leases = DynamoDialLeases(aws.dynamodb, TABLE, every_attempt_live)
    limit = 32
    for n in range(limit):
        assert leases.acquire(f"clinic-{n % 4}", f"{n:032x}", 1, _limits(limit), NOW)
    later = NOW + timedelta(minutes=21)
    assert leases.acquire("clinic-z", "c" * 32, 1, _limits(limit), later)


def test_a_full_workspace_whose_calls_ended_takes_a_call_without_any_release(aws: AwsStandIns) -> None:
    """Nothing wrote the pools when the calls ended: the shards are full of leases whose attempts are over."""
    ended: set[str] = set()
    leases = DynamoDialLeases(aws.dynamodb, TABLE, lambda attempts: set(attempts) - ended)
    limit = 48  # three shards of 16
    for n in range(limit):
        assert leases.acquire(f"clinic-{n % 8}", f"{n:032x}", 1, _limits(limit), NOW)
    assert not leases.acquire("clinic-z", "c" * 32, 1, _limits(limit), NOW)
    ended.update(f"{n:032x}" for n in range(0, limit, 6))  # 8 calls ended, spread over the shards
    for n in range(8):
        assert leases.acquire("clinic-z", f"{n:031x}z", 1, _limits(limit), NOW)
    assert not leases.acquire("clinic-z", "d" * 32, 1, _limits(limit), NOW)
    assert len(leases.held_in_workspace(limit)) == limit
    assert len([item for item in _shard_items(aws, limit) if len(item["leases"]["M"]) == 16]) == 3
