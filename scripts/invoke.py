"""Invoke a function's handler with a sample event and print its answer: ``make invoke FN=schedule EVENT=...``.

By default it runs in a sandbox: moto stands in for DynamoDB and Scheduler (the table built from the synthesized
stack), and one sample call (``events/SAMPLE_CALL_ID``) is seeded so the per-call events have something to act on.
With ``--live`` it uses whatever AWS the environment points at (``AWS_ENDPOINT_URL`` for the local stack).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from contextlib import AbstractContextManager, nullcontext, suppress
from pathlib import Path
from typing import Any

SAMPLE_CALL_ID = "0f8fad5bd9cb469fa16570867728950e"
SAMPLE_CLINIC = "demo"


class _Context:
    function_name = "local-invoke"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:local-invoke"
    aws_request_id = "local-invoke"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def sandbox() -> AbstractContextManager[Any]:
    """moto with the stack's table, a schedule group, a DLQ and the sample call."""
    import boto3
    from moto import mock_aws

    from tests.support.stack_template import create_table_request, synthesized_template

    os.environ.update(
        {
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            "TABLE_NAME": "calls-sandbox",
            "SCHEDULE_GROUP_NAME": "calls-sandbox",
            "EXECUTE_FUNCTION_ARN": "arn:aws:lambda:us-east-1:123456789012:function:execute-sandbox",
            "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/scheduler-sandbox",
            "SCHEDULER_DLQ_ARN": "arn:aws:sqs:us-east-1:123456789012:scheduler-dlq-sandbox",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    mock = mock_aws()
    mock.start()
    boto3.client("dynamodb").create_table(**create_table_request(synthesized_template(), "calls-sandbox"))
    boto3.client("scheduler").create_schedule_group(Name="calls-sandbox")
    _seed_sample_call()
    return mock


def _seed_sample_call() -> None:
    from schedule import dependencies
    from shared.models.call import ScheduleCallRequest
    from shared.models.principal import Principal

    seeding = dependencies.build_call_service(new_call_id=lambda: SAMPLE_CALL_ID)
    request = ScheduleCallRequest.model_validate(
        {"phoneNumber": "+14155550100", "petName": "Luna", "ownerName": "Sarah Johnson", "notes": "seeded sample"}
    )
    seeding.schedule(Principal(user_id="seed", clinic_id=SAMPLE_CLINIC, is_admin=True), request)
    dependencies.reset()


def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
    handler = importlib.import_module(f"{function}.handler")
    return dict(handler.lambda_handler(event, _Context()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("function", help="folder under functions/, e.g. schedule")
    parser.add_argument("event", type=Path, help="a JSON event file, e.g. events/schedule/health.json")
    parser.add_argument("--live", action="store_true", help="use the AWS the environment points at")
    args = parser.parse_args(argv)
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", f"{args.function}-local")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "DischargeCallScheduler")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    event = json.loads(args.event.read_text())
    with nullcontext() if args.live else sandbox():
        result = invoke(args.function, event)
    body = result.get("body")
    with suppress(json.JSONDecodeError):
        result["body"] = json.loads(body) if isinstance(body, str) else body
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
