"""Notices: the notices function, fed by the calls table's stream, and what it may do.

Owns the notices function (``functions/notices``), its stream event source (partial batch responses, bisect on
error, ten retries, then the record's position to an encrypted dead-letter queue that an alarm watches), the rules
that run its retry sweep every minute and the daily digests every ten minutes (from minute 5: each run walks the
clinics whose digest hour it is as far as its time allows, the next resumes where it stopped), and its grants: the
table's items (notices, where the sweep and the digest stopped, the e-mail rate limits' counters, and reading calls
and settings), the follow-up index (each clinic's pending notices, the worklist, the clinics that name notice
recipients), the clinic index (a digest's calls), the data key, and ``ses:SendEmail`` only from the deployment's
sender (``notificationSender``, condition ``ses:FromAddress``). Chat webhooks need no AWS permission.

A channel outage never touches a call: the call functions only write the table; the stream carries the change
here, and a notice that cannot be delivered waits in the table for the sweep.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.data import Data
from infra.deployment import Deployment
from infra.python_function import PythonFunction
from shared.dal import table_design

NOTICES_TABLE_ACTIONS = [
    "dynamodb:GetItem",  # a call, the clinic's settings, where the sweep and the digest stopped
    "dynamodb:BatchGetItem",  # a digest's page of calls
    "dynamodb:PutItem",  # a notice, once per event (put-if-absent); where the sweep and the digest stopped
    "dynamodb:UpdateItem",  # claiming a notice, marking it sent, failed or held; counting an e-mail (rate limits)
]
"""Named, not sliced from another function's list: a slice silently lost ``UpdateItem`` when that list grew."""


class Notices(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data: Data,
        deployment: Deployment,
        layers: Sequence[lambda_.ILayerVersion],
        dashboard_url: str,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = PythonFunction(
            self,
            "Function",
            folder="notices",
            description="Sends clinics notices: failed calls, calls needing follow-up, the daily digest (table stream)",
            layers=layers,
            environment={
                "TABLE_NAME": data.table.table_name,
                "NOTIFICATION_SENDER": deployment.notification_sender or "",
                "DASHBOARD_URL": dashboard_url,
                "OPERATOR_EMAILS": ",".join(deployment.operator_emails),
                "NOTICE_EMAIL_DOMAINS": ",".join(deployment.notice_email_domains),
            },
            timeout=Duration.minutes(1),
            log_retention=log_retention,
        )
        function = self.function.function
        stack = Stack.of(self)
        self.sends_email = bool(deployment.notification_sender)
        self.ses_identities = f"arn:{stack.partition}:ses:{stack.region}:{stack.account}:identity/*"
        self.dead_letters = sqs.Queue(
            self,
            "StreamFailures",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        function.add_event_source(
            event_sources.DynamoEventSource(
                data.table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=50,
                bisect_batch_on_error=True,
                retry_attempts=10,
                max_record_age=Duration.days(1),
                report_batch_item_failures=True,
                on_failure=event_sources.SqsDlq(self.dead_letters),
                parallelization_factor=1,  # a call's changes in order
                # Only calls and the breaker: the table's other writes (a request counter per API request, leases,
                # the notices themselves) would otherwise invoke the function for nothing.
                filters=[lambda_.FilterCriteria.filter(pattern) for pattern in table_design.notice_stream_filters()],
            )
        )
        events.Rule(
            self,
            "SweepEveryMinute",
            description="Retries notices whose channel failed",
            schedule=events.Schedule.rate(Duration.minutes(1)),
            targets=[
                targets.LambdaFunction(
                    function, event=events.RuleTargetInput.from_object({"action": "sweep"}), retry_attempts=2
                )
            ],
        )
        events.Rule(
            self,
            "DigestEveryHour",  # the construct id kept: renaming it would replace the deployed rule
            description="Sends the daily digests whose local hour it is, resuming where the last run stopped",
            schedule=events.Schedule.cron(minute="5/10"),
            targets=[
                targets.LambdaFunction(
                    function, event=events.RuleTargetInput.from_object({"action": "digest"}), retry_attempts=2
                )
            ],
        )

        role = self.function.role
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=NOTICES_TABLE_ACTIONS, resources=[data.table.table_arn])
        )
        indexes = [
            f"{data.table.table_arn}/index/{table_design.FOLLOW_UP_INDEX}",
            f"{data.table.table_arn}/index/{table_design.CLINIC_CALLS_INDEX}",
        ]
        role.add_to_principal_policy(iam.PolicyStatement(actions=["dynamodb:Query"], resources=indexes))
        data.key.grant_encrypt_decrypt(role)
        if deployment.notification_sender:
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=["ses:SendEmail"],
                    resources=[self.ses_identities],
                    conditions={"StringEquals": {"ses:FromAddress": deployment.notification_sender}},
                )
            )
