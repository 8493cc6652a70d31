"""Invoke a function's handler with a sample event and print its answer: ``make invoke FN=api EVENT=...``.

By default it runs in a sandbox: moto stands in for DynamoDB, Scheduler and Secrets Manager (the table built from
the synthesized stack), the simulated Retell answers dials, "call now" runs execute in-process, and one sample call
(``SAMPLE_CALL_ID``, schedule token ``SAMPLE_TOKEN``) is seeded so the per-call events have something to act on.
A webhook event whose ``x-retell-signature`` is ``SIGN_AT_INVOKE`` is signed just before it is sent (a signature
is only valid for five minutes, so a stored one would always be stale). With ``--live`` it uses whatever AWS the
environment points at.
"""

from __future__ import annotations

import argparse
import base64
import importlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from shared.bootstrap.common import utc_now
from shared.logic.ports import Clock
from standins.aws_stand_ins import FAKE_CREDENTIALS, RETELL_TEST_KEY, create_stand_ins
from standins.gateway import LambdaContext
from standins.moto_atomic import make_moto_dynamodb_atomic
from standins.stack import LocalFunctions

SAMPLE_CALL_ID = "0f8fad5bd9cb469fa16570867728950e"
SAMPLE_TOKEN = "5a3b1c9d7e"  # noqa: S105 - a schedule token, not a secret
SAMPLE_CLINIC = "demo"
SIGN_AT_INVOKE = "SIGN_AT_INVOKE"


@contextmanager
def sandbox(clock: Clock = utc_now) -> Iterator[LocalFunctions]:
    """moto with the stack's table, schedule group and DLQ, and the sample call, for as long as it is entered: the
    functions' graphs on it, with ``clock``."""
    from moto import mock_aws

    os.environ.update(FAKE_CREDENTIALS)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from standins.retell_sim import RetellSimulator

    make_moto_dynamodb_atomic()
    with mock_aws(), RetellSimulator(RETELL_TEST_KEY, auto_deliver=False).running() as simulator:
        os.environ.update(create_stand_ins("calls-sandbox", "calls-sandbox"))
        os.environ["RETELL_BASE_URL"] = simulator.url
        _seed_sample_call(clock)
        yield LocalFunctions.from_environment(clock=clock, background=False)


def sign_if_asked(event: dict[str, Any]) -> dict[str, Any]:
    """Replace a ``SIGN_AT_INVOKE`` signature with a fresh one over the event's body, with the sandbox's key."""
    from standins.retell_sim.server import sign

    headers = event.get("headers") or {}
    if headers.get("x-retell-signature") != SIGN_AT_INVOKE:
        return event
    body = event.get("body") or ""
    raw = base64.b64decode(body).decode() if event.get("isBase64Encoded") else body
    return {**event, "headers": {**headers, "x-retell-signature": sign(raw, RETELL_TEST_KEY)}}


def _seed_sample_call(clock: Clock) -> None:
    from shared.bootstrap.api import api_from_environment
    from shared.models.principal import Principal
    from shared.models.requests import ScheduleCallRequest

    services = api_from_environment(clock=clock, new_call_id=lambda: SAMPLE_CALL_ID, new_token=lambda: SAMPLE_TOKEN)
    seeding = services.calls
    request = ScheduleCallRequest.model_validate(
        {
            "phoneNumber": "+14155550100",
            "petName": "Luna",
            "ownerName": "Sarah Johnson",
            "clinicName": "Paws & Claws",
            "clinicPhone": "+14155559876",
            "notes": "seeded sample",
            "consent": {"given": True, "method": "verbal_at_discharge"},
        }
    )
    seed = Principal(user_id="seed", clinic_id=SAMPLE_CLINIC, is_admin=True)
    seeding.schedule(seed, request)
    # Someone to tell, so that a notices sample (a call needing follow-up) records its notices.
    settings = services.settings.current(SAMPLE_CLINIC)
    notifications = settings.notifications.model_copy(update={"emails": ["vet@clinic.example"]})
    services.settings.replace(seed, settings.model_copy(update={"notifications": notifications}))
    services.do_not_call.add(seed, "+14155550198", "sample entry (remove-do-not-call takes it off)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("function", help="folder under functions/, e.g. schedule")
    parser.add_argument("event", type=Path, help="a JSON event file, e.g. events/api/health.json")
    parser.add_argument("--live", action="store_true", help="use the AWS the environment points at")
    args = parser.parse_args(argv)
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", f"{args.function}-local")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "DischargeCallScheduler")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    event = json.loads(args.event.read_text())
    if args.live:  # the function as its container runs it, on the graph it builds from the environment
        handler = importlib.import_module(f"{args.function}.handler")
        result = dict(handler.lambda_handler(event, LambdaContext(args.function)))
    else:
        with sandbox() as functions:
            result = dict(functions.invoke(args.function, sign_if_asked(event)))
            if args.function == "notices":  # the notices sent, as the local outbox holds them
                result["delivered"] = functions.outbox.entries()
    body = result.get("body")
    if isinstance(body, str):
        with suppress(json.JSONDecodeError):
            result["body"] = json.loads(body)
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
