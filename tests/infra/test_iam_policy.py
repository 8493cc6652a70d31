"""The IAM evaluator the harness checks every function's request with (``standins/iam_policy.py``) and the mapping of
requests to what IAM checks (``standins/iam_requests.py``): statements, wildcards, Deny, conditions (an operator it
does not know refuses), intrinsics resolved onto the local resources, and operations it does not know."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from standins import iam_harness
from standins.aws_resources import FAKE_CREDENTIALS
from standins.iam_policy import LocalResources, PolicyError, RolePolicy, condition_holds, role_policies
from standins.iam_requests import ClientMemory, UnmappedOperation, checks_of
from standins.stack_template import LOCAL_DEPLOYMENT_CONTEXT, local_deployment_template

REGION, ACCOUNT = "us-east-1", "123456789012"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/calls-test"
ENVIRONMENT = {
    "TABLE_NAME": "calls-test",
    "SCHEDULE_GROUP_NAME": "discharge-calls-test",
    "EXECUTE_FUNCTION_ARN": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:discharge-calls-test-execute",
    "SCHEDULER_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/discharge-calls-test-scheduler",
    "SCHEDULER_DLQ_ARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:discharge-calls-test-dlq",
    "RETELL_SECRET_NAME": "discharge-calls-test/retell-api-key",
    "PAGE_TOKEN_SECRET_NAME": "discharge-calls-test/page-token-key",
    "NOTIFICATION_SENDER": LOCAL_DEPLOYMENT_CONTEXT["notificationSender"],
}
LOCAL = LocalResources.of(ENVIRONMENT, REGION, ACCOUNT)


def template_with(*statements: dict[str, Any]) -> dict[str, Any]:
    """A template of one function (``api``) whose role has ``statements``, and the stack's table."""
    return {
        "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
            "Policy": {
                "Type": "AWS::IAM::Policy",
                "Properties": {"PolicyDocument": {"Statement": list(statements)}, "Roles": [{"Ref": "Role"}]},
            },
            "Function": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Handler": "api.handler.lambda_handler",
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Environment": {"Variables": {"TABLE_NAME": {"Ref": "Table"}}},
                },
            },
        }
    }


def policy(*statements: dict[str, Any]) -> RolePolicy:
    return role_policies(template_with(*statements), LOCAL)["api"]


TABLE = {"Fn::GetAtt": ["Table", "Arn"]}


class TestStatements:
    def test_a_statement_allows_its_actions_on_its_resources_only(self) -> None:
        role = policy({"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": TABLE})
        assert role.evaluate("dynamodb:GetItem", TABLE_ARN).allowed
        assert role.evaluate("DynamoDB:getitem", TABLE_ARN).allowed  # actions ignore case
        assert not role.evaluate("dynamodb:PutItem", TABLE_ARN).allowed
        assert not role.evaluate("dynamodb:GetItem", TABLE_ARN.replace("calls-test", "other")).allowed

    def test_a_deny_wins_over_any_allow(self) -> None:
        role = policy(
            {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": TABLE},
        )
        assert role.evaluate("dynamodb:PutItem", TABLE_ARN).allowed
        decision = role.evaluate("dynamodb:DeleteItem", TABLE_ARN)
        assert (decision.allowed, decision.reason) == (False, "an explicit Deny")

    def test_wildcards_in_actions_and_resources(self) -> None:
        index = {"Fn::Join": ["", [TABLE, "/index/gsi?"]]}
        role = policy({"Effect": "Allow", "Action": "dynamodb:Q*", "Resource": index})
        assert role.evaluate("dynamodb:Query", f"{TABLE_ARN}/index/gsi3").allowed
        assert not role.evaluate("dynamodb:Query", f"{TABLE_ARN}/index/gsi10").allowed  # ? is one character
        assert not role.evaluate("dynamodb:Query", TABLE_ARN).allowed
        assert not role.evaluate("dynamodb:Scan", f"{TABLE_ARN}/index/gsi3").allowed

    def test_not_action_and_not_resource(self) -> None:
        role = policy(
            {"Effect": "Allow", "NotAction": "dynamodb:DeleteItem", "Resource": TABLE},
            {"Effect": "Deny", "Action": "*", "NotResource": TABLE},
        )
        assert role.evaluate("dynamodb:PutItem", TABLE_ARN).allowed
        assert not role.evaluate("dynamodb:DeleteItem", TABLE_ARN).allowed
        assert not role.evaluate("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:q").allowed

    def test_nothing_allows_what_no_statement_names(self) -> None:
        decision = policy().evaluate("dynamodb:GetItem", TABLE_ARN)
        assert (decision.allowed, decision.reason) == (False, "no statement allows it")

    def test_the_grant_that_allowed_is_named_as_the_template_writes_it(self) -> None:
        role = policy({"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": TABLE})
        (grant,) = role.evaluate("dynamodb:PutItem", TABLE_ARN).grants
        assert (grant.action, grant.resource) == ("dynamodb:PutItem", "${Table.Arn}")


class TestConditions:
    SES = {
        "Effect": "Allow",
        "Action": "ses:SendEmail",
        "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*"},
        "Condition": {"StringEquals": {"ses:FromAddress": "notices@discharge-calls.local"}},
    }
    PASS_ROLE = {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": "*",
        "Condition": {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
    }

    def test_ses_only_from_the_sender(self) -> None:
        role = policy(self.SES)
        identity = f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/notices@discharge-calls.local"
        assert role.evaluate("ses:SendEmail", identity, {"ses:FromAddress": "notices@discharge-calls.local"}).allowed
        assert not role.evaluate("ses:SendEmail", identity, {"ses:FromAddress": "someone@else.example"}).allowed
        assert not role.evaluate("ses:SendEmail", identity, {}).allowed  # a missing key matches no StringEquals

    def test_a_role_passed_only_to_scheduler(self) -> None:
        role = policy(self.PASS_ROLE)
        scheduler_role = ENVIRONMENT["SCHEDULER_ROLE_ARN"]
        assert role.evaluate("iam:PassRole", scheduler_role, {"iam:PassedToService": "scheduler.amazonaws.com"}).allowed
        assert not role.evaluate(
            "iam:PassRole", scheduler_role, {"iam:PassedToService": "lambda.amazonaws.com"}
        ).allowed

    def test_an_operator_not_understood_refuses_whatever_the_effect(self) -> None:
        statement = {**self.PASS_ROLE, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}
        decision = policy(statement).evaluate("iam:PassRole", "arn:aws:iam::1:role/r", {})
        assert not decision.allowed
        assert "DateGreaterThan" in decision.reason
        with pytest.raises(PolicyError):
            condition_holds("ForAnyValue:StringEquals", "k", ["v"], {"k": "v"})

    @pytest.mark.parametrize(
        ("operator", "values", "context", "holds"),
        [
            ("StringLike", ["notices@*"], {"k": "notices@x.local"}, True),
            ("StringNotEquals", ["a"], {"k": "b"}, True),
            ("StringNotEquals", ["a"], {}, True),  # a negated operator holds for a missing key
            ("StringEqualsIfExists", ["a"], {}, True),
            ("ArnLike", ["arn:aws:iam::*:role/*"], {"k": "arn:aws:iam::1:role/r"}, True),
            ("Bool", ["true"], {"k": True}, True),
            ("Bool", ["true"], {"k": False}, False),
            ("Null", ["true"], {}, True),
            ("Null", ["false"], {}, False),
        ],
    )
    def test_operators(self, operator: str, values: list[str], context: dict[str, Any], holds: bool) -> None:
        assert condition_holds(operator, "k", values, context) is holds


class TestRequests:
    def check(self, service: str, operation: str, **params: Any) -> list[tuple[str, str, dict[str, str]]]:
        return [
            (c.action, c.resource, dict(c.context))
            for c in checks_of(service, operation, params, LOCAL, ClientMemory())
        ]

    def test_a_transaction_is_checked_per_item_as_the_underlying_actions(self) -> None:
        items = [
            {"Put": {"TableName": "calls-test"}},
            {"Update": {"TableName": "calls-test"}},
            {"Delete": {"TableName": "calls-test"}},
            {"ConditionCheck": {"TableName": "calls-test"}},
        ]
        actions = [action for action, _, _ in self.check("dynamodb", "TransactWriteItems", TransactItems=items)]
        assert actions == [
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:ConditionCheckItem",
        ]

    def test_a_query_of_an_index_is_checked_on_the_index(self) -> None:
        (check,) = self.check("dynamodb", "Query", TableName="calls-test", IndexName="gsi3")
        assert check[:2] == ("dynamodb:Query", f"{TABLE_ARN}/index/gsi3")

    def test_a_schedule_with_a_role_passes_that_role_to_scheduler(self) -> None:
        role = ENVIRONMENT["SCHEDULER_ROLE_ARN"]
        schedule, passing = self.check(
            "scheduler", "CreateSchedule", Name="call-1", GroupName="g", Target={"RoleArn": role}
        )
        assert schedule[:2] == ("scheduler:CreateSchedule", f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/g/call-1")
        assert passing == ("iam:PassRole", role, {"iam:PassedToService": "scheduler.amazonaws.com"})

    def test_an_email_is_checked_on_its_sender(self) -> None:
        (check,) = self.check("ses", "SendEmail", Source="Clinic <notices@discharge-calls.local>")
        assert check == (
            "ses:SendEmail",
            f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/notices@discharge-calls.local",
            {"ses:FromAddress": "notices@discharge-calls.local"},
        )

    def test_an_operation_not_mapped_fails(self) -> None:
        with pytest.raises(UnmappedOperation, match=r"dynamodb\.DeleteTable"):
            self.check("dynamodb", "DeleteTable", TableName="calls-test")


@pytest.fixture(scope="module")
def roles() -> dict[str, RolePolicy]:
    return role_policies(local_deployment_template(), LOCAL)


class TestTheStack:
    """The synthesized stack's roles (the local deployment's: it names a sender), resolved onto the test resources."""

    def test_every_function_has_its_role(self, roles: dict[str, RolePolicy]) -> None:
        assert set(roles) == {"api", "execute", "retell_webhook", "reconcile", "notices"}

    def test_the_resources_resolve_to_the_local_ones(self, roles: dict[str, RolePolicy]) -> None:
        schedule = f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/discharge-calls-test/call-x-a1-t"
        secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:discharge-calls-test/retell-api-key-AbCdEf"
        for function in roles:
            assert roles[function].evaluate("scheduler:CreateSchedule", schedule).allowed is (function != "notices")
            assert roles[function].evaluate("secretsmanager:GetSecretValue", secret).allowed is (function != "notices")
        assert roles["api"].evaluate("lambda:InvokeFunction", ENVIRONMENT["EXECUTE_FUNCTION_ARN"]).allowed
        assert not roles["execute"].evaluate("lambda:InvokeFunction", ENVIRONMENT["EXECUTE_FUNCTION_ARN"]).allowed
        assert roles["notices"].evaluate("dynamodb:GetRecords", f"{TABLE_ARN}/stream/2026-11-23T16:00:00.000").allowed
        assert roles["reconcile"].evaluate("sqs:ReceiveMessage", ENVIRONMENT["SCHEDULER_DLQ_ARN"]).allowed

    def test_the_two_grants_fixed_by_hand(self, roles: dict[str, RolePolicy]) -> None:
        assert roles["notices"].evaluate("dynamodb:UpdateItem", TABLE_ARN).allowed
        assert roles["api"].evaluate("dynamodb:Query", f"{TABLE_ARN}/index/gsi3").allowed
        assert not roles["api"].evaluate("dynamodb:Query", f"{TABLE_ARN}/index/gsi2").allowed
        assert not roles["api"].evaluate("dynamodb:Scan", TABLE_ARN).allowed

    def test_only_the_api_finds_a_numbers_calls_and_only_the_reconciler_reads_the_retention_partitions(
        self, roles: dict[str, RolePolicy]
    ) -> None:
        assert roles["api"].evaluate("dynamodb:Query", f"{TABLE_ARN}/index/gsi4").allowed
        assert roles["reconcile"].evaluate("dynamodb:Query", f"{TABLE_ARN}/index/gsi2").allowed
        for function in ("execute", "retell_webhook", "notices", "reconcile"):
            assert not roles[function].evaluate("dynamodb:Query", f"{TABLE_ARN}/index/gsi4").allowed
        assert roles["reconcile"].evaluate("dynamodb:DeleteItem", TABLE_ARN).allowed  # a call past its callDays

    def test_the_answer_counts_are_read_where_best_time_is_chosen(self, roles: dict[str, RolePolicy]) -> None:
        # the API (the answer-rates page, a window), the webhook and the reconciler (a retry moved to a better hour)
        for function in ("api", "retell_webhook", "reconcile"):
            assert roles[function].evaluate("dynamodb:Query", TABLE_ARN).allowed
        assert not roles["execute"].evaluate("dynamodb:Query", TABLE_ARN).allowed


class TestAttribution:
    def test_a_client_made_as_a_function_is_checked_in_any_thread_and_others_are_not(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name, value in {**ENVIRONMENT, **FAKE_CREDENTIALS}.items():
            monkeypatch.setenv(name, value)
        iam_harness.install()
        key = {"pk": {"S": "x"}, "sk": {"S": "y"}}
        with mock_aws():
            with iam_harness.acting_as("notices"):
                notices_client = boto3.client("dynamodb", region_name=REGION)
            errors: list[BaseException] = []

            def delete() -> None:  # in another thread, where no function acts
                try:
                    notices_client.delete_item(TableName="calls-test", Key=key)
                except BaseException as error:
                    errors.append(error)

            with iam_harness.refusals_expected() as refused:
                thread = threading.Thread(target=delete)
                thread.start()
                thread.join()
            (refusal,) = refused
            assert [str(e) for e in errors] == [str(refusal)]
            assert (refusal.function, refusal.action, refusal.resource) == ("notices", "dynamodb:DeleteItem", TABLE_ARN)
            assert str(refusal).startswith("IAM: the notices function's role may not dynamodb:DeleteItem on arn:")
            # The test's own client is not checked: moto answers it (there is no table).
            with pytest.raises(ClientError, match="ResourceNotFound"):
                boto3.client("dynamodb", region_name=REGION).delete_item(TableName="calls-test", Key=key)
