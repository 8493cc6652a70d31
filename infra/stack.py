"""The discharge-call-scheduler stack: data, schedules, functions, API and auth, operations.

``cdk destroy`` leaves the retained data: the calls table, its KMS key, the Cognito user pool and the Retell
secret (RETAIN); everything else (functions, API, queues, alarms, log groups) is deleted.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import assets, nag
from infra.api import CallsApi, Users
from infra.call_table import CallTable
from infra.deployment import Deployment, deployment_from_context
from infra.functions import PythonFunction, python_layer
from infra.operations import Operations
from shared.dal import table_design

TABLE_WRITES = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
SCHEDULE_WRITES = [
    "scheduler:CreateSchedule",
    "scheduler:UpdateSchedule",
    "scheduler:DeleteSchedule",
    "scheduler:GetSchedule",
]


class DischargeCallStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        deployment: Deployment = deployment_from_context(self.node.try_get_context)
        retention = logs.RetentionDays(_retention_name(deployment.log_retention_days))

        # -- data ------------------------------------------------------------------------------------------------
        self.data_key = kms.Key(
            self,
            "DataKey",
            description="Encrypts call data (owner names, phones, discharge summaries) and alerts at rest",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.data_key.grant_encrypt_decrypt(iam.ServicePrincipal("cloudwatch.amazonaws.com"))  # alarms -> topic
        self.calls = CallTable(self, "Calls", key=self.data_key)
        self.retell_secret = secretsmanager.Secret(
            self,
            "RetellApiKey",
            description="Retell API key (the one with the webhook badge). Set it after deploying: see README.",
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.page_token_secret = secretsmanager.Secret(
            self,
            "PageTokenKey",
            description="Authenticates the API's nextToken values (generated; only the API function reads it)",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
        )

        # -- schedules -------------------------------------------------------------------------------------------
        self.schedule_group = scheduler.ScheduleGroup(self, "CallSchedules")
        self.scheduler_dlq = _dead_letter_queue(self, "SchedulerDeadLetters")
        self.execute_failures = _dead_letter_queue(self, "ExecuteFailures")
        self.scheduler_role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": self.account}}
            ),
            description="EventBridge Scheduler: invoke the execute function, dead-letter undeliverable attempts",
        )
        self.scheduler_dlq.grant_send_messages(self.scheduler_role)

        # -- functions -------------------------------------------------------------------------------------------
        bundling = self.bundling_required
        dependencies = python_layer(
            self,
            "Dependencies",
            assets.dependency_layer if bundling else None,
            "powertools, pydantic, httpx, retell-sdk (boto3 is the runtime's)",
        )
        shared = python_layer(
            self, "SharedCode", assets.shared_layer if bundling else None, "the project's shared/ package"
        )
        execute_name = f"{self.stack_name}-execute"
        execute_arn = self.format_arn(
            service="lambda",
            resource="function",
            resource_name=execute_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )  # built from the name: the function needs its own ARN (it places schedules that target itself)
        common = {
            "TABLE_NAME": self.calls.table.table_name,
            "SCHEDULE_GROUP_NAME": self.schedule_group.schedule_group_name,
            "EXECUTE_FUNCTION_ARN": execute_arn,
            "SCHEDULER_ROLE_ARN": self.scheduler_role.role_arn,
            "SCHEDULER_DLQ_ARN": self.scheduler_dlq.queue_arn,
        }
        retell = {
            "RETELL_SECRET_NAME": self.retell_secret.secret_arn,
            "RETELL_CONCURRENCY_LIMIT": str(deployment.retell_concurrency_limit),
            "RETELL_DEFAULT_AGENT_ID": deployment.retell_default_agent_id or "",
            "RETELL_DEFAULT_FROM_NUMBER": deployment.retell_default_from_number or "",
        }
        layers = [dependencies, shared]
        self.schedule_fn = PythonFunction(
            self,
            "Schedule",
            folder="schedule",
            description="Calls API (API Gateway HTTP API)",
            layers=layers,
            environment={**common, "PAGE_TOKEN_SECRET_NAME": self.page_token_secret.secret_arn},
            timeout=Duration.seconds(10),
            log_retention=retention,
        )
        self.execute_fn = PythonFunction(
            self,
            "Execute",
            folder="execute",
            description="Starts one attempt of a call (EventBridge Scheduler)",
            layers=layers,
            environment={**common, **retell},
            timeout=Duration.seconds(60),
            log_retention=retention,
            function_name=execute_name,
            memory_mb=1024,
            retry_attempts=0,  # AWS must never re-run a dial; a failure goes to the on-failure queue instead
            max_event_age=Duration.hours(6),
            on_failure=destinations.SqsDestination(self.execute_failures),
        )
        self.webhook_fn = PythonFunction(
            self,
            "RetellWebhook",
            folder="retell_webhook",
            description="Retell call events (signed webhooks)",
            layers=layers,
            environment={**common, **retell},
            timeout=Duration.seconds(10),
            log_retention=retention,
        )
        functions = {"schedule": self.schedule_fn, "execute": self.execute_fn, "retell_webhook": self.webhook_fn}

        # -- permissions: each function exactly what it calls ------------------------------------------------------
        table = self.calls.table
        clinic_index_arn = f"{table.table_arn}/index/{table_design.CLINIC_CALLS_INDEX}"
        schedules_arn = self.format_arn(
            service="scheduler",
            resource="schedule",
            resource_name=f"{self.schedule_group.schedule_group_name}/*",
        )
        for name, construct in functions.items():
            role = construct.function.role
            assert role is not None
            role.add_to_principal_policy(iam.PolicyStatement(actions=TABLE_WRITES, resources=[table.table_arn]))
            self.data_key.grant_encrypt_decrypt(role)
            role.add_to_principal_policy(iam.PolicyStatement(actions=SCHEDULE_WRITES, resources=[schedules_arn]))
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=["iam:PassRole"],
                    resources=[self.scheduler_role.role_arn],
                    conditions={"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
                )
            )
            if name != "schedule":
                self.retell_secret.grant_read(role)
        schedule_role = self.schedule_fn.function.role
        assert schedule_role is not None
        schedule_role.add_to_principal_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[clinic_index_arn])
        )
        self.page_token_secret.grant_read(schedule_role)
        schedule_role.add_to_principal_policy(  # "call now" invokes execute directly
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[execute_arn])
        )
        self.scheduler_role.add_to_principal_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[execute_arn])
        )

        # -- API, auth, operations ---------------------------------------------------------------------------------
        self.users = Users(self, "Users", callback_origins=deployment.allowed_origins)
        self.api = CallsApi(
            self,
            "Http",
            functions={"schedule": self.schedule_fn.function, "retell_webhook": self.webhook_fn.function},
            users=self.users,
            deployment=deployment,
            log_retention=retention,
        )
        self.operations = Operations(
            self,
            "Operations",
            key=self.data_key,
            alert_email=deployment.alert_email,
            functions={name: construct.function for name, construct in functions.items()},
            dead_letter_queues={"Scheduler": self.scheduler_dlq, "Execute": self.execute_failures},
            api=self.api,
        )

        CfnOutput(self, "ApiUrl", value=self.api.url)
        CfnOutput(self, "RetellWebhookUrl", value=f"{self.api.url}webhooks/retell")
        CfnOutput(self, "UserPoolId", value=self.users.pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.users.client.user_pool_client_id)
        CfnOutput(self, "RetellSecretArn", value=self.retell_secret.secret_arn)
        CfnOutput(self, "TableName", value=table.table_name)
        CfnOutput(self, "AlertTopicArn", value=self.operations.topic.topic_arn)
        api_construct = self.api.http_api.node
        nag.acknowledge(
            self,
            function_roles=[construct.role for construct in functions.values()],
            functions=[construct.function for construct in functions.values()],
            schedules_arn=schedules_arn,
            dead_letter_queues=[self.scheduler_dlq, self.execute_failures],
            public_routes={route_id: api_construct.find_child(route_id) for route_id in nag.PUBLIC_ROUTES},
            secrets=[(self.retell_secret, nag.ROTATION_REASON), (self.page_token_secret, nag.PAGING_KEY_ROTATION)],
            user_pool=self.users.pool,
        )


def _dead_letter_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    # SQS-managed encryption: Scheduler and Lambda destinations can write to it without a key grant.
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )


def _retention_name(days: int) -> str:
    names = {
        1: "ONE_DAY",
        3: "THREE_DAYS",
        5: "FIVE_DAYS",
        7: "ONE_WEEK",
        14: "TWO_WEEKS",
        30: "ONE_MONTH",
        60: "TWO_MONTHS",
        90: "THREE_MONTHS",
        180: "SIX_MONTHS",
        365: "ONE_YEAR",
    }
    if days not in names:
        raise ValueError(f"logRetentionDays must be one of {sorted(names)}")
    return names[days]
