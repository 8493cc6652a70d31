"""One-shot EventBridge Scheduler schedules, one per pending attempt of a call: the only code that touches Scheduler.

A schedule fires the execute function once, at an ``at()`` time in UTC, then deletes itself
(``ActionAfterCompletion=DELETE``). Its name is the call, the attempt and a random token that the call stores, so a
replaced schedule never shares a name with its successor (a fired schedule's own deletion must never hit the
schedule that replaced it), and two writers moving the same call at once never overwrite each other's schedule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.logic.ports import PendingAttempt
from shared.models.execution import ExecuteAction

SCHEDULED_TIME_ATTRIBUTE = "<aws.scheduler.scheduled-time>"


@dataclass(frozen=True)
class SchedulerTarget:
    """Where schedules live and what they invoke (all from the stack's outputs)."""

    group_name: str
    execute_function_arn: str
    role_arn: str
    dead_letter_queue_arn: str
    max_retry_attempts: int = 20
    max_event_age_seconds: int = 3_600


def at_expression(instant: datetime) -> str:
    """``at(yyyy-mm-ddThh:mm:ss)`` in UTC (the schedule's timezone is UTC, so DST never enters into it)."""
    return f"at({instant.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})"


class CallScheduler:
    def __init__(self, client: Any, target: SchedulerTarget):
        self._client = client
        self._target = target

    def place(self, pending: PendingAttempt) -> None:
        """Create the attempt's schedule. Placing the same one twice (a retried request) is harmless: the second
        call rewrites every field (UpdateSchedule resets what it is not given) to the same values."""
        request = self._request(pending)
        try:
            self._client.create_schedule(**request)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConflictException":
                raise
            request.pop("ClientToken", None)
            self._client.update_schedule(**request)

    def remove(self, name: str) -> None:
        """Delete a schedule. One that is already gone (it fired and deleted itself, or was removed) is fine."""
        try:
            self._client.delete_schedule(Name=name, GroupName=self._target.group_name)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise

    def _request(self, pending: PendingAttempt) -> dict[str, Any]:
        payload = {
            "callId": pending.call_id,
            "clinicId": pending.clinic_id,
            "attempt": pending.attempt,
            "token": pending.token,
            "scheduledTime": SCHEDULED_TIME_ATTRIBUTE,
        }
        description = f"Discharge call {pending.call_id}, attempt {pending.attempt}"
        if pending.action == ExecuteAction.TEXT:
            payload["action"] = ExecuteAction.TEXT.value
            description = f"Discharge call {pending.call_id}, its text"
        return {
            "Name": pending.schedule_name,
            "GroupName": self._target.group_name,
            "ScheduleExpression": at_expression(pending.fire_at),
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "State": "ENABLED",
            "Description": description,
            "ClientToken": pending.schedule_name,
            "Target": {
                "Arn": self._target.execute_function_arn,
                "RoleArn": self._target.role_arn,
                "Input": json.dumps(payload, separators=(",", ":")),
                "RetryPolicy": {
                    "MaximumRetryAttempts": self._target.max_retry_attempts,
                    "MaximumEventAgeInSeconds": self._target.max_event_age_seconds,
                },
                "DeadLetterConfig": {"Arn": self._target.dead_letter_queue_arn},
            },
        }
