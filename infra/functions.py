"""Functions: the four Lambda functions, their two layers, and each function's permissions.

Owns the dependency and shared-code layers (``infra/assets.py``), the calls API function (``api``), the
Scheduler target that dials (``execute``), the Retell webhook receiver (``retell_webhook``) and the reconciler
(``reconcile``: every few minutes, and fed by both dead-letter queues), each a ``PythonFunction``
(``infra/python_function.py``: its own role and log group), and every grant their roles get.
Least privilege: each function may do exactly what it calls, on exactly these resources:

* all four: get (one or a batch)/put/update/delete items of the calls table (never Scan), use its key,
  create/update/delete schedules in this stack's schedule group only, pass the scheduler role, to Scheduler
  only, and read the Retell API key (the API for recording links, the reconciler to ask Retell about calls);
* ``api``: also query the clinic index, read the page-token key, and invoke ``execute`` ("call now");
* ``reconcile``: also query the open-work index, invoke ``execute`` (a lost schedule's attempt), and consume the
  two dead-letter queues.

Its resources are created beside it, in the stack's scope, so that their construct paths (and so their logical IDs,
which the deployed stack and the tests know) are the ones they were deployed with: see ``infra/stack.py``.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import assets
from infra.data import Data
from infra.deployment import Deployment
from infra.python_function import PythonFunction, python_layer
from infra.scheduling import Scheduling
from shared.dal import table_design
from shared.domain.reconciliation import EXECUTE_TIMEOUT

RECONCILE_EVERY_MINUTES = 5
"""How often the reconciler looks for open work whose check is due (its bounds are minutes, not seconds)."""

TABLE_WRITES = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",  # a step's reads in one request (shared/dal/read_ahead.py), a page of the list
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
]
MEMORY_MB = {"api": 512, "execute": 768, "retell_webhook": 256, "reconcile": 512}
"""Each function's memory, chosen by measurement (``bench/handlers.py``; ``make bench`` prints the table): the
smallest size that holds the process with headroom, keeps a warm invocation's CPU time within its budget and the
init phase within 5 s, as below one vCPU a size's CPU part costs the same and its waits cost in proportion. Measured:
the API 72 MB resident, 7.5 ms of CPU a request (512; at 256 its CPU would take 52 ms); execute 126 MB with
retell-sdk imported at init, 1.8 s of init CPU (768: init 4.2 s; at 512 it would be 6.2 s); the webhook 69 MB, 5.8
ms (256). The reconciler's runs are rare and short: kept at 512."""

SCHEDULE_WRITES = [
    "scheduler:CreateSchedule",
    "scheduler:UpdateSchedule",
    "scheduler:DeleteSchedule",
]
"""Not ``GetSchedule``: no function reads a schedule (``shared/adapters/call_scheduler.py`` creates, on a conflict
updates, and deletes); ``make iam-report`` showed no request used it."""
SECRET_READ = ["secretsmanager:GetSecretValue"]
"""What Powertools' ``SecretsProvider`` calls; not CDK's ``grant_read``, which adds ``DescribeSecret`` that nothing
calls (the secrets use Secrets Manager's own key, so no KMS grant is lost)."""


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
            "RETELL_DEFAULT_TEXT_AGENT_ID": deployment.retell_default_text_agent_id or "",
            "RETELL_DEFAULT_FROM_NUMBER": deployment.retell_default_from_number or "",
        }
        layers = [dependencies, shared]
        self.layers: list[lambda_.ILayerVersion] = [dependencies, shared]
        self.api = PythonFunction(
            scope,
            "Api",
            folder="api",
            description="Calls API (API Gateway HTTP API)",
            layers=layers,
            environment={
                **common,
                **retell,
                "PAGE_TOKEN_SECRET_NAME": data.page_token_secret.secret_arn,
                "CLINIC_REQUESTS_PER_SECOND": str(deployment.clinic_requests_per_second),
                "CLINIC_BUDGET_WINDOW_SECONDS": str(deployment.clinic_budget_window_seconds),
            },
            timeout=Duration.seconds(15),
            log_retention=log_retention,
            memory_mb=MEMORY_MB["api"],
        )
        self.execute = PythonFunction(
            scope,
            "Execute",
            folder="execute",
            description="Starts one attempt of a call (EventBridge Scheduler)",
            layers=layers,
            environment={**common, **retell},
            # One dial of up to 120 s (retell-sdk's budget for create-phone-call), a look-up if its outcome is
            # unknown, and the writes around them; the reconciler waits longer than this (DIAL_SETTLE) before it asks
            # Retell about a claim with no call id.
            timeout=Duration.seconds(int(EXECUTE_TIMEOUT.total_seconds())),
            log_retention=log_retention,
            function_name=scheduling.execute_function_name,  # the name the scheduler role may invoke
            memory_mb=MEMORY_MB["execute"],
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
            memory_mb=MEMORY_MB["retell_webhook"],
            # Kept for Retell's events alone: however busy the API or the dials, a call's end is always recorded.
            reserved_concurrent_executions=deployment.webhook_reserved_concurrency,
        )
        self.reconcile = PythonFunction(
            scope,
            "Reconcile",
            folder="reconcile",
            description="Repairs calls whose webhooks, schedules or dials went astray (every few minutes)",
            layers=layers,
            environment={**common, **retell},
            timeout=Duration.minutes(2),
            log_retention=log_retention,
            memory_mb=MEMORY_MB["reconcile"],
            reserved_concurrent_executions=2,  # the schedule's run and a dead-letter batch; repairs are idempotent
        )
        self.by_folder = {
            "api": self.api,
            "execute": self.execute,
            "retell_webhook": self.retell_webhook,
            "reconcile": self.reconcile,
        }
        events.Rule(
            scope,
            "ReconcileEvery5Minutes",
            description="Runs the reconciler over the calls whose check is due",
            schedule=events.Schedule.rate(Duration.minutes(RECONCILE_EVERY_MINUTES)),
            targets=[targets.LambdaFunction(self.reconcile.function, retry_attempts=0)],
        )
        for queue in scheduling.dead_letter_queues.values():
            self.reconcile.function.add_event_source(
                event_sources.SqsEventSource(queue, batch_size=10, report_batch_item_failures=True, max_concurrency=2)
            )

        # -- permissions: each function exactly what it calls ------------------------------------------------------
        for function in self.by_folder.values():
            _grant_calls_and_schedules(function.role, data, scheduling)
            function.role.add_to_principal_policy(
                iam.PolicyStatement(actions=SECRET_READ, resources=[data.retell_secret.secret_arn])
            )
        clinic_index_arn = f"{data.table.table_arn}/index/{table_design.CLINIC_CALLS_INDEX}"
        follow_up_index_arn = f"{data.table.table_arn}/index/{table_design.FOLLOW_UP_INDEX}"
        self.api.role.add_to_principal_policy(
            # the clinic's calls by time (gsi1), its follow-up worklist (gsi3), and its do-not-call list (one
            # partition of the table)
            iam.PolicyStatement(
                actions=["dynamodb:Query"], resources=[clinic_index_arn, follow_up_index_arn, data.table.table_arn]
            )
        )
        self.api.role.add_to_principal_policy(
            iam.PolicyStatement(actions=SECRET_READ, resources=[data.page_token_secret.secret_arn])
        )
        number_index_arn = f"{data.table.table_arn}/index/{table_design.NUMBER_INDEX}"
        self.api.role.add_to_principal_policy(
            # an erasure's calls to one number (gsi4, by the number's digest)
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[number_index_arn])
        )
        for function in (self.api, self.reconcile):  # "call now", and a lost schedule's attempt
            function.role.add_to_principal_policy(
                iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[scheduling.execute_function_arn])
            )
        for function in (self.retell_webhook, self.reconcile):
            function.role.add_to_principal_policy(
                # a retry after no answer moved to a likelier hour (``retry.moveToBestHour``) reads the answer counts:
                # the clinic's and every clinic's partitions of the table
                iam.PolicyStatement(actions=["dynamodb:Query"], resources=[data.table.table_arn])
            )
        open_work_index_arn = f"{data.table.table_arn}/index/{table_design.OPEN_WORK_INDEX}"
        self.reconcile.role.add_to_principal_policy(
            # the open work, and the retention purge's clinics and due calls (its partitions of the same index)
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[open_work_index_arn])
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
