"""Functions: the three Lambda functions, their two layers, and each function's permissions.

Owns the dependency and shared-code layers (``infra/assets.py``), the calls API function (``api``), the
Scheduler target that dials (``execute``) and the Retell webhook receiver (``retell_webhook``), each a
``PythonFunction`` (``infra/python_function.py``: its own role and log group), and every grant their roles get.
Least privilege: each function may do exactly what it calls, on exactly these resources:

* all three: get/put/update/delete items of the calls table (never Scan), use its key, create/update/delete/get
  schedules in this stack's schedule group only, and pass the scheduler role, to Scheduler only;
* ``api``: also query the clinic index, read the page-token key, and invoke ``execute`` ("call now");
* ``execute`` and ``retell_webhook``: also read the Retell API key.

Its resources are created beside it, in the stack's scope, so that their construct paths (and so their logical IDs,
which the deployed stack and the tests know) are the ones they were deployed with: see ``infra/stack.py``.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import assets
from infra.data import Data
from infra.deployment import Deployment
from infra.python_function import PythonFunction, python_layer
from infra.scheduling import Scheduling
from shared.dal import table_design

TABLE_WRITES = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
SCHEDULE_WRITES = [
    "scheduler:CreateSchedule",
    "scheduler:UpdateSchedule",
    "scheduler:DeleteSchedule",
    "scheduler:GetSchedule",
]


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data: Data,
        scheduling: Scheduling,
        deployment: Deployment,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        bundling = Stack.of(self).bundling_required
        dependencies = python_layer(
            scope,
            "Dependencies",
            assets.dependency_layer if bundling else None,
            "powertools, pydantic, httpx, retell-sdk (boto3 is the runtime's)",
        )
        shared = python_layer(
            scope, "SharedCode", assets.shared_layer if bundling else None, "the project's shared/ package"
        )
        common = {
            "TABLE_NAME": data.table.table_name,
            "SCHEDULE_GROUP_NAME": scheduling.group.schedule_group_name,
            "EXECUTE_FUNCTION_ARN": scheduling.execute_function_arn,
            "SCHEDULER_ROLE_ARN": scheduling.role.role_arn,
            "SCHEDULER_DLQ_ARN": scheduling.scheduler_dead_letters.queue_arn,
        }
        retell = {
            "RETELL_SECRET_NAME": data.retell_secret.secret_arn,
            "RETELL_CONCURRENCY_LIMIT": str(deployment.retell_concurrency_limit),
            "RETELL_DEFAULT_AGENT_ID": deployment.retell_default_agent_id or "",
            "RETELL_DEFAULT_FROM_NUMBER": deployment.retell_default_from_number or "",
        }
        layers = [dependencies, shared]
        self.api = PythonFunction(
            scope,
            "Api",
            folder="api",
            description="Calls API (API Gateway HTTP API)",
            layers=layers,
            environment={**common, "PAGE_TOKEN_SECRET_NAME": data.page_token_secret.secret_arn},
            timeout=Duration.seconds(10),
            log_retention=log_retention,
        )
        self.execute = PythonFunction(
            scope,
            "Execute",
            folder="execute",
            description="Starts one attempt of a call (EventBridge Scheduler)",
            layers=layers,
            environment={**common, **retell},
            timeout=Duration.seconds(60),
            log_retention=log_retention,
            function_name=scheduling.execute_function_name,  # the name the scheduler role may invoke
            memory_mb=1024,
            retry_attempts=0,  # AWS must never re-run a dial; a failure goes to the on-failure queue instead
            max_event_age=Duration.hours(6),
            on_failure=destinations.SqsDestination(scheduling.execute_failures),
        )
        self.retell_webhook = PythonFunction(
            scope,
            "RetellWebhook",
            folder="retell_webhook",
            description="Retell call events (signed webhooks)",
            layers=layers,
            environment={**common, **retell},
            timeout=Duration.seconds(10),
            log_retention=log_retention,
        )
        self.by_folder = {"api": self.api, "execute": self.execute, "retell_webhook": self.retell_webhook}

        # -- permissions: each function exactly what it calls ------------------------------------------------------
        for function in self.by_folder.values():
            _grant_calls_and_schedules(function.role, data, scheduling)
        for function in (self.execute, self.retell_webhook):
            data.retell_secret.grant_read(function.role)
        clinic_index_arn = f"{data.table.table_arn}/index/{table_design.CLINIC_CALLS_INDEX}"
        self.api.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[clinic_index_arn])
        )
        data.page_token_secret.grant_read(self.api.role)
        self.api.role.add_to_principal_policy(  # "call now" invokes execute directly
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[scheduling.execute_function_arn])
        )

    @property
    def lambdas(self) -> dict[str, lambda_.IFunction]:
        """The Lambda functions by folder under ``functions/`` (alarm names use these)."""
        return {folder: function.function for folder, function in self.by_folder.items()}


def _grant_calls_and_schedules(role: iam.Role, data: Data, scheduling: Scheduling) -> None:
    """What every function needs: the call records (with their key) and the call's schedules."""
    role.add_to_principal_policy(iam.PolicyStatement(actions=TABLE_WRITES, resources=[data.table.table_arn]))
    data.key.grant_encrypt_decrypt(role)
    role.add_to_principal_policy(iam.PolicyStatement(actions=SCHEDULE_WRITES, resources=[scheduling.schedules_arn]))
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["iam:PassRole"],
            resources=[scheduling.role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
        )
    )
