"""Scheduling: where the calls' schedules live and what a schedule may do when it fires.

Owns the EventBridge Scheduler schedule group (the schedules themselves are created at runtime, one per call
attempt, by the functions), the role Scheduler assumes (it may invoke the execute function and nothing else, and
dead-letter an attempt it could not deliver), the Scheduler dead-letter queue, and the queue that keeps execute's
failed invocations (Lambda's on-failure destination: execute is never retried by Lambda).

The execute function is known here by its fixed name, not by reference: it needs its own ARN (it places schedules
that target itself), so the ARN is built from the name before the function exists (``infra/functions.py`` gives
the function that name).

Its resources are created beside it, in the stack's scope, so that their construct paths (and so their logical IDs
and the schedule group's generated name) are the ones they were deployed with: see ``infra/stack.py``.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct


class Scheduling(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.group = scheduler.ScheduleGroup(scope, "CallSchedules")
        self.scheduler_dead_letters = _dead_letter_queue(scope, "SchedulerDeadLetters")
        self.execute_failures = _dead_letter_queue(scope, "ExecuteFailures")
        self.dead_letter_queues: dict[str, sqs.IQueue] = {
            "Scheduler": self.scheduler_dead_letters,
            "Execute": self.execute_failures,
        }
        self.execute_function_name = f"{stack.stack_name}-execute"
        self.execute_function_arn = stack.format_arn(
            service="lambda",
            resource="function",
            resource_name=self.execute_function_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.schedules_arn = stack.format_arn(
            service="scheduler",
            resource="schedule",
            resource_name=f"{self.group.schedule_group_name}/*",
        )  # every schedule in the group: their names are made at runtime
        self.role = iam.Role(
            scope,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": stack.account}}
            ),
            description="EventBridge Scheduler: invoke the execute function, dead-letter undeliverable attempts",
        )
        self.scheduler_dead_letters.grant_send_messages(self.role)
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self.execute_function_arn])
        )


def _dead_letter_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    # SQS-managed encryption: Scheduler and Lambda destinations can write to it without a key grant.
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
        # The reconciler consumes these (batch repairs take seconds; its timeout is 2 minutes): a message it is
        # working on stays hidden for six times that, as Lambda's SQS sources want.
        visibility_timeout=Duration.minutes(12),
    )
