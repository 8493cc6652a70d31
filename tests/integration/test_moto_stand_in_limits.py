"""The moto stand-in refuses what DynamoDB refuses (``standins.moto_limits``): expressions over 4 KB or 300 operators,
an ``IN`` of more than 100 operands, oversized placeholders and substitutions; and, moto's own checks, items over
400 KB, transactions of more than 100 items or with two operations on one item, batch reads of more than 100 keys.
A write's answer is made under the stand-in's lock (``standins.moto_atomic``), so it is never torn by another
thread's write."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from standins.moto_limits import count_operators, expression_problem, most_in_operands, tokens_of
from tests.conftest import TABLE, AwsStandIns


def _key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": "ITEM"}}


def _refused(call: Any, **request: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call(**request)
    assert raised.value.response["Error"]["Code"] == "ValidationException", raised.value.response
    return str(raised.value.response["Error"]["Message"])


def _equalities(count: int) -> tuple[str, dict[str, Any]]:
    """A condition of ``count`` equalities ANDed: ``2 * count - 1`` operators."""
    condition = " AND ".join(f"a{index} = :v" for index in range(count))
    return condition, {":v": {"S": "x"}}


def _operators(expression: str, *, update: bool = False) -> int:
    return count_operators(tokens_of(expression), update=update)


def test_operators_are_counted_as_dynamodb_counts_them() -> None:
    assert _operators("SET a = :v1 + :v2 + :v3", update=True) == 2  # the guide's own example
    assert _operators("REMOVE #l.#c0, #l.#c1, #l.#c2", update=True) == 0
    assert _operators("#l.#c0 = :h0 AND #l.#c1 = :h1") == 3
    assert _operators("attribute_exists(#l) AND (attribute_exists(#l.#c) OR size(#l) < :n)") == 6
    assert _operators("#n BETWEEN :a AND :b") == 1
    assert _operators("NOT contains(#tags, :t) AND #s IN (:a, :b)") == 4
    assert most_in_operands(tokens_of("#s IN (:a, :b, :c) OR #t IN (:d)")) == 3


def test_an_expression_over_4_kb_is_refused(aws: AwsStandIns) -> None:
    aws.dynamodb.put_item(TableName=TABLE, Item=_key("A"))
    update = "SET " + ", ".join(f"attribute_number_{index} = :v" for index in range(200))
    assert len(update) > 4096
    message = _refused(
        aws.dynamodb.update_item,
        TableName=TABLE,
        Key=_key("A"),
        UpdateExpression=update,
        ExpressionAttributeValues={":v": {"S": "x"}},
    )
    expected = "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size; expression size: "
    assert message == f"{expected}{len(update)}"
    projection = ", ".join(f"attribute_number_{index}" for index in range(250))
    message = _refused(aws.dynamodb.get_item, TableName=TABLE, Key=_key("A"), ProjectionExpression=projection)
    assert message.startswith("Invalid ProjectionExpression: Expression size has exceeded")
    message = _refused(
        aws.dynamodb.batch_get_item, RequestItems={TABLE: {"Keys": [_key("A")], "ProjectionExpression": projection}}
    )
    assert message.startswith("Invalid ProjectionExpression")


def test_more_than_300_operators_are_refused_and_300_are_not(aws: AwsStandIns) -> None:
    aws.dynamodb.put_item(TableName=TABLE, Item={**_key("A"), **{f"a{i}": {"S": "x"} for i in range(151)}})
    allowed, values = _equalities(150)  # 299 operators
    aws.dynamodb.update_item(
        TableName=TABLE,
        Key=_key("A"),
        UpdateExpression="SET b = :v",
        ConditionExpression=allowed,
        ExpressionAttributeValues=values,
    )
    too_many, values = _equalities(151)  # 301
    assert len(too_many) < 4096
    for call, request in (
        (aws.dynamodb.update_item, {"Key": _key("A"), "UpdateExpression": "SET b = :v"}),
        (aws.dynamodb.put_item, {"Item": _key("A")}),
        (aws.dynamodb.delete_item, {"Key": _key("A")}),
    ):
        message = _refused(
            call, TableName=TABLE, ConditionExpression=too_many, ExpressionAttributeValues=values, **request
        )
        assert message.startswith("Invalid ConditionExpression: The expression contains too many operators")
        assert message.endswith("operator count: 301")
    message = _refused(aws.dynamodb.scan, TableName=TABLE, FilterExpression=too_many, ExpressionAttributeValues=values)
    assert message.startswith("Invalid FilterExpression")
    message = _refused(
        aws.dynamodb.query,
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        FilterExpression=too_many,
        ExpressionAttributeValues={**values, ":pk": {"S": "A"}},
    )
    assert message.startswith("Invalid FilterExpression")
    message = _refused(
        aws.dynamodb.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": _key("B")}},
            {
                "ConditionCheck": {
                    "TableName": TABLE,
                    "Key": _key("A"),
                    "ConditionExpression": too_many,
                    "ExpressionAttributeValues": values,
                }
            },
        ],
    )
    assert message.startswith("Invalid ConditionExpression: The expression contains too many operators")
    assert "Item" not in aws.dynamodb.get_item(TableName=TABLE, Key=_key("B"))


def test_an_in_of_more_than_100_operands_is_refused(aws: AwsStandIns) -> None:
    def scan(count: int) -> Any:
        values = {f":v{index}": {"S": str(index)} for index in range(count)}
        return aws.dynamodb.scan(
            TableName=TABLE, FilterExpression=f"pk IN ({', '.join(values)})", ExpressionAttributeValues=values
        )

    scan(100)
    with pytest.raises(ClientError) as raised:
        scan(101)
    assert raised.value.response["Error"]["Message"] == (
        "Invalid FilterExpression: The IN operator is provided with too many operands; number of operands: 101"
    )


def test_placeholders_over_255_bytes_and_substitutions_over_2_mb_are_refused(aws: AwsStandIns) -> None:
    long_name = "#" + "n" * 255
    message = _refused(
        aws.dynamodb.update_item,
        TableName=TABLE,
        Key=_key("A"),
        UpdateExpression=f"SET {long_name} = :v",
        ExpressionAttributeNames={long_name: "b"},
        ExpressionAttributeValues={":v": {"S": "x"}},
    )
    assert message.startswith("ExpressionAttributeNames contains invalid key")
    huge = {f":v{index}": {"S": "x" * 300_000} for index in range(8)}
    message = _refused(
        aws.dynamodb.put_item,
        TableName=TABLE,
        Item=_key("A"),
        ConditionExpression=" OR ".join(f"b = {name}" for name in huge),
        ExpressionAttributeValues=huge,
    )
    assert message.startswith("Expression attribute names and values exceed the maximum allowed size of 2 MB")


def test_an_item_over_400_kb_is_refused_by_moto_as_by_dynamodb(aws: AwsStandIns) -> None:
    big = {"S": "x" * (400 * 1024)}
    message = _refused(aws.dynamodb.put_item, TableName=TABLE, Item={**_key("A"), "body": big})
    assert message == "Item size has exceeded the maximum allowed size"
    aws.dynamodb.put_item(TableName=TABLE, Item={**_key("A"), "body": {"S": "x" * (300 * 1024)}})
    message = _refused(
        aws.dynamodb.update_item,
        TableName=TABLE,
        Key=_key("A"),
        UpdateExpression="SET more = :v",
        ExpressionAttributeValues={":v": {"S": "y" * (150 * 1024)}},
    )
    assert message == "Item size to update has exceeded the maximum allowed size"


def test_transaction_and_batch_sizes_are_refused_by_moto_as_by_dynamodb(aws: AwsStandIns) -> None:
    puts = [{"Put": {"TableName": TABLE, "Item": _key(f"T{index}")}} for index in range(101)]
    message = _refused(aws.dynamodb.transact_write_items, TransactItems=puts)
    assert "less than or equal to 100" in message
    twice = [{"Put": {"TableName": TABLE, "Item": _key("T")}}, {"Delete": {"TableName": TABLE, "Key": _key("T")}}]
    message = _refused(aws.dynamodb.transact_write_items, TransactItems=twice)
    assert message == "Transaction request cannot include multiple operations on one item"
    keys = [_key(f"K{index}") for index in range(101)]
    message = _refused(aws.dynamodb.batch_get_item, RequestItems={TABLE: {"Keys": keys}})
    assert "less than or equal to 100" in message


def test_within_every_limit_nothing_is_refused() -> None:
    assert expression_problem("Update", "SET a = :v") is None
    assert expression_problem("Condition", "attribute_not_exists(#pk) OR #ttl <= :now") is None
    assert expression_problem("KeyCondition", "#pk = :pk AND #sk BETWEEN :low AND :high") is None


def test_a_write_answer_is_not_torn_by_another_threads_write(aws: AwsStandIns) -> None:
    """moto made ``update_item``'s answer (``ALL_NEW``) from the live item after its lock was released: a thread
    adding to the same map meanwhile failed it with "dictionary changed size during iteration" (a 500)."""
    aws.dynamodb.put_item(TableName=TABLE, Item={**_key("POOL"), "leases": {"M": {}}})
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def churn(thread: int) -> None:
        start.wait()
        for index in range(150):
            try:
                answer = aws.dynamodb.update_item(
                    TableName=TABLE,
                    Key=_key("POOL"),
                    UpdateExpression="SET leases.#c = :v",
                    ExpressionAttributeNames={"#c": f"t{thread}-{index}"},
                    ExpressionAttributeValues={":v": {"L": [{"N": str(index)}, {"N": "1"}, {"N": "1"}]}},
                    ReturnValues="ALL_NEW",
                )
                assert f"t{thread}-{index}" in answer["Attributes"]["leases"]["M"]
            except BaseException as error:
                failures.append(error)

    threads = [threading.Thread(target=churn, args=(thread,)) for thread in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
