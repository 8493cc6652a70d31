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
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any

from tests.support.aws_stand_ins import FAKE_CREDENTIALS, LocalLambdaContext, create_stand_ins

SAMPLE_CALL_ID = "0f8fad5bd9cb469fa16570867728950e"
SAMPLE_CLINIC = "demo"


@contextmanager
def sandbox() -> Iterator[None]:
    """moto with the stack's table, schedule group and DLQ, and the sample call, for as long as it is entered."""
    from moto import mock_aws

    os.environ.update(FAKE_CREDENTIALS)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        os.environ.update(create_stand_ins("calls-sandbox", "calls-sandbox"))
        _seed_sample_call()
        yield


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
    return dict(handler.lambda_handler(event, LocalLambdaContext()))


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
