"""The discharge-call-scheduler stack. (The calls API issue gives it its data store; the CDK issue adds the
functions, API, auth and operations.)"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.call_table import CallTable


class DischargeCallStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.data_key = kms.Key(
            self,
            "DataKey",
            description="Encrypts call data (owner names, phones, discharge summaries) at rest",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.calls = CallTable(self, "Calls", key=self.data_key)
        self.schedule_group = scheduler.ScheduleGroup(self, "CallSchedules")
        self.scheduler_dlq = sqs.Queue(
            self,
            "SchedulerDeadLetters",
            encryption=sqs.QueueEncryption.KMS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
