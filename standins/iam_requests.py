"""What IAM checks for an AWS request: its actions, the resources' ARNs and the condition keys, for every operation
the functions (and the event sources that act for their roles) call. An operation not listed here is refused by the
harness, so nothing is let through unchecked.

* DynamoDB: the table's ARN, ``/index/<name>`` for a ``Query``/``Scan`` of an index; batches are checked per table
  (``dynamodb:BatchGetItem``/``BatchWriteItem``); a transaction is no IAM action of its own, each of its items is
  checked as ``PutItem``/``UpdateItem``/``DeleteItem``/``ConditionCheckItem`` (``TransactWriteItems``) or
  ``GetItem`` (``TransactGetItems``), as "Using IAM with DynamoDB transactions" in the DynamoDB guide says.
* DynamoDB Streams (an event source reading for the notices function's role): ``dynamodb:`` actions on the stream's
  ARN (``GetRecords`` names only an iterator: the stream its client last asked an iterator of).
* Scheduler: ``schedule/<group>/<name>``; creating or updating a schedule with a role also passes that role
  (``iam:PassRole``, ``iam:PassedToService`` = ``scheduler.amazonaws.com``).
* Secrets Manager: the secret's ARN (a name gets the six random characters as a wildcard: ``iam_policy``).
* Lambda: ``lambda:InvokeFunction`` on the function's ARN. SES: the From address's identity, with
  ``ses:FromAddress``. SQS: the queue's ARN (from its URL).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from standins.iam_policy import LocalResources


@dataclass(frozen=True)
class Check:
    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)


class UnmappedOperation(Exception):
    """An operation this module does not know how IAM authorizes."""


@dataclass
class ClientMemory:
    """What a client's earlier requests tell about its later ones (the stream a shard iterator belongs to)."""

    stream_arn: str | None = None


Mapper = Callable[[dict[str, Any], LocalResources, ClientMemory], list[Check]]


def _table(local: LocalResources, name: str) -> str:
    return name if name.startswith("arn:") else local.table_arn(name)


def _item(action: str) -> Mapper:
    return lambda params, local, _memory: [Check(action, _table(local, params["TableName"]))]


def _indexed(action: str) -> Mapper:
    def checks(params: dict[str, Any], local: LocalResources, _memory: ClientMemory) -> list[Check]:
        table = _table(local, params["TableName"])
        return [Check(action, f"{table}/index/{params['IndexName']}" if params.get("IndexName") else table)]

    return checks


def _batch(action: str) -> Mapper:
    return lambda params, local, _memory: [Check(action, _table(local, t)) for t in params["RequestItems"]]


TRANSACT_WRITE = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _transact_write(params: dict[str, Any], local: LocalResources, _memory: ClientMemory) -> list[Check]:
    checks = []
    for item in params["TransactItems"]:
        ((kind, body),) = item.items()
        checks.append(Check(f"dynamodb:{TRANSACT_WRITE[kind]}", _table(local, body["TableName"])))
    return checks


def _transact_get(params: dict[str, Any], local: LocalResources, _memory: ClientMemory) -> list[Check]:
    return [Check("dynamodb:GetItem", _table(local, item["Get"]["TableName"])) for item in params["TransactItems"]]


def _stream(action: str) -> Mapper:
    def checks(params: dict[str, Any], _local: LocalResources, memory: ClientMemory) -> list[Check]:
        memory.stream_arn = params["StreamArn"]
        return [Check(action, params["StreamArn"])]

    return checks


def _records(_params: dict[str, Any], _local: LocalResources, memory: ClientMemory) -> list[Check]:
    if memory.stream_arn is None:
        raise UnmappedOperation("GetRecords with an iterator of a stream this client never named")
    return [Check("dynamodb:GetRecords", memory.stream_arn)]


def _schedule(action: str) -> Mapper:
    def checks(params: dict[str, Any], local: LocalResources, _memory: ClientMemory) -> list[Check]:
        group = params.get("GroupName") or "default"
        found = [Check(action, local.arn("scheduler", f"schedule/{group}/{params['Name']}"))]
        role = params.get("Target", {}).get("RoleArn")
        if role and action in ("scheduler:CreateSchedule", "scheduler:UpdateSchedule"):
            found.append(Check("iam:PassRole", role, {"iam:PassedToService": "scheduler.amazonaws.com"}))
        return found

    return checks


def _secret(action: str) -> Mapper:
    return lambda params, local, _memory: [Check(action, local.secret_arn(params["SecretId"]))]


def _invoke(params: dict[str, Any], local: LocalResources, _memory: ClientMemory) -> list[Check]:
    name = params["FunctionName"]
    arn = name if name.startswith("arn:") else local.arn("lambda", f"function:{name}")
    return [Check("lambda:InvokeFunction", arn)]


def _email(action: str) -> Mapper:
    def checks(params: dict[str, Any], local: LocalResources, _memory: ClientMemory) -> list[Check]:
        source = str(params["Source"])
        address = source.rsplit("<", 1)[-1].rstrip(">").strip()  # "Name <a@b>" sends from a@b
        return [Check(action, local.arn("ses", f"identity/{address}"), {"ses:FromAddress": address})]

    return checks


def _queue(action: str) -> Mapper:
    def checks(params: dict[str, Any], local: LocalResources, _memory: ClientMemory) -> list[Check]:
        name = params["QueueUrl"].rstrip("/").rsplit("/", 1)[-1] if "QueueUrl" in params else params["QueueName"]
        return [Check(action, local.arn("sqs", name))]

    return checks


MAPPERS: dict[tuple[str, str], Mapper] = {
    ("dynamodb", "GetItem"): _item("dynamodb:GetItem"),
    ("dynamodb", "PutItem"): _item("dynamodb:PutItem"),
    ("dynamodb", "UpdateItem"): _item("dynamodb:UpdateItem"),
    ("dynamodb", "DeleteItem"): _item("dynamodb:DeleteItem"),
    ("dynamodb", "DescribeTable"): _item("dynamodb:DescribeTable"),
    ("dynamodb", "Query"): _indexed("dynamodb:Query"),
    ("dynamodb", "Scan"): _indexed("dynamodb:Scan"),
    ("dynamodb", "BatchGetItem"): _batch("dynamodb:BatchGetItem"),
    ("dynamodb", "BatchWriteItem"): _batch("dynamodb:BatchWriteItem"),
    ("dynamodb", "TransactWriteItems"): _transact_write,
    ("dynamodb", "TransactGetItems"): _transact_get,
    ("dynamodbstreams", "DescribeStream"): _stream("dynamodb:DescribeStream"),
    ("dynamodbstreams", "GetShardIterator"): _stream("dynamodb:GetShardIterator"),
    ("dynamodbstreams", "GetRecords"): _records,
    ("dynamodbstreams", "ListStreams"): lambda _p, _l, _m: [Check("dynamodb:ListStreams", "*")],
    ("scheduler", "CreateSchedule"): _schedule("scheduler:CreateSchedule"),
    ("scheduler", "UpdateSchedule"): _schedule("scheduler:UpdateSchedule"),
    ("scheduler", "DeleteSchedule"): _schedule("scheduler:DeleteSchedule"),
    ("scheduler", "GetSchedule"): _schedule("scheduler:GetSchedule"),
    ("secretsmanager", "GetSecretValue"): _secret("secretsmanager:GetSecretValue"),
    ("secretsmanager", "DescribeSecret"): _secret("secretsmanager:DescribeSecret"),
    ("lambda", "Invoke"): _invoke,
    ("ses", "SendEmail"): _email("ses:SendEmail"),
    ("ses", "SendRawEmail"): _email("ses:SendRawEmail"),
    ("sqs", "ReceiveMessage"): _queue("sqs:ReceiveMessage"),
    ("sqs", "DeleteMessage"): _queue("sqs:DeleteMessage"),
    ("sqs", "ChangeMessageVisibility"): _queue("sqs:ChangeMessageVisibility"),
    ("sqs", "GetQueueAttributes"): _queue("sqs:GetQueueAttributes"),
    ("sqs", "GetQueueUrl"): _queue("sqs:GetQueueUrl"),
    ("sqs", "SendMessage"): _queue("sqs:SendMessage"),
}


def checks_of(
    service: str, operation: str, params: dict[str, Any], local: LocalResources, memory: ClientMemory
) -> list[Check]:
    """The (action, resource, condition keys) IAM checks for one request; ``UnmappedOperation`` for one not
    listed."""
    mapper = MAPPERS.get((service, operation))
    if mapper is None:
        raise UnmappedOperation(f"{service}.{operation} is not mapped to IAM actions (standins/iam_requests.py)")
    return mapper(params, local, memory)
