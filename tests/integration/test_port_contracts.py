"""One contract, two implementations: every case runs against the in-memory fake the unit tests use and against
the real adapter on moto (the table as the stack synthesizes it), so the fakes cannot drift from the real thing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from shared.adapters.call_scheduler import CallScheduler, SchedulerTarget
from shared.dal.answer_counters import DynamoAnswerCounters
from shared.dal.call_repository import CallRepository
from shared.dal.dial_leases import DynamoDialLeases
from shared.dal.pagination import PageTokens
from shared.dal.request_counters import DynamoClinicRequestCounters
from shared.dal.retention import RetentionRepository
from shared.dal.settings_repository import SettingsRepository
from shared.domain.answer_rates import AnswerTally, CellCounts
from shared.domain.retention import PurgeStage
from shared.logic.ports import (
    AnswerCounters,
    AttemptScheduler,
    CallStore,
    ClinicRequestCounters,
    CountersUnavailable,
    DialLeases,
    IdempotencyKeyUsed,
    IdempotencyRecord,
    LeaseLimits,
    PendingAttempt,
    RetentionStore,
    SettingsStore,
    StaleWrite,
)
from shared.models.call import Call, CallStatus
from shared.models.errors import DuplicateConsultation, InvalidNextToken
from shared.models.queries import CallQuery
from shared.models.settings import ClinicSettings
from standins.aws_stand_ins import REGION
from tests.conftest import GROUP, TABLE
from tests.support.fakes import (
    InMemoryAnswerCounters,
    InMemoryCallStore,
    InMemoryClinicRequestCounters,
    InMemoryDialLeases,
    InMemoryRetentionStore,
    InMemoryScheduler,
    InMemorySettingsStore,
)

NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
IMPLEMENTATIONS = ["memory", "dynamodb"]


def _on_moto(request: pytest.FixtureRequest) -> Any:
    request.getfixturevalue("aws")
    return boto3.client("dynamodb", region_name=REGION)


@pytest.fixture(params=IMPLEMENTATIONS)
def calls(request: pytest.FixtureRequest) -> CallStore:
    if request.param == "memory":
        return InMemoryCallStore()
    return CallRepository(_on_moto(request), TABLE, PageTokens(lambda: b"contract-test-key"))


@pytest.fixture(params=IMPLEMENTATIONS)
def settings_store(request: pytest.FixtureRequest) -> SettingsStore:
    return InMemorySettingsStore() if request.param == "memory" else SettingsRepository(_on_moto(request), TABLE)


@pytest.fixture(params=IMPLEMENTATIONS)
def request_counters(request: pytest.FixtureRequest) -> ClinicRequestCounters:
    if request.param == "memory":
        return InMemoryClinicRequestCounters()
    return DynamoClinicRequestCounters(_on_moto(request), TABLE)


@pytest.fixture(params=IMPLEMENTATIONS)
def answer_counters(request: pytest.FixtureRequest) -> AnswerCounters:
    if request.param == "memory":
        return InMemoryAnswerCounters()
    return DynamoAnswerCounters(_on_moto(request), TABLE)


class Attempts:
    """Which attempts are still claimed or connected, as the call items would say (``DialLeases``' view of the calls):
    every attempt is, until the test ends it."""

    def __init__(self) -> None:
        self.over: set[tuple[str, int | None]] = set()

    def live(self, lease_attempts: dict[str, int | None]) -> set[str]:
        return {call_id for call_id, attempt in lease_attempts.items() if (call_id, attempt) not in self.over}


@pytest.fixture
def attempts() -> Attempts:
    return Attempts()


@pytest.fixture(params=IMPLEMENTATIONS)
def leases(request: pytest.FixtureRequest, attempts: Attempts) -> DialLeases:
    if request.param == "memory":
        return InMemoryDialLeases(live=attempts.live)
    return DynamoDialLeases(_on_moto(request), TABLE, live=attempts.live)


@pytest.fixture(params=IMPLEMENTATIONS)
def scheduler(request: pytest.FixtureRequest) -> tuple[AttemptScheduler, Any]:
    if request.param == "memory":
        fake = InMemoryScheduler()
        return fake, lambda: sorted(fake.schedules)
    aws = request.getfixturevalue("aws")
    import os

    target = SchedulerTarget(
        group_name=GROUP,
        execute_function_arn=os.environ["EXECUTE_FUNCTION_ARN"],
        role_arn=os.environ["SCHEDULER_ROLE_ARN"],
        dead_letter_queue_arn=aws.dlq_arn,
    )
    return CallScheduler(aws.scheduler, target), lambda: sorted(s["Name"] for s in aws.schedules())


def a_call(call_id: str = "c1", clinic: str = "clinic-a", consultation: str | None = "123", **changes: Any) -> Call:
    return Call.model_validate(
        {
            "callId": call_id,
            "clinicId": clinic,
            "status": "scheduled",
            "phoneNumber": "+14155550100",
            "petName": "Luna",
            "ownerName": "Sarah",
            "metadata": {"consultation_id": consultation} if consultation else {},
            "requestedFor": NOW,
            "scheduledFor": NOW,
            "timezone": "America/Los_Angeles",
            "rescheduled": False,
            "maxAttempts": 4,
            "createdAt": NOW,
            "updatedAt": NOW,
            "createdBy": "u1",
            "scheduleToken": "t1",
            **changes,
        }
    )


def record(
    key: str = "k1", clinic: str = "clinic-a", expires: datetime = NOW + timedelta(hours=24)
) -> IdempotencyRecord:
    return IdempotencyRecord(clinic, key, "hash", 201, "{}", int(expires.timestamp()))


class TestCallStore:
    def test_a_call_is_read_back_only_in_its_own_clinic(self, calls: CallStore) -> None:
        calls.create(a_call())
        stored = calls.get("clinic-a", "c1")
        assert stored is not None
        assert stored.pet_name == "Luna"
        assert calls.get("clinic-b", "c1") is None
        assert calls.get("clinic-a", "c2") is None

    def test_a_second_active_call_for_a_consultation_is_refused_until_the_first_ends(self, calls: CallStore) -> None:
        first = a_call("c1")
        calls.create(first)
        with pytest.raises(DuplicateConsultation) as refused:
            calls.create(a_call("c2"))
        assert refused.value.existing_call_id == "c1"
        calls.create(a_call("c3", clinic="clinic-b"))  # another clinic's consultation 123 is another consultation
        calls.replace(first.model_copy(update={"status": CallStatus.CANCELLED, "version": 2}), expected=first)
        calls.create(a_call("c2"))
        assert calls.get("clinic-a", "c2") is not None

    def test_an_attempt_holds_its_dialing_lease_only_while_claimed_or_connected(self, calls: CallStore) -> None:
        scheduled = a_call("c1")
        calls.create(scheduled)
        assert calls.live_attempts({"c1": 1, "gone": 1}) == set()
        claimed = scheduled.model_copy(update={"status": CallStatus.INITIATED, "version": 2})
        calls.replace(claimed, expected=scheduled)
        assert calls.live_attempts({"c1": 1}) == {"c1"}
        assert calls.live_attempts({"c1": None}) == {"c1"}  # a lease from before leases named their attempt
        connected = claimed.model_copy(update={"status": CallStatus.IN_PROGRESS, "version": 3})
        calls.replace(connected, expected=claimed)
        assert calls.live_attempts({"c1": 1}) == {"c1"}
        retrying = connected.model_copy(update={"status": CallStatus.SCHEDULED, "attempt": 2, "version": 4})
        calls.replace(retrying, expected=connected)
        assert calls.live_attempts({"c1": 1}) == set()
        again = retrying.model_copy(update={"status": CallStatus.INITIATED, "version": 5})
        calls.replace(again, expected=retrying)
        assert calls.live_attempts({"c1": 1}) == set()  # the first attempt's lease is over; the second's is not
        assert calls.live_attempts({"c1": 2}) == {"c1"}

    def test_an_idempotency_key_is_used_once_per_clinic_until_it_expires(self, calls: CallStore) -> None:
        calls.create(a_call("c1", consultation=None), record())
        with pytest.raises(IdempotencyKeyUsed) as used:
            calls.create(a_call("c2", consultation=None), record())
        assert used.value.record.status_code == 201
        assert calls.get("clinic-a", "c2") is None
        calls.create(a_call("c3", clinic="clinic-b", consultation=None), record(clinic="clinic-b"))
        assert calls.get_idempotency_record("clinic-a", "k1", NOW) is not None
        assert calls.get_idempotency_record("clinic-a", "k1", NOW + timedelta(hours=25)) is None

    def test_a_replace_over_a_stale_read_fails_with_what_is_stored(self, calls: CallStore) -> None:
        original = a_call()
        calls.create(original)
        moved = original.model_copy(update={"version": 2, "notes": "first writer"})
        calls.replace(moved, expected=original)
        with pytest.raises(StaleWrite) as stale:
            calls.replace(original.model_copy(update={"version": 2, "notes": "second writer"}), expected=original)
        assert stale.value.current is not None
        assert stale.value.current.notes == "first writer"
        with pytest.raises(StaleWrite) as gone:
            calls.replace(a_call("nope"), expected=a_call("nope"))
        assert gone.value.current is None

    def test_the_list_tells_the_open_statuses_apart_and_pages_through_them(self, calls: CallStore) -> None:
        statuses = ["scheduled", "in_progress", "initiated", "in_progress", "completed", "in_progress", "scheduled"]
        for index, status in enumerate(statuses):
            calls.create(
                a_call(f"c{index}", consultation=None, status=status, scheduledFor=NOW + timedelta(hours=index))
            )
        live = frozenset({CallStatus.IN_PROGRESS})
        first, token = calls.list_for_clinic(CallQuery("clinic-a", statuses=live, limit=2))
        assert [call.call_id for call in first] == ["c1", "c3"]
        assert token is not None
        rest, end = calls.list_for_clinic(CallQuery("clinic-a", statuses=live, limit=2, next_token=token))
        assert ([call.call_id for call in rest], end) == (["c5"], None)
        waiting, _ = calls.list_for_clinic(
            CallQuery("clinic-a", statuses=frozenset({CallStatus.SCHEDULED, CallStatus.COMPLETED}))
        )
        assert [call.call_id for call in waiting] == ["c0", "c4", "c6"]

    def test_the_list_is_in_time_order_filtered_and_paged_with_tokens_bound_to_the_query(
        self, calls: CallStore
    ) -> None:
        for hour in range(5):
            status = "cancelled" if hour == 2 else "scheduled"
            calls.create(
                a_call(f"c{hour}", consultation=None, status=status, scheduledFor=NOW + timedelta(hours=4 - hour))
            )
        calls.create(a_call("other", clinic="clinic-b", consultation=None))
        query = CallQuery("clinic-a", statuses=frozenset({CallStatus.SCHEDULED}), limit=2)
        first, token = calls.list_for_clinic(query)
        assert [call.call_id for call in first] == ["c4", "c3"]
        assert token is not None
        rest, end = calls.list_for_clinic(CallQuery("clinic-a", statuses=query.statuses, limit=5, next_token=token))
        assert [call.call_id for call in rest] == ["c1", "c0"]
        assert end is None
        with pytest.raises(InvalidNextToken):
            calls.list_for_clinic(CallQuery("clinic-b", statuses=query.statuses, next_token=token))
        with pytest.raises(InvalidNextToken):
            calls.list_for_clinic(CallQuery("clinic-a", next_token=token))
        window, _ = calls.list_for_clinic(
            CallQuery("clinic-a", scheduled_from=NOW + timedelta(hours=1), scheduled_to=NOW + timedelta(hours=2))
        )
        assert [call.call_id for call in window] == ["c3", "c2"]


class TestSettingsStore:
    def test_settings_are_kept_per_clinic(self, settings_store: SettingsStore) -> None:
        assert settings_store.get("clinic-a") is None
        settings = ClinicSettings.model_validate({"timezone": "America/New_York", "maxConcurrentCalls": 3})
        settings_store.put("clinic-a", settings, updated_by="u1", now=NOW)
        assert settings_store.get("clinic-a") == settings
        assert settings_store.get("clinic-b") is None


@pytest.fixture(params=IMPLEMENTATIONS)
def retention_ports(request: pytest.FixtureRequest) -> tuple[CallStore, SettingsStore, RetentionStore]:
    if request.param == "memory":
        memory_calls, memory_settings = InMemoryCallStore(), InMemorySettingsStore()
        return memory_calls, memory_settings, InMemoryRetentionStore(memory_calls, memory_settings)
    client = _on_moto(request)
    return (
        CallRepository(client, TABLE, PageTokens(lambda: b"contract-test-key")),
        SettingsRepository(client, TABLE),
        RetentionRepository(client, TABLE),
    )


class TestRetentionStore:
    def test_the_clinics_the_calls_due_by_stage_a_numbers_calls_and_a_conditional_removal(
        self, retention_ports: tuple[CallStore, SettingsStore, RetentionStore]
    ) -> None:
        calls, settings, store = retention_ports
        for clinic in ("clinic-b", "clinic-a"):
            settings.put(clinic, ClinicSettings(), updated_by="u1", now=NOW)
        final: dict[str, Any] = {"status": "completed", "consultation": None, "numberDigest": "d1"}
        texts = a_call("c1", finalAt=NOW - timedelta(days=10), **final)
        kept = a_call("c2", finalAt=NOW - timedelta(days=100), textsRemovedAt=NOW, **final)
        copies_left = a_call("c5", finalAt=NOW - timedelta(days=1), textsRemovedAt=NOW, retellCopiesLeft=["r"], **final)
        theirs = a_call("c3", clinic="clinic-b", finalAt=NOW - timedelta(days=10), **final)
        waiting = a_call("c4", consultation=None, numberDigest="d1")
        for call in (texts, kept, copies_left, theirs, waiting):
            calls.create(call)

        assert store.clinics() == ["clinic-a", "clinic-b"]
        refs = store.final_before("clinic-a", PurgeStage.TEXTS, NOW - timedelta(days=5), 10)
        assert [ref.call_id for ref in refs] == ["c5", "c1"]  # Retell copies left: due at once
        assert [r.call_id for r in store.final_before("clinic-a", PurgeStage.TEXTS, NOW - timedelta(days=20), 10)] == [
            "c5"
        ]
        assert [r.call_id for r in store.final_before("clinic-a", PurgeStage.KEPT, NOW - timedelta(days=50), 10)] == [
            "c2"
        ]
        assert store.final_before("clinic-a", PurgeStage.KEPT, NOW - timedelta(days=200), 10) == []
        assert sorted(ref.call_id for ref in store.calls_to_number("clinic-a", "d1")) == ["c1", "c2", "c4", "c5"]
        assert store.calls_to_number("clinic-a", "d2") == []

        assert not store.remove(kept.model_copy(update={"version": 7}))  # changed meanwhile
        assert store.remove(kept)
        assert not store.remove(kept)  # gone
        assert calls.get("clinic-a", "c2") is None


class TestDialLeases:
    LIMITS = LeaseLimits(clinic=2, workspace=3, duration=timedelta(minutes=20))

    def test_each_pool_caps_its_calls_and_a_holder_keeps_its_lease(self, leases: DialLeases) -> None:
        assert leases.acquire("clinic-a", "c1", 1, self.LIMITS, NOW)
        assert leases.acquire("clinic-a", "c2", 1, self.LIMITS, NOW)
        assert not leases.acquire("clinic-a", "c3", 1, self.LIMITS, NOW)  # the clinic's 2
        assert leases.acquire("clinic-a", "c1", 1, self.LIMITS, NOW)  # a retry of the same claim
        assert leases.acquire("clinic-b", "c4", 1, self.LIMITS, NOW)
        assert not leases.acquire("clinic-b", "c5", 1, self.LIMITS, NOW)  # the workspace's 3
        leases.release("clinic-a", "c1")
        leases.release("clinic-a", "c1")  # releasing twice is fine
        assert leases.acquire("clinic-b", "c5", 1, self.LIMITS, NOW)

    def test_a_lease_is_free_once_its_attempt_is_over_without_a_release(
        self, leases: DialLeases, attempts: Attempts
    ) -> None:
        assert leases.acquire("clinic-a", "c1", 1, self.LIMITS, NOW)
        assert leases.acquire("clinic-a", "c2", 1, self.LIMITS, NOW)
        assert leases.acquire("clinic-b", "c3", 1, self.LIMITS, NOW)
        assert not leases.acquire("clinic-b", "c4", 1, self.LIMITS, NOW)  # the workspace's 3 in use
        attempts.over.add(("c3", 1))  # c3's call ended: its webhook wrote the call, not the pools
        assert leases.acquire("clinic-b", "c4", 1, self.LIMITS, NOW)
        assert not leases.acquire("clinic-a", "c5", 1, self.LIMITS, NOW)  # c1, c2 and c4 still in use
        attempts.over.add(("c1", 1))  # no answer: c1 waits for its second attempt, which takes a lease again
        assert leases.acquire("clinic-a", "c1", 2, self.LIMITS, NOW)
        assert not leases.acquire("clinic-a", "c5", 1, self.LIMITS, NOW)

    def test_a_lease_never_returned_expires(self, leases: DialLeases) -> None:
        limits = LeaseLimits(clinic=1, workspace=5, duration=timedelta(minutes=20))
        assert leases.acquire("clinic-a", "c1", 1, limits, NOW)
        assert not leases.acquire("clinic-a", "c2", 1, limits, NOW + timedelta(minutes=19))
        assert leases.acquire("clinic-a", "c2", 1, limits, NOW + timedelta(minutes=21))


class TestClinicRequestCounters:
    def test_a_window_counts_up_to_its_limit_per_clinic_and_a_new_window_starts_at_zero(
        self, request_counters: ClinicRequestCounters
    ) -> None:
        expires = NOW + timedelta(minutes=5)
        assert [request_counters.count("clinic-a", NOW, 3, expires) for _ in range(5)] == [True] * 3 + [False] * 2
        assert request_counters.count("clinic-b", NOW, 3, expires)  # another clinic's counter
        later = NOW + timedelta(seconds=10)
        assert request_counters.count("clinic-a", later, 3, later + timedelta(minutes=5))  # another window
        assert request_counters.count("clinic-a", NOW, 4, expires)  # a higher limit has room for one more


class TestAnswerCounters:
    def test_additions_sum_by_cell_from_the_first_day_asked_for(self, answer_counters: AnswerCounters) -> None:
        today = NOW.date()
        answer_counters.add("clinic-a", [AnswerTally(today, (0, 9), 1, 1), AnswerTally(today, (0, 9), 1, 0)])
        answer_counters.add("clinic-a", [AnswerTally(today - timedelta(days=3), (0, 9), 1, 1)])
        answer_counters.add("clinic-a", [AnswerTally(today - timedelta(days=3), (6, 23), 1, 0)])
        answer_counters.add("clinic-b", [AnswerTally(today, (2, 17), 1, 1)])
        assert answer_counters.history("clinic-a", today) == {(0, 9): CellCounts(2, 1)}
        assert answer_counters.history("clinic-a", today - timedelta(days=3)) == {
            (0, 9): CellCounts(3, 2),
            (6, 23): CellCounts(1, 0),
        }
        assert answer_counters.history(None, today) == {(0, 9): CellCounts(2, 1), (2, 17): CellCounts(1, 1)}
        assert answer_counters.history("clinic-c", today) == {}

    def test_an_answer_taken_back_leaves_the_dial(self, answer_counters: AnswerCounters) -> None:
        today = NOW.date()
        answer_counters.add("clinic-a", [AnswerTally(today, (0, 9), 1, 1)])
        answer_counters.add("clinic-a", [AnswerTally(today, (0, 9), 0, -1)])
        assert answer_counters.history("clinic-a", today) == {(0, 9): CellCounts(1, 0)}


class TestAttemptScheduler:
    def test_placing_is_idempotent_and_removing_a_missing_schedule_is_fine(
        self, scheduler: tuple[AttemptScheduler, Any]
    ) -> None:
        port, names = scheduler
        pending = PendingAttempt("c1", "clinic-a", 1, "t1", NOW + timedelta(minutes=5))
        port.place(pending)
        port.place(pending)
        assert names() == [pending.schedule_name]
        port.remove(pending.schedule_name)
        port.remove(pending.schedule_name)
        assert names() == []


def test_an_idempotency_record_is_stored_compressed_and_one_written_as_text_still_replays(aws: Any) -> None:
    """DynamoDB only: the first answer is compressed (a record is one write unit), and records written before it
    (``responseBody`` as text, kept for a day) still read back."""
    from shared.dal.items import to_item
    from shared.dal.table_design import idempotency_key

    store = CallRepository(aws.dynamodb, TABLE, PageTokens(lambda: b"contract-test-key"))
    call = a_call("c1", consultation=None)
    first_answer = call.view().model_dump_json()
    store.create(call, IdempotencyRecord("clinic-a", "k1", "hash", 201, first_answer, int(NOW.timestamp()) + 60))
    (stored,) = [item for item in aws.items() if item["pk"].startswith("IDEMPOTENCY#")]
    assert "responseBody" not in stored
    assert len(bytes(stored["responseBodyZ"])) < len(first_answer) / 2
    replayed = store.get_idempotency_record("clinic-a", "k1", NOW)
    assert replayed is not None
    assert replayed.response_body == first_answer
    old = {**idempotency_key("clinic-a", "k2"), "requestHash": "h", "statusCode": 201, "responseBody": "{}"}
    aws.dynamodb.put_item(TableName=TABLE, Item=to_item({**old, "expiresAt": int(NOW.timestamp()) + 60}))
    old_record = store.get_idempotency_record("clinic-a", "k2", NOW)
    assert old_record is not None
    assert old_record.response_body == "{}"


def test_request_counters_that_cannot_be_written_say_so(aws: Any) -> None:
    """Any failure but the budget's own condition is ``CountersUnavailable``, which the budget serves through."""
    counters = DynamoClinicRequestCounters(boto3.client("dynamodb", region_name=REGION), "no-such-table")
    with pytest.raises(CountersUnavailable):
        counters.count("clinic-a", NOW, 3, NOW + timedelta(minutes=5))
