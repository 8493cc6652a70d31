"""A local EventBridge Scheduler: fires the due one-shot schedules stored in moto into the execute handler.

moto stores schedules but never fires them (nor does any other emulator). This loop does what Scheduler does for
ours: at the ``at()`` time (UTC) it sends the target's ``Input`` with the context attributes filled, deletes the
schedule afterwards when ``ActionAfterCompletion`` is ``DELETE``, and on a failed invocation retries on later
ticks up to the target's ``RetryPolicy``, then moves the event to the dead-letter queue.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from standins.lambda_events import scheduler_event

_AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")


@dataclass(frozen=True)
class Fired:
    name: str
    payload: dict[str, Any]
    result: Any = None
    error: str | None = None


@dataclass
class LocalScheduler:
    scheduler: Any  # boto3 scheduler client
    group_name: str
    target: Callable[[dict[str, Any]], Any]  # invokes the schedule's target with its input
    sqs: Any = None  # boto3 sqs client, for the dead-letter queue
    log: Callable[[str], None] = lambda _line: None
    _failures: dict[str, int] = field(default_factory=dict)
    _known: dict[str, tuple[Any, dict[str, Any], datetime | None]] = field(default_factory=dict)
    _completed: set[str] = field(default_factory=set)

    def due(self, now: datetime) -> list[dict[str, Any]]:
        """The group's enabled one-shot schedules whose time has come, oldest first. Listing is one call per 100
        schedules; a schedule's details are fetched once, and again only when it was modified."""
        listed: dict[str, Any] = {}
        kwargs: dict[str, Any] = {"GroupName": self.group_name}
        while True:
            page = self.scheduler.list_schedules(**kwargs)
            for summary in page.get("Schedules", []):
                if summary.get("State", "ENABLED") == "ENABLED" and summary["Name"] not in self._completed:
                    listed[summary["Name"]] = summary.get("LastModificationDate")
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
        for name in set(self._known) - set(listed):
            del self._known[name]
        due = []
        for name, modified in listed.items():
            known = self._known.get(name)
            if known is None or known[0] != modified:
                try:
                    schedule = self.scheduler.get_schedule(Name=name, GroupName=self.group_name)
                except self.scheduler.exceptions.ResourceNotFoundException:
                    continue  # deleted meanwhile
                known = (modified, schedule, fire_time(schedule["ScheduleExpression"]))
                self._known[name] = known
            at = known[2]
            if at is not None and at <= now:
                due.append((at, known[1]))
        return [schedule for _, schedule in sorted(due, key=lambda pair: pair[0])]

    def fire_due(self, now: datetime | None = None) -> list[Fired]:
        now = now or datetime.now(UTC)
        return [self.fire(schedule, now) for schedule in self.due(now)]

    def fire(self, schedule: dict[str, Any], now: datetime) -> Fired:
        name, target = schedule["Name"], schedule["Target"]
        at = fire_time(schedule["ScheduleExpression"]) or now
        attempt = self._failures.get(name, 0)
        payload = scheduler_event(json.loads(_fill_context(target.get("Input", "{}"), schedule, at, attempt)))
        try:
            result = self.target(payload)
        except Exception as error:  # a target failure: retried on later ticks, as Scheduler would
            self._failures[name] = attempt + 1
            retries = target.get("RetryPolicy", {}).get("MaximumRetryAttempts", 185)
            self.log(f"schedule {name} failed (attempt {attempt + 1}): {error}")
            if attempt >= retries:
                self._dead_letter(schedule, payload, str(error))
                self._delete(name)
            return Fired(name, payload, error=str(error))
        self._failures.pop(name, None)
        if schedule.get("ActionAfterCompletion") == "DELETE":
            self._delete(name)
            self._known.pop(name, None)
        else:
            self._completed.add(name)  # a one-time schedule fires once, even when it stays
        return Fired(name, payload, result=result)

    def run(self, stop: threading.Event, interval_seconds: float = 0.5) -> None:
        """Fire due schedules every ``interval_seconds`` until ``stop`` is set; a tick's error never stops it."""
        while not stop.is_set():
            try:
                self.fire_due()
            except Exception as error:
                self.log(f"scheduler tick failed: {error}")
            stop.wait(interval_seconds)

    def _delete(self, name: str) -> None:
        with contextlib.suppress(self.scheduler.exceptions.ResourceNotFoundException):
            self.scheduler.delete_schedule(Name=name, GroupName=self.group_name)

    def _dead_letter(self, schedule: dict[str, Any], payload: dict[str, Any], error: str) -> None:
        arn = schedule["Target"].get("DeadLetterConfig", {}).get("Arn")
        if not arn or self.sqs is None:
            return
        queue_url = self.sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"]
        # As Scheduler dead-letters: the target's input as the body, what went wrong in message attributes.
        attributes = {
            "ERROR_MESSAGE": {"DataType": "String", "StringValue": error[:256] or "failed"},
            "SCHEDULE_ARN": {"DataType": "String", "StringValue": schedule.get("Arn") or schedule["Name"]},
        }
        self.sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(payload), MessageAttributes=attributes)


def fire_time(expression: str) -> datetime | None:
    match = _AT.fullmatch(expression.strip())
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC) if match else None


def _fill_context(text: str, schedule: dict[str, Any], at: datetime, attempt: int) -> str:
    values = {
        "<aws.scheduler.schedule-arn>": schedule.get("Arn", ""),
        "<aws.scheduler.scheduled-time>": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "<aws.scheduler.execution-id>": uuid.uuid4().hex,
        "<aws.scheduler.attempt-number>": str(attempt),
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text
