"""Benchmarks of the calls API, printed as figures (``make bench``). Not assertions: numbers to watch.

* cold-start import of the schedule handler module, median of fresh interpreters, beside the floors of
  ``python -c pass`` and ``import boto3`` (boto3 is in the Lambda runtime, so it is the true floor);
* the same for the execute and webhook handlers, and ``import retell`` (the SDK), which execute imports at init;
* warm in-process latency of ``POST /calls/schedule`` against moto (median, p95), and the AWS API calls one
  schedule request makes;
* what each clinic's request budget adds to every authenticated request: its one ``UpdateItem`` against moto
  (median, p95) and its cost on demand;
* the AWS API calls of one attempt (execute: claim, dial, record; webhook: started, ended, analyzed);
* dials per scheduled call across the lifecycle, fault and reconciliation suites (every test also asserts its own
  count);
* the fault matrix: each Retell failure mode through the local stack, dials per intended dial and calls left
  non-final (``bench/fault_matrix.py``);
* the reconciler's DynamoDB requests per run with 10, 1,000 and 100,000 calls stored (``bench/reconciler.py``);
* the retention purge's requests per run with 1,000 and 10,000 final calls stored, five due (``bench/retention.py``);
* a simulated day of calls: owners reached by the phone alone and by the phone then a text (``bench/text_reach.py``);
* notices: event to SES hand-off, p50/p95 over 200 calls, and notices per event across the fault suite
  (``bench/notices.py``);
* the AWS cost of 1,000 answered calls at 1 to 10,000 clinics, from the answered call's measured figures and each
  scale's simulated cold starts (``bench/infra.py``, ``bench/cold_starts.py``);
* the capacity model at 100, 1,000 and 10,000 clinics from the answered call's figures (``bench/scale.py``,
  ``docs/capacity.md``), and the Monday-09:00 burst: dials a minute against the concurrency, false re-queues,
  write units (``bench/burst.py``).
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
from collections.abc import Iterator
from typing import Any
from unittest import mock

from bench.answered_call import AnsweredCall
from standins.dev_process import LOAD_RUN_BUDGET

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
        ("import api.handler", "import api.handler"),
        ("import retell_webhook.handler", "import retell_webhook.handler"),
        ("import execute.handler", "import execute.handler"),
        ("import retell (the SDK; paid at the first dial)", "import retell"),
        ("import execute.handler + retell (a dialing cold start)", "import execute.handler, retell"),
    ]
    for label, statement in rows:
        print(f"  {label:<45} {_fresh_interpreter_ms(statement):8.1f} ms")
    untraced = _fresh_interpreter_ms("import api.handler", POWERTOOLS_TRACE_DISABLED="true")
    print(f"  {'import api.handler, tracing disabled':<45} {untraced:8.1f} ms   (the X-Ray SDK's share)")
    for handler in ("api.handler", "retell_webhook.handler", "execute.handler"):
        listing = f"import json, sys, {handler}; print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
        check = subprocess.run([sys.executable, "-c", listing], capture_output=True, text=True, check=True)
        loaded = set(json.loads(check.stdout))
        print(f"  retell-sdk imported by {handler} at start: {'retell' in loaded}")


@contextlib.contextmanager
def counting_aws_calls(calls: Counter[str]) -> Iterator[None]:
    """Count every AWS API call (``service.Operation``) made while entered."""
    import botocore.client

    original = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: Any) -> Any:
        calls[f"{self.meta.service_model.service_name}.{operation}"] += 1
        return original(self, operation, params)

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", counting):
        yield


def warm_latency() -> None:
    from scripts.invoke import sandbox
    from standins.apigw import claims_for, http_event

    calls: Counter[str] = Counter()
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    with sandbox() as functions:
        body = {
            "phoneNumber": "+14155550100",
            "petName": "Luna",
            "ownerName": "Sarah",
            "clinicName": "Paws & Claws",
            "clinicPhone": "+14155559876",
            "consent": {"given": True},
            "scheduledFor": "2030-12-03T17:00:00Z",
        }
        claims = claims_for("bench", "admin")
        samples = []
        # The handler prints its metrics (EMF) to stdout, as in Lambda; keep them out of the report.
        with contextlib.redirect_stdout(io.StringIO()):
            functions.invoke(
                "api", http_event("POST", "/calls/schedule", body=body, claims=claims)
            )  # warm up, uncounted
            with counting_aws_calls(calls):
                for index in range(REQUESTS):
                    event = http_event(
                        "POST",
                        "/calls/schedule",
                        body={**body, "metadata": {"consultation_id": str(index)}},
                        claims=claims,
                    )
                    start = time.perf_counter()
                    result = functions.invoke("api", event)
                    samples.append((time.perf_counter() - start) * 1000)
                    assert result["statusCode"] == 201, result
    samples.sort()
    print(f"\nWarm POST /calls/schedule against in-process moto, {REQUESTS} requests")
    print(f"  median {statistics.median(samples):.2f} ms   p95 {samples[int(len(samples) * 0.95) - 1]:.2f} ms")
    print("  AWS API calls per schedule request:")
    for name, count in sorted(calls.items()):
        print(f"    {name:<40} {count / REQUESTS:.2f}")
    print("  (moto is slower than DynamoDB/Scheduler; the count, not the time, is what carries over to AWS)")


DYNAMODB_WRITE_PRICE_PER_MILLION = 0.625
"""On-demand write request units, us-east-1, USD per million."""


def request_budget() -> None:
    """What each clinic's request budget adds to a request: one conditional ``UpdateItem`` (moto, in process)."""
    from datetime import UTC, datetime, timedelta

    import boto3

    from scripts.invoke import sandbox
    from shared.dal.request_counters import DynamoClinicRequestCounters

    with sandbox():
        counters = DynamoClinicRequestCounters(boto3.client("dynamodb"), os.environ["TABLE_NAME"])
        window = datetime.now(UTC).replace(microsecond=0)
        samples = []
        for index in range(REQUESTS):
            start = time.perf_counter()
            counters.count(f"clinic-{index % 10}", window, REQUESTS, window + timedelta(minutes=5))
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    per_million = DYNAMODB_WRITE_PRICE_PER_MILLION
    print(f"\nRequest budget: one UpdateItem per authenticated request, {REQUESTS} against in-process moto")
    print(f"  median {statistics.median(samples):.2f} ms   p95 {samples[int(len(samples) * 0.95) - 1]:.2f} ms")
    print(f"  1 write unit a request: ${per_million:.3f} per million requests on demand (DynamoDB: a few ms in region)")


def calls_per_attempt() -> AnsweredCall:
    """One answered call, end to end in the sandbox: AWS API calls and DynamoDB units by phase (``bench.capacity``
    says how the units are computed)."""
    from bench.answered_call import answered_call

    measured = answered_call()
    print("\nOne answered call: schedule request + one attempt + three webhooks (sandbox, moto)")
    print(f"  execute: {measured.result}; webhooks call_started, call_ended, call_analyzed: {measured.statuses}")
    for name, phase in measured.phases.items():
        units = f"{phase.units.write:g} WRU, {phase.units.read:g} RRU"
        print(f"  {name} ({phase.invocations} invocation(s)): {sum(phase.calls.values())} AWS calls, {units}")
        for call, count in sorted(phase.calls.items()):
            print(f"    {call:<40} {count}")
        for kind, wru in sorted(phase.units.by_kind.items()):
            print(f"    writes to {kind:<30} {wru:g} WRU")
    print(f"  total: {measured.aws_calls} AWS API calls (target <= 12), {measured.write_units:g} DynamoDB write units")
    print(f"  (target <= 15), {measured.read_units:g} read units")
    print("  (secretsmanager is read once per container and cached for 5 minutes: not counted per call)")
    return measured


def dials_across_the_suites() -> None:
    ledger = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"dial-ledger-{os.getpid()}.jsonl")
    suites = [
        "tests/integration/test_call_lifecycles.py",
        "tests/integration/test_execution_faults.py",
        "tests/integration/test_retell_webhook.py",
        "tests/integration/test_dialing_leases.py",
        "tests/integration/test_call_now.py",
        "tests/integration/test_reconciliation.py",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *suites],
        env={**os.environ, "DIAL_LEDGER": ledger},
        capture_output=True,
        text=True,
    )
    rows = []
    if os.path.exists(ledger):
        with open(ledger) as file:
            rows = [json.loads(line) for line in file]
        os.remove(ledger)
    scheduled = sum(row["scheduled"] for row in rows)
    dials = sum(row["dials"] for row in rows)
    requests = sum(row["requests"] for row in rows)
    print(
        f"\nDials across the lifecycle and fault suites ({len(rows)} tests; {result.stdout.strip().splitlines()[-1]})"
    )
    print(f"  calls scheduled {scheduled}, create-phone-call requests {requests}, calls placed (dials) {dials}")
    print(f"  dials per scheduled call {dials / max(scheduled, 1):.2f}; each test asserts its own intended count")
    retries = sum(max(row["dials"] - row["scheduled"], 0) for row in rows)
    print(f"  dials beyond one per call {retries} (all retries of no-answer/busy numbers, as intended)")


if __name__ == "__main__":
    from standins import iam_harness

    # Each benchmark sends a clinic's requests as fast as they go (many on a simulated clock that stands still): each
    # clinic's request budget is raised out of their way, and measured by itself (request_budget).
    os.environ.update(LOAD_RUN_BUDGET)
    # The functions' AWS requests are checked against their roles here too (standins/iam_harness.py).
    iam_harness.install()
    iam_harness.on_refusal(lambda refusal: print(f"IAM REFUSED {refusal}", flush=True))
    from bench.best_time import best_time_figures
    from bench.burst import burst_figures
    from bench.dashboard import dashboard_figures
    from bench.extension import extension_figures
    from bench.fault_matrix import fault_matrix
    from bench.handlers import handler_figures
    from bench.infra import cost_per_1000_calls, synth_and_sizes
    from bench.local_stack import local_stack
    from bench.notices import notice_figures
    from bench.reconciler import reconciler_cost
    from bench.retention import retention_cost
    from bench.safety import layer_sizes, safety_cost
    from bench.scale import capacity_figures
    from bench.text_reach import text_reach

    cold_start()
    warm_latency()
    request_budget()
    answered = calls_per_attempt()
    dials_across_the_suites()
    reconciler_cost()
    retention_cost()
    text_reach()
    safety_cost()
    layer_sizes()
    fault_matrix()
    notice_figures()
    synth_and_sizes()
    cost = cost_per_1000_calls(answered, handler_figures(answered))
    capacity_figures(answered, cost)
    burst_figures()
    best_time_figures()
    local_stack()
    extension_figures()
    dashboard_figures()
    print(f"\n{iam_harness.summary(iam_harness.tally())}")
