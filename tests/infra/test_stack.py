"""The synthesized stack: every resource the system needs, with the properties that make it safe (encryption,
recovery, least privilege, retries, dead letters, an authorizer on every private route), cdk-nag clean with a
reason for each acknowledgement, and cfn-lint clean."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra.routes import ROUTES
from standins.stack_template import resources_of_type, synthesized_template


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return synthesized_template()


@pytest.fixture(scope="module")
def assertions(template: dict[str, Any]) -> Template:
    return Template.from_json(template)


def one(template: dict[str, Any], resource_type: str, **where: Any) -> dict[str, Any]:
    matches = [
        r
        for r in resources_of_type(template, resource_type).values()
        if all(r["Properties"].get(k) == v for k, v in where.items())
    ]
    assert len(matches) == 1, f"{len(matches)} {resource_type} match {where}"
    return matches[0]


COPIER = "CustomCDKBucketDeployment"
"""CDK's BucketDeployment function and role (deploy time only: it copies the dashboard's files), not the system's."""


def ours(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """The resources of a type that the system runs on, without CDK's deploy-time file copier."""
    return {name: r for name, r in resources_of_type(template, resource_type).items() if not name.startswith(COPIER)}


def logical_id(template: dict[str, Any], resource_type: str, prefix: str) -> str:
    (name,) = [n for n in resources_of_type(template, resource_type) if n.startswith(prefix)]
    return name


def policy_statements(template: dict[str, Any], role_prefix: str) -> list[dict[str, Any]]:
    role = logical_id(template, "AWS::IAM::Role", role_prefix)
    statements: list[dict[str, Any]] = []
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def actions_of(statements: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for statement in statements:
        value = statement["Action"]
        actions |= {value} if isinstance(value, str) else set(value)
    return actions


class TestData:
    def test_the_table_is_encrypted_recoverable_and_retained(self, template: dict[str, Any]) -> None:
        (table,) = resources_of_type(template, "AWS::DynamoDB::Table").values()
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"]["SSEType"] == "KMS"
        assert "Fn::GetAtt" in props["SSESpecification"]["KMSMasterKeyId"]  # the stack's own key
        assert props["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
        assert props["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == "Retain"
        assert [gsi["IndexName"] for gsi in props["GlobalSecondaryIndexes"]] == ["gsi1", "gsi2", "gsi3", "gsi4"]
        (gsi4,) = [g for g in props["GlobalSecondaryIndexes"] if g["IndexName"] == "gsi4"]
        assert gsi4["Projection"] == {"ProjectionType": "KEYS_ONLY"}  # an erasure reads each call by its key

    def test_the_key_rotates_and_the_secrets_hold_no_value_in_the_template(
        self, template: dict[str, Any], assertions: Template
    ) -> None:
        assertions.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
        secrets = resources_of_type(template, "AWS::SecretsManager::Secret")
        retell = secrets[logical_id(template, "AWS::SecretsManager::Secret", "RetellApiKey")]
        assert "SecretString" not in retell["Properties"]
        assert retell["DeletionPolicy"] == "Retain"
        paging = secrets[logical_id(template, "AWS::SecretsManager::Secret", "PageTokenKey")]
        assert "SecretString" not in paging["Properties"]
        assert paging["Properties"]["GenerateSecretString"]["PasswordLength"] == 64


class TestFunctions:
    def test_five_functions_on_one_runtime_and_architecture(self, template: dict[str, Any]) -> None:
        functions = ours(template, "AWS::Lambda::Function").values()
        assert sorted(f["Properties"]["Handler"] for f in functions) == [
            "api.handler.lambda_handler",
            "execute.handler.lambda_handler",
            "notices.handler.lambda_handler",
            "reconcile.handler.lambda_handler",
            "retell_webhook.handler.lambda_handler",
        ]
        for function in functions:
            props = function["Properties"]
            assert props["Runtime"] == "python3.13"
            assert props["Architectures"] == ["arm64"]
            assert props["TracingConfig"] == {"Mode": "Active"}
            assert props["LoggingConfig"]["LogFormat"] == "JSON"
            assert "LogGroup" in props["LoggingConfig"]
            assert len(props["Layers"]) == 2
            env = props["Environment"]["Variables"]
            if props["Handler"].startswith("notices."):  # never places a schedule; only the table and its channels
                assert {"TABLE_NAME", "NOTIFICATION_SENDER", "DASHBOARD_URL"} <= set(env)
            else:
                assert {"TABLE_NAME", "SCHEDULE_GROUP_NAME", "EXECUTE_FUNCTION_ARN", "SCHEDULER_ROLE_ARN"} <= set(env)
            assert env["POWERTOOLS_SERVICE_NAME"] == "discharge-call-scheduler"

    def test_log_groups_have_retention(self, template: dict[str, Any]) -> None:
        groups = resources_of_type(template, "AWS::Logs::LogGroup").values()
        assert len(groups) == 6  # five functions and the API's access logs
        assert {g["Properties"]["RetentionInDays"] for g in groups} == {30}

    def test_execute_is_never_retried_by_lambda_and_failures_are_kept(self, template: dict[str, Any]) -> None:
        (config,) = resources_of_type(template, "AWS::Lambda::EventInvokeConfig").values()
        props = config["Properties"]
        assert props["MaximumRetryAttempts"] == 0
        assert "OnFailure" in props["DestinationConfig"]
        execute = logical_id(template, "AWS::Lambda::Function", "ExecuteFunction")
        assert props["FunctionName"] == {"Ref": execute}

    def test_execute_holds_one_whole_dial_and_the_reconciler_waits_longer(self, template: dict[str, Any]) -> None:
        from shared.domain.dialing import CREATE_CALL_BUDGET
        from shared.domain.reconciliation import DIAL_SETTLE, EXECUTE_TIMEOUT

        execute = template["Resources"][logical_id(template, "AWS::Lambda::Function", "ExecuteFunction")]
        timeout = execute["Properties"]["Timeout"]
        assert timeout == EXECUTE_TIMEOUT.total_seconds()
        assert CREATE_CALL_BUDGET.total_seconds() + 50 <= timeout < DIAL_SETTLE.total_seconds()

    def test_the_apis_questions_to_retell_end_well_before_its_timeout(self, template: dict[str, Any]) -> None:
        from shared.bootstrap.api import API_TIMEOUT_SECONDS, RETELL_QUESTIONS

        api = template["Resources"][logical_id(template, "AWS::Lambda::Function", "ApiFunction")]
        assert api["Properties"]["Timeout"] == API_TIMEOUT_SECONDS
        assert RETELL_QUESTIONS.total_seconds <= API_TIMEOUT_SECONDS / 2

    @pytest.mark.parametrize(
        ("secret", "readers"),
        [
            ("RetellApiKey", {"ExecuteRole", "RetellWebhookRole", "ApiRole", "ReconcileRole"}),
            ("PageTokenKey", {"ApiRole"}),
        ],
    )
    def test_each_secret_is_read_only_by_the_functions_that_need_it(
        self, template: dict[str, Any], secret: str, readers: set[str]
    ) -> None:
        secret_ref = {"Ref": logical_id(template, "AWS::SecretsManager::Secret", secret)}
        for role in ("ApiRole", "ExecuteRole", "RetellWebhookRole"):
            reads = any(
                "secretsmanager:GetSecretValue" in actions_of([statement]) and statement["Resource"] == secret_ref
                for statement in policy_statements(template, role)
            )
            assert reads is (role in readers), (secret, role)

    def test_function_roles_have_no_managed_policies(self, template: dict[str, Any]) -> None:
        for name, role in ours(template, "AWS::IAM::Role").items():
            assert "ManagedPolicyArns" not in role["Properties"], name

    def test_schedules_are_confined_to_the_group_and_pass_only_the_scheduler_role(
        self, template: dict[str, Any]
    ) -> None:
        scheduler_role = logical_id(template, "AWS::IAM::Role", "SchedulerRole")
        for role in ("ApiRole", "ExecuteRole", "RetellWebhookRole"):
            statements = policy_statements(template, role)
            (schedules,) = [s for s in statements if "scheduler:CreateSchedule" in s["Action"]]
            assert "schedule/" in json.dumps(schedules["Resource"])
            assert "*" not in actions_of([schedules])
            (pass_role,) = [s for s in statements if s["Action"] == "iam:PassRole"]
            assert pass_role["Resource"] == {"Fn::GetAtt": [scheduler_role, "Arn"]}
            assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}
            assert "dynamodb:Scan" not in actions_of(statements)

    def test_the_scheduler_role_may_invoke_only_execute(self, template: dict[str, Any]) -> None:
        (role,) = [r for n, r in resources_of_type(template, "AWS::IAM::Role").items() if n.startswith("Scheduler")]
        trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
        assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
        assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]
        statements = policy_statements(template, "SchedulerRole")
        (invoke,) = [s for s in statements if s["Action"] == "lambda:InvokeFunction"]
        assert "function:" in json.dumps(invoke["Resource"])
        assert "-execute" in json.dumps(invoke["Resource"])
        assert actions_of(statements) <= {
            "lambda:InvokeFunction",
            "sqs:SendMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
        }


class TestApi:
    def test_every_route_of_the_route_table_exists_with_the_right_authorization(self, template: dict[str, Any]) -> None:
        routes = {
            r["Properties"]["RouteKey"]: r["Properties"].get("AuthorizationType", "NONE")
            for r in resources_of_type(template, "AWS::ApiGatewayV2::Route").values()
        }
        expected = {f"{r.method} {r.path}": ("NONE" if r.public else "JWT") for r in ROUTES}
        assert routes == expected

    def test_the_authorizer_trusts_the_user_pool_and_its_client(self, template: dict[str, Any]) -> None:
        (authorizer,) = resources_of_type(template, "AWS::ApiGatewayV2::Authorizer").values()
        props = authorizer["Properties"]
        assert props["AuthorizerType"] == "JWT"
        assert "cognito-idp" in json.dumps(props["JwtConfiguration"]["Issuer"])
        client = logical_id(template, "AWS::Cognito::UserPoolClient", "Users")
        assert props["JwtConfiguration"]["Audience"] == [{"Ref": client}]

    def test_the_stage_throttles_and_logs_access(self, template: dict[str, Any]) -> None:
        (stage,) = resources_of_type(template, "AWS::ApiGatewayV2::Stage").values()
        props = stage["Properties"]
        assert props["StageName"] == "$default"
        assert props["DefaultRouteSettings"]["ThrottlingRateLimit"] == 50
        assert props["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 100
        assert "DestinationArn" in props["AccessLogSettings"]

    def test_the_api_function_has_each_clinics_request_budget(self, template: dict[str, Any]) -> None:
        """The stage's throttle is shared by every clinic; each clinic's budget (20 requests/s over 10 s by default)
        keeps one clinic from using it all."""
        (api,) = [
            f
            for f in resources_of_type(template, "AWS::Lambda::Function").values()
            if f["Properties"].get("Handler") == "api.handler.lambda_handler"
        ]
        env = api["Properties"]["Environment"]["Variables"]
        assert (env["CLINIC_REQUESTS_PER_SECOND"], env["CLINIC_BUDGET_WINDOW_SECONDS"]) == ("20", "10")

    def test_public_routes_have_throttles_of_their_own(self, template: dict[str, Any]) -> None:
        """A flood of /health or of forged webhooks uses up that route's bucket, not the clinics' nor Retell's."""
        (stage_id,) = resources_of_type(template, "AWS::ApiGatewayV2::Stage")
        settings = template["Resources"][stage_id]["Properties"]["RouteSettings"]
        assert settings == {
            "GET /health": {"ThrottlingRateLimit": 5, "ThrottlingBurstLimit": 10},
            "POST /webhooks/retell": {"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100},
        }
        routes = {
            logical: route["Properties"]["RouteKey"]
            for logical, route in resources_of_type(template, "AWS::ApiGatewayV2::Route").items()
        }
        made_first = {routes[logical] for logical in template["Resources"][stage_id]["DependsOn"] if logical in routes}
        assert set(settings) <= made_first  # CloudFormation refuses settings for a route that does not exist yet

    def test_the_webhook_has_concurrency_kept_for_it(self, template: dict[str, Any]) -> None:
        webhook = template["Resources"][logical_id(template, "AWS::Lambda::Function", "RetellWebhook")]
        assert webhook["Properties"]["ReservedConcurrentExecutions"] == 10

    def test_users_carry_a_clinic_and_admins_a_group(self, template: dict[str, Any]) -> None:
        (pool,) = resources_of_type(template, "AWS::Cognito::UserPool").values()
        schema = {a["Name"]: a for a in pool["Properties"]["Schema"]}
        assert schema["clinic_id"]["Mutable"] is False
        assert pool["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
        one(template, "AWS::Cognito::UserPoolGroup", GroupName="admin")
        (client,) = resources_of_type(template, "AWS::Cognito::UserPoolClient").values()
        assert client["Properties"]["GenerateSecret"] is False
        assert "custom:clinic_id" not in client["Properties"]["WriteAttributes"]

    def test_every_user_signs_in_with_a_required_authenticator_code(self, template: dict[str, Any]) -> None:
        (pool,) = resources_of_type(template, "AWS::Cognito::UserPool").values()
        assert pool["Properties"]["MfaConfiguration"] == "ON"
        assert pool["Properties"]["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]

    def test_the_app_client_signs_in_with_srp_only_and_its_refresh_token_lasts_a_day(
        self, template: dict[str, Any]
    ) -> None:
        (client,) = resources_of_type(template, "AWS::Cognito::UserPoolClient").values()
        assert sorted(client["Properties"]["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
        assert client["Properties"]["RefreshTokenValidity"] == 60 * 24
        assert client["Properties"]["TokenValidityUnits"]["RefreshToken"] == "minutes"

    def test_threat_protection_is_on_unless_the_deployment_turns_it_off(self, template: dict[str, Any]) -> None:
        from app import STACK_NAME, build_app

        (pool,) = resources_of_type(template, "AWS::Cognito::UserPool").values()
        assert pool["Properties"]["UserPoolTier"] == "PLUS"
        assert pool["Properties"]["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
        app = build_app(context={"aws:cdk:bundling-stacks": [], "threatProtection": "false"})
        (cheaper,) = resources_of_type(
            app.synth().get_stack_by_name(STACK_NAME).template, "AWS::Cognito::UserPool"
        ).values()
        assert cheaper["Properties"]["UserPoolTier"] == "ESSENTIALS"
        assert "UserPoolAddOns" not in cheaper["Properties"]
        assert cheaper["Properties"]["MfaConfiguration"] == "ON"

    def test_cors_is_limited_to_configured_origins(self) -> None:
        from app import STACK_NAME, build_app

        origins = ["chrome-extension://abcdefghijklmnopabcdefghijklmnop"]
        app = build_app(context={"aws:cdk:bundling-stacks": [], "allowedOrigins": json.dumps(origins)})
        template = app.synth().get_stack_by_name(STACK_NAME).template
        (api,) = resources_of_type(template, "AWS::ApiGatewayV2::Api").values()
        distribution = logical_id(template, "AWS::CloudFront::Distribution", "ClinicDashboard")
        dashboard = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}]]}
        assert api["Properties"]["CorsConfiguration"]["AllowOrigins"] == [*origins, dashboard]


def notices_template(**context: str) -> dict[str, Any]:
    from app import STACK_NAME, build_app

    app = build_app(context={"aws:cdk:bundling-stacks": [], **context})
    return dict(app.synth().get_stack_by_name(STACK_NAME).template)


class TestNotices:
    def test_the_table_streams_both_images_and_indexes_follow_ups(self, template: dict[str, Any]) -> None:
        (table,) = resources_of_type(template, "AWS::DynamoDB::Table").values()
        props = table["Properties"]
        assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
        (gsi3,) = [g for g in props["GlobalSecondaryIndexes"] if g["IndexName"] == "gsi3"]
        assert [k["AttributeName"] for k in gsi3["KeySchema"]] == ["gsi3pk", "gsi3sk"]

    def test_the_stream_feeds_the_notices_function_with_partial_failures_bisection_and_a_dead_letter_queue(
        self, template: dict[str, Any]
    ) -> None:
        notices = logical_id(template, "AWS::Lambda::Function", "NoticesFunction")
        (mapping,) = [
            m
            for m in resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
            if m["Properties"]["FunctionName"] == {"Ref": notices}
        ]
        props = mapping["Properties"]
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert props["BisectBatchOnFunctionError"] is True
        assert props["MaximumRetryAttempts"] == 10
        failures = logical_id(template, "AWS::SQS::Queue", "NoticesStreamFailures")
        assert props["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": [failures, "Arn"]}
        table = logical_id(template, "AWS::DynamoDB::Table", "CallsTable")
        assert props["EventSourceArn"] == {"Fn::GetAtt": [table, "StreamArn"]}

    def test_a_sweep_every_minute_and_digests_every_ten_minutes(self, template: dict[str, Any]) -> None:
        notices = logical_id(template, "AWS::Lambda::Function", "NoticesFunction")
        rules = {
            r["Properties"]["ScheduleExpression"]: json.loads(r["Properties"]["Targets"][0]["Input"])
            for r in resources_of_type(template, "AWS::Events::Rule").values()
            if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [notices, "Arn"]}
        }
        assert rules == {"rate(1 minute)": {"action": "sweep"}, "cron(5/10 * * * ? *)": {"action": "digest"}}

    def test_without_a_sender_the_notices_function_may_send_no_email(self, template: dict[str, Any]) -> None:
        statements = policy_statements(template, "NoticesFunctionRole")
        assert not any(action.startswith("ses:") for action in actions_of(statements))
        assert "dynamodb:Scan" not in actions_of(statements)

    def test_with_a_sender_the_notices_function_may_send_email_from_it_alone(self) -> None:
        template = notices_template(notificationSender="alerts@clinic.example")
        statements = policy_statements(template, "NoticesFunctionRole")
        (ses,) = [s for s in statements if "ses:SendEmail" in json.dumps(s["Action"])]
        assert ses["Action"] == "ses:SendEmail"
        assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": "alerts@clinic.example"}}
        (notices,) = [
            f
            for f in ours(template, "AWS::Lambda::Function").values()
            if f["Properties"]["Handler"].startswith("notices.")
        ]
        assert notices["Properties"]["Environment"]["Variables"]["NOTIFICATION_SENDER"] == "alerts@clinic.example"

    def test_the_allowed_email_domains_reach_the_notices_function(self) -> None:
        template = notices_template(
            notificationSender="alerts@clinic.example", noticeEmailDomains="a.example, b.example"
        )
        (notices,) = [
            f
            for f in ours(template, "AWS::Lambda::Function").values()
            if f["Properties"]["Handler"].startswith("notices.")
        ]
        assert notices["Properties"]["Environment"]["Variables"]["NOTICE_EMAIL_DOMAINS"] == "a.example,b.example"

    def test_a_sender_that_is_no_address_fails_synth(self) -> None:
        with pytest.raises(ValueError, match="notificationSender"):
            notices_template(notificationSender="not-an-address")


class TestOperations:
    def test_alarms_cover_dead_letters_errors_throttles_5xx_and_unresolved_dials(
        self, template: dict[str, Any]
    ) -> None:
        alarms = resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        assert len(alarms) == 20  # with the notices function's errors and throttles, its stream failures, given up
        topic = logical_id(template, "AWS::SNS::Topic", "OperationsAlerts")
        for alarm in alarms:
            assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic}]
        metric_names = json.dumps([a["Properties"] for a in alarms])
        for name in (
            "NumberOfMessagesSent",
            "Errors",
            "Throttles",
            "5xx",
            "DialsUnresolved",
            "RetellAccountUnavailable",
            "ReconcilerCallsLost",
            "DisconnectionReasonUnknown",
            "NoticesGivenUp",
        ):
            assert name in metric_names

    def test_the_reconciler_runs_every_five_minutes_and_drains_both_dead_letter_queues(
        self, template: dict[str, Any]
    ) -> None:
        reconcile = logical_id(template, "AWS::Lambda::Function", "ReconcileFunction")
        (rule,) = [
            r
            for r in resources_of_type(template, "AWS::Events::Rule").values()
            if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [reconcile, "Arn"]}
        ]
        assert rule["Properties"]["ScheduleExpression"] == "rate(5 minutes)"
        mappings = [
            m
            for m in resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
            if "StartingPosition" not in m["Properties"]  # the queues; the table's stream feeds the notices function
        ]
        assert {m["Properties"]["FunctionName"]["Ref"] for m in mappings} == {reconcile}
        sources = {json.dumps(m["Properties"]["EventSourceArn"]) for m in mappings}
        assert all(any(queue in source for source in sources) for queue in ("SchedulerDeadLetters", "ExecuteFailures"))
        assert all(m["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for m in mappings)

    def test_the_dashboard_shows_the_call_funnel(self, template: dict[str, Any]) -> None:
        (dashboard,) = resources_of_type(template, "AWS::CloudWatch::Dashboard").values()
        body = json.dumps(dashboard["Properties"]["DashboardBody"])
        for metric in ("CallsScheduled", "CallsDialed", "CallsCompleted", "CallsFailed", "CallsRetried"):
            assert metric in body

    def test_alerts_are_encrypted_and_email_is_optional(self, assertions: Template) -> None:
        assertions.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
        assertions.resource_count_is("AWS::SNS::Subscription", 0)


class TestChecks:
    def test_cdk_nag_finds_nothing_unacknowledged_and_every_acknowledgement_has_a_reason(
        self, template: dict[str, Any]
    ) -> None:
        # Synth itself fails on an unacknowledged finding (next test); the acknowledgements are copied into the
        # template's metadata, which is where an auditor reads them.
        reasons = {
            (name, rule["id"]): rule["reason"]
            for name, resource in template["Resources"].items()
            for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
        }
        system = {(name, rule): reason for (name, rule), reason in reasons.items() if not name.startswith(COPIER)}
        assert {rule for _, rule in system} == {
            "AwsSolutions-APIG4",
            "AwsSolutions-L1",
            "AwsSolutions-SMG4",
            "AwsSolutions-SQS3",
            "AwsSolutions-S1",  # the dashboard's bucket, and its distribution below
            "AwsSolutions-CFR1",
            "AwsSolutions-CFR2",
            "AwsSolutions-CFR3",
            "AwsSolutions-CFR4",
            "AwsSolutions-IAM5[Resource::*]",
            "AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
            "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
            *(rule for _, rule in system if rule.startswith("AwsSolutions-IAM5[Resource::arn:")),
        }
        assert len({rule for _, rule in system if rule.startswith("AwsSolutions-IAM5[Resource::arn:")}) == 1
        # CDK's deploy-time file copier keeps CDK's own role, grants and runtime, acknowledged on it alone.
        copier = {rule for name, rule in reasons if name.startswith(COPIER)}
        assert (
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"
            in copier
        )
        for (name, rule), reason in reasons.items():
            assert len(reason) > 40, (name, rule)

    def test_cdk_nag_fails_synth_on_a_finding(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        from app import build_app
        from infra import nag

        monkeypatch.delitem(nag.USER_POOL_WITHOUT_THREAT_PROTECTION, "AwsSolutions-COG8")
        context: dict[str, object] = {"aws:cdk:bundling-stacks": [], "threatProtection": "false"}
        app = build_app(context=context, outdir=str(tmp_path))
        with pytest.raises(RuntimeError, match="AwsSolutions-COG8"):
            app.synth()

    def test_cfn_lint_is_clean(self, template: dict[str, Any], tmp_path: Path) -> None:
        path = tmp_path / "template.json"
        path.write_text(json.dumps(template))
        # W3005 (an explicit DependsOn next to a GetAtt) is how CDK writes every function's role; nothing else.
        result = subprocess.run(
            [str(Path(sys.executable).parent / "cfn-lint"), "--ignore-checks", "W3005", "--", str(path)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    @pytest.mark.parametrize(
        "origin",
        [
            "http://evil.example",
            "http://localhost.evil.example",
            "http://127.0.0.1.evil.example:3000",
            "https://user@dashboard.example",
            "https://dashboard.example/path",
            "chrome-extension://not-an-id",
            "*",
        ],
    )
    def test_bad_context_fails_synth(self, origin: str) -> None:
        from app import build_app

        with pytest.raises(ValueError, match=r"allowedOrigins|origin"):
            build_app(context={"aws:cdk:bundling-stacks": [], "allowedOrigins": origin})

    def test_whole_origins_are_accepted(self) -> None:
        from infra.deployment import Deployment

        origins = [
            "https://dashboard.example",
            "https://dashboard.example:8443",
            "chrome-extension://oeckfognfcjnjiompgndknhkephdongp",
            "http://localhost:3002",
            "http://127.0.0.1",
        ]
        assert Deployment.model_validate({"allowedOrigins": origins}).allowed_origins == origins


def test_cloudwatch_may_use_the_key_only_for_this_accounts_alarms(template: dict[str, Any]) -> None:
    (key,) = resources_of_type(template, "AWS::KMS::Key").values()
    statements = [
        statement
        for statement in key["Properties"]["KeyPolicy"]["Statement"]
        if statement["Principal"].get("Service") == "cloudwatch.amazonaws.com"
    ]
    assert len(statements) == 1
    (statement,) = statements
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert "alarm:*" in json.dumps(statement["Condition"]["ArnLike"]["aws:SourceArn"])


def test_the_notices_function_is_given_only_calls_and_the_breaker(template: dict[str, Any]) -> None:
    """Each API request writes a counter and each dial a lease: without a filter, every one would invoke it."""
    from shared.dal.table_design import notice_stream_filters

    (mapping,) = [
        resource
        for resource in resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
        if "Notices" in json.dumps(resource["Properties"]["FunctionName"])
        and "EventSourceArn" in resource["Properties"]
    ]
    patterns = [json.loads(entry["Pattern"]) for entry in mapping["Properties"]["FilterCriteria"]["Filters"]]
    assert patterns == notice_stream_filters()
