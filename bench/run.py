"""Benchmarks of the calls API, printed as figures (``make bench``). Not assertions: numbers to watch.

* cold-start import of the schedule handler module, median of fresh interpreters, beside the floors of
  ``python -c pass`` and ``import boto3`` (boto3 is in the Lambda runtime, so it is the true floor);
* warm in-process latency of ``POST /calls/schedule`` against moto (median, p95), and the AWS API calls one
  schedule request makes.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from typing import Any
from unittest import mock

RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "9"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "500"))


def _fresh_interpreter_ms(statement: str, **env: str) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True, env={**os.environ, **env})
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def cold_start() -> None:
    print(f"Cold start: wall time of a fresh interpreter, median of {RUNS}")
    rows = [
        ("python -c pass (floor)", "pass"),
        ("import boto3 (runtime floor)", "import boto3"),
        ("import pydantic", "import pydantic"),
        ("import aws_lambda_powertools event handler", "import aws_lambda_powertools.event_handler"),
        ("import schedule.handler", "import schedule.handler"),
    ]
    for label, statement in rows:
        print(f"  {label:<45} {_fresh_interpreter_ms(statement):8.1f} ms")
    untraced = _fresh_interpreter_ms("import schedule.handler", POWERTOOLS_TRACE_DISABLED="true")
    print(f"  {'import schedule.handler, tracing disabled':<45} {untraced:8.1f} ms   (the X-Ray SDK's share)")
    listing = "import json, sys, schedule.handler; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    check = subprocess.run([sys.executable, "-c", listing], capture_output=True, text=True, check=True)
    loaded = set(json.loads(check.stdout))
    print(f"  retell-sdk imported by the schedule handler: {'retell' in loaded}")


def warm_latency() -> None:
    import botocore.client

    from scripts.invoke import sandbox
    from tests.support.apigw import claims_for, http_event

    calls: Counter[str] = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: Any) -> Any:
        calls[f"{self.meta.service_model.service_name}.{operation}"] += 1
        return original(self, operation, params)

    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    with sandbox():
        from scripts.invoke import invoke

        body = {
            "phoneNumber": "+14155550100",
            "petName": "Luna",
            "ownerName": "Sarah",
            "scheduledFor": "2030-12-03T17:00:00Z",
        }
        claims = claims_for("bench", "admin")
        samples = []
        # The handler prints its metrics (EMF) to stdout, as in Lambda; keep them out of the report.
        with contextlib.redirect_stdout(io.StringIO()):
            invoke("schedule", http_event("POST", "/calls/schedule", body=body, claims=claims))  # warm up, uncounted
            with mock.patch.object(botocore.client.BaseClient, "_make_api_call", counting):
                for index in range(REQUESTS):
                    event = http_event(
                        "POST",
                        "/calls/schedule",
                        body={**body, "metadata": {"consultation_id": str(index)}},
                        claims=claims,
                    )
                    start = time.perf_counter()
                    result = invoke("schedule", event)
                    samples.append((time.perf_counter() - start) * 1000)
                    assert result["statusCode"] == 201, result
    samples.sort()
    print(f"\nWarm POST /calls/schedule against in-process moto, {REQUESTS} requests")
    print(f"  median {statistics.median(samples):.2f} ms   p95 {samples[int(len(samples) * 0.95) - 1]:.2f} ms")
    print("  AWS API calls per schedule request:")
    for name, count in sorted(calls.items()):
        print(f"    {name:<40} {count / REQUESTS:.2f}")
    print("  (moto is slower than DynamoDB/Scheduler; the count, not the time, is what carries over to AWS)")


if __name__ == "__main__":
    cold_start()
    warm_latency()
