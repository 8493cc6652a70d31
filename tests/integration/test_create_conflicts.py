"""Two requests creating the same call at once: DynamoDB may cancel the second's transaction with a
``TransactionConflict`` (the first is still committing the consultation lock and the idempotency record) rather than a
failed condition. The answer is the duplicate's (a replay of the first answer, or ``409 duplicate_consultation``),
never a 500. The stand-in models the conflict (``standins.moto_conflicts``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from shared.dal.items import to_item
from shared.dal.table_design import consultation_lock_key
from standins.moto_conflicts import conflict_window
from tests.conftest import ApiClient, ApiResponse, AwsStandIns
from tests.integration.test_calls_api import LUNA, TUESDAY_9AM_LA

BODY = {**LUNA, "scheduledFor": TUESDAY_9AM_LA}


@pytest.fixture
def conflicts() -> Iterator[Any]:
    """Turns the stand-in's conflict window on for the test (``conflicts(seconds)``), and off after it."""
    yield conflict_window
    conflict_window(0)


def _calls(aws: AwsStandIns) -> list[dict[str, Any]]:
    return [item for item in aws.items() if item["sk"] == "CALL"]


def test_the_stand_in_cancels_a_transaction_on_an_item_another_is_committing(
    aws: AwsStandIns, api: ApiClient, conflicts: Any
) -> None:
    from botocore.exceptions import ClientError

    conflicts(30)
    first = api.post("/calls/schedule", BODY)
    assert first.status == 201
    lock = to_item(consultation_lock_key("clinic-a", "12345"))
    with pytest.raises(ClientError) as raised:
        aws.dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "calls-test", "Item": {"pk": {"S": "OTHER"}, "sk": {"S": "X"}}}},
                {
                    "ConditionCheck": {
                        "TableName": "calls-test",
                        "Key": lock,
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in raised.value.response["CancellationReasons"]] == ["None", "TransactionConflict"]
    assert not [item for item in aws.items() if item["pk"] == "OTHER"]


def test_a_repeat_with_the_same_key_during_the_first_commit_replays_the_first_answer(
    aws: AwsStandIns, api: ApiClient, conflicts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.dal.call_repository import CallRepository

    conflicts(0.2)  # the second's first tries conflict; a later one finds the first committed
    headers = {"Idempotency-Key": "ext-conflict"}
    first = api.post("/calls/schedule", BODY, headers=headers)
    read = CallRepository.get_idempotency_record
    reads = iter([None])  # the second request looked for the record before the first wrote it

    def looked_early(self: CallRepository, *args: Any) -> Any:
        return next(reads, read(self, *args))

    monkeypatch.setattr(CallRepository, "get_idempotency_record", looked_early)
    second = api.post("/calls/schedule", BODY, headers=headers)
    assert first.status == second.status == 201, second.text
    assert second.json == first.json
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert len(_calls(aws)) == 1
    assert len(aws.schedules()) == 1  # the second's schedule was withdrawn


def test_the_same_consultation_during_the_first_commit_is_a_duplicate(
    aws: AwsStandIns, api: ApiClient, conflicts: Any
) -> None:
    conflicts(0.2)
    first = api.post("/calls/schedule", BODY)
    second = api.post("/calls/schedule", BODY)
    assert first.status == 201
    assert second.status == 409, second.text
    assert second.error["code"] == "duplicate_consultation"
    assert second.error["details"][0]["callId"] == first.data["callId"]
    assert len(_calls(aws)) == 1


def test_a_conflict_that_outlasts_every_pause_is_still_answered_as_the_duplicate(
    aws: AwsStandIns, api: ApiClient, conflicts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shared.dal.call_repository.CONFLICT_PAUSES", (0.01, 0.01))
    conflicts(30)
    headers = {"Idempotency-Key": "ext-long"}
    first = api.post("/calls/schedule", BODY, headers=headers)
    replayed = api.post("/calls/schedule", BODY, headers=headers)
    duplicate = api.post("/calls/schedule", BODY)
    assert first.status == replayed.status == 201
    assert replayed.json == first.json
    assert duplicate.status == 409
    assert duplicate.error["code"] == "duplicate_consultation"
    assert len(_calls(aws)) == 1


def test_two_simultaneous_creates_of_one_call_make_one_call_and_no_500(
    aws: AwsStandIns, api: ApiClient, conflicts: Any
) -> None:
    conflicts(0.2)
    start = threading.Barrier(2)
    answers: list[ApiResponse] = []

    def create(key: str | None) -> None:
        start.wait()
        answers.append(api.post("/calls/schedule", BODY, headers={"Idempotency-Key": key} if key else {}))

    for keys in (["same", "same"], [None, None]):
        answers.clear()
        threads = [threading.Thread(target=create, args=(key,)) for key in keys]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = sorted(answer.status for answer in answers)
        if keys[0]:
            assert statuses == [201, 201]
            assert answers[0].data["callId"] == answers[1].data["callId"]
        else:
            assert statuses == [201, 409]
            assert next(a for a in answers if a.status == 409).error["code"] == "duplicate_consultation"
        conflicts(0.2)  # a fresh window for the next pair
        for answer in answers:
            if answer.status == 201:  # free the consultation for the next pair
                assert api.post(f"/calls/{answer.data['callId']}/cancel").status in {200, 409}
    assert len(_calls(aws)) == 2
