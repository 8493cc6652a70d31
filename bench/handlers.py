"""Each handler's start and size (``make bench``): import time over the floor of the libraries it needs, the extra
time of a new execute container's first dial, and the memory each function is given, by measurement.

Import over the floor: each round runs every statement in a fresh interpreter, in a shuffled order, and takes each
handler's ratio to its floor in that round; the figure is the median of the ratios (machine noise moves a round's
figures together, so ratios taken in one round are steadier than ratios of medians). The floor is what no handler
can avoid: boto3, pydantic, and Powertools' Logger, Metrics and Tracer built as ``shared.observability`` builds them,
plus Powertools' event handler for the API (its router).

Memory: Lambda gives a function CPU in proportion to its memory (one vCPU at 1,769 MB) and bills GB x seconds. A
handler's duration at ``M`` MB is modelled as its own CPU time x max(1, 1769 / M) plus the time it waits on AWS and
Retell (which memory does not change). Below one vCPU the CPU part's cost is the same at every size (half the
memory, twice the time), so the waiting part decides: the smallest size that holds the process (the resident set
after import and one invocation, with 50% headroom) and keeps the CPU part of a warm invocation and of the init
phase within its budget is the cheapest. The sizes in ``infra/functions.py`` (``MEMORY_MB``) are chosen this way.
"""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.answered_call import AnsweredCall

ROUNDS = int(os.environ.get("BENCH_IMPORT_RUNS", "9"))
ONE_VCPU_MB = 1769
HEADROOM = 1.5
LATENCY_BUDGET_SECONDS = {"api": 0.05, "execute": 0.10, "retell_webhook": 0.05}
"""The CPU time a warm invocation may take (at the chosen size) beyond its waits: the API answers people, execute
dials, the webhook answers Retell (which waits at most 10 s, so the budget is about Lambda's bill, not Retell)."""
INIT_BUDGET_SECONDS = 5.0
"""A cold start's init phase (imports, at the chosen size's CPU): Lambda allows 10 s; an execute container's first
dial waits for it, and Scheduler's one-minute precision makes a few seconds invisible to the owner."""

FLOOR = "import boto3, pydantic; from shared.observability import logger, metrics, tracer"  # what every handler builds
API_FLOOR = FLOOR + "; import aws_lambda_powertools.event_handler"
EXECUTE_FLOOR = FLOOR + "; import retell"
STATEMENTS = {
    "floor": FLOOR,
    "api floor": API_FLOOR,
    "execute floor": EXECUTE_FLOOR,
    "api": "import api.handler",
    "execute": "import execute.handler",
    "retell_webhook": "import retell_webhook.handler",
}
FLOORS = {"api": "api floor", "execute": "execute floor", "retell_webhook": "floor"}
LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
    "TABLE_NAME": "calls",
    "SCHEDULE_GROUP_NAME": "calls",
    "EXECUTE_FUNCTION_ARN": "arn:aws:lambda:us-east-1:123456789012:function:execute",
    "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/scheduler",
    "SCHEDULER_DLQ_ARN": "arn:aws:sqs:us-east-1:123456789012:dead-letters",
    "RETELL_SECRET_NAME": "retell",
    "PAGE_TOKEN_SECRET_NAME": "page-token",
    "AWS_DEFAULT_REGION": "us-east-1",
}
"""As in Lambda (a deployed function's environment): the handlers check it at import, and the execute handler
imports retell-sdk in its init phase."""


NOT_IN_THE_LAYER = ("click", "rich", "pygments")
"""Packages this venv has only for development (schemathesis brings them) that a handler would still import here:
``import httpx`` loads its command line (``httpx._main``: click, rich, pygments, ~50 ms) when they are importable.
The dependency layer is built from the runtime dependencies alone (``infra/assets.py``), so in Lambda that import
fails at once; the bench makes them unimportable the same way."""

SHARED = Path(__file__).resolve().parents[1] / "shared"


def _lambda_env() -> dict[str, str]:
    """A measured interpreter's environment: the function's, and bytecode as Lambda has it. The shared layer ships
    byte-compiled (``infra/assets.py``), so ``shared/`` is compiled once here; the function's own folder ships
    without bytecode, so nothing is written and a handler's module is compiled at each import, as in Lambda.
    Without this, the figures depended on the machine: with ``PYTHONDONTWRITEBYTECODE`` set, every round also
    compiled all of ``shared/`` (about a tenth of the floor), which no cold start in Lambda does."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(SHARED)], check=True)
    return {**os.environ, **LAMBDA_ENV, "PYTHONDONTWRITEBYTECODE": "1"}


def _seconds(statement: str, env: dict[str, str]) -> float:
    as_in_the_layer = f"import sys; sys.modules.update(dict.fromkeys({NOT_IN_THE_LAYER!r}))"
    timed = f"{as_in_the_layer}; import time; _t = time.perf_counter(); {statement}; print(time.perf_counter() - _t)"
    done = subprocess.run([sys.executable, "-c", timed], check=True, capture_output=True, text=True, env=env)
    return float(done.stdout.strip().splitlines()[-1])


def import_over_floor() -> None:
    ratios: dict[str, list[float]] = {name: [] for name in FLOORS}
    seconds: dict[str, list[float]] = {name: [] for name in STATEMENTS}
    env = _lambda_env()
    for _ in range(ROUNDS):
        order = list(STATEMENTS)
        random.shuffle(order)
        round_seconds = {name: _seconds(STATEMENTS[name], env) for name in order}
        for name, value in round_seconds.items():
            seconds[name].append(value)
        for name, floor in FLOORS.items():
            ratios[name].append(round_seconds[name] / round_seconds[floor])
    print(f"\nHandler import over the floor of its libraries (fresh interpreters, {ROUNDS} shuffled rounds)")
    floors = {
        "floor": "boto3, pydantic, Powertools Logger/Metrics/Tracer",
        "api floor": "the floor and Powertools' event handler",
        "execute floor": "the floor and retell-sdk (imported in init)",
    }
    for floor, what in floors.items():
        print(f"  {floor:<14} {statistics.median(seconds[floor]):.3f} s   ({what})")
    for name in FLOORS:
        print(
            f"  {name + ' handler':<24} {statistics.median(seconds[name]):.3f} s   "
            f"{statistics.median(ratios[name]):.2f}x its floor (target <= 1.10x)"
        )
    first_dial()


def first_dial() -> None:
    """What a new execute container's first dial pays beyond a warm dial: importing what the dial path still lacks
    after init (retell-sdk's client and types) and building the client, in a fresh interpreter after the handler's
    own import, as Lambda runs them (init, then the first event)."""
    probe = (
        "import time, sys; import execute.handler; _t = time.perf_counter(); "
        "from shared.adapters.retell_dialer import RetellConnection; import retell; "
        "retell.Retell(api_key='key_bench', base_url='http://127.0.0.1:9', max_retries=0); "
        "print(time.perf_counter() - _t)"
    )
    samples = []
    env = _lambda_env()
    for _ in range(ROUNDS):
        done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True, env=env)
        samples.append(float(done.stdout.strip().splitlines()[-1]))
    print(
        f"  first dial of a new execute container, beyond a warm dial: {statistics.median(samples):.3f} s "
        "(target <= 0.2 s; retell-sdk imported during init)"
    )


@dataclass(frozen=True)
class Profile:
    """A function's measured needs and the size chosen from them."""

    function: str
    init_seconds: float  # the handler's import, on this machine
    init_rss_mb: float  # resident set after the import
    cpu_seconds: float  # own CPU time of one warm invocation (wall time less the waits on moto)
    waits: int  # AWS calls per invocation (each a wait that memory does not shorten)
    heap_mb: float  # peak Python heap of one invocation
    memory_mb: int  # the size chosen (infra/functions.py)

    def duration_seconds(self, memory_mb: int, wait_seconds: float) -> float:
        return self.cpu_seconds * max(1.0, ONE_VCPU_MB / memory_mb) + self.waits * wait_seconds

    def init_at(self, memory_mb: int) -> float:
        return self.init_seconds * max(1.0, ONE_VCPU_MB / memory_mb)


def _init(function: str) -> tuple[float, float]:
    # VmHWM, not getrusage: ru_maxrss survives exec, so a child would report its parent's (the bench's) peak.
    statement = (
        f"import time, re; _t = time.perf_counter(); import {function}.handler; _s = time.perf_counter() - _t; "
        "print(_s, int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) / 1024)"
    )
    runs = []
    env = _lambda_env()
    for _ in range(max(3, ROUNDS // 3)):
        done = subprocess.run([sys.executable, "-c", statement], check=True, capture_output=True, text=True, env=env)
        seconds, rss = done.stdout.strip().splitlines()[-1].split()
        runs.append((float(seconds), float(rss)))
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


SIZES = (128, 256, 512, 768, 1024, 1536, 1769)


def choose_memory(init_seconds: float, rss_mb: float, cpu_seconds: float, budget: float) -> int:
    for size in SIZES:
        fits = size >= rss_mb * HEADROOM
        fast_enough = cpu_seconds * max(1.0, ONE_VCPU_MB / size) <= budget
        starts = init_seconds * max(1.0, ONE_VCPU_MB / size) <= INIT_BUDGET_SECONDS
        if fits and fast_enough and starts:
            return size
    return SIZES[-1]


def handler_profiles(answered: AnsweredCall) -> dict[str, Profile]:
    """Each function's measured needs (``answered``: the answered call's phases) and its configured size."""
    from infra.functions import MEMORY_MB

    phases = {"api": "schedule", "execute": "execute", "retell_webhook": "webhooks"}
    profiles = {}
    for function, phase_name in phases.items():
        phase = answered.phases[phase_name]
        init_seconds, rss = _init(function)
        count = max(phase.invocations, 1)
        profiles[function] = Profile(
            function=function,
            init_seconds=init_seconds,
            init_rss_mb=rss,
            cpu_seconds=max(phase.wall_seconds - phase.aws_seconds, 0.0) / count,
            waits=math.ceil(sum(phase.calls.values()) / count),
            heap_mb=phase.peak_bytes / 1e6,
            memory_mb=MEMORY_MB[function],
        )
    print("\nLambda memory by measurement (CPU scales with memory, 1 vCPU at 1,769 MB; cost = GB x s)")
    print(
        f"  {'function':<15} {'init s':>7} {'RSS MB':>7} {'heap MB':>8} {'CPU ms':>7} {'waits':>6} "
        f"{'needs MB':>9} {'chosen':>7} {'128':>7} {'256':>7} {'512':>7} {'1024':>7}   (ms of a warm invocation)"
    )
    for profile in profiles.values():
        need = choose_memory(
            profile.init_seconds,
            profile.init_rss_mb + profile.heap_mb,
            profile.cpu_seconds,
            LATENCY_BUDGET_SECONDS[profile.function],
        )
        at = "".join(f" {profile.duration_seconds(size, WAIT_SECONDS) * 1000:7.0f}" for size in (128, 256, 512, 1024))
        print(
            f"  {profile.function:<15} {profile.init_seconds:7.3f} {profile.init_rss_mb:7.0f} {profile.heap_mb:8.1f} "
            f"{profile.cpu_seconds * 1000:7.1f} {profile.waits:6d} {need:9d} {profile.memory_mb:7d}{at}"
        )
    print(
        f"  (a wait on DynamoDB or Scheduler is taken as {WAIT_SECONDS * 1000:.0f} ms in the region; the dial's wait "
        f"on Retell as {RETELL_DIAL_SECONDS:.1f} s; headroom {HEADROOM}x the resident set)"
    )
    return profiles


WAIT_SECONDS = 0.010
"""One DynamoDB or Scheduler request from Lambda in the same region (single-digit milliseconds, rounded up)."""
RETELL_DIAL_SECONDS = 0.5
"""Retell's answer to create-phone-call (the simulated Retell answers at once; a few hundred ms in production):
assumed, and the largest single part of the execute function's bill."""


def handler_figures(answered: AnsweredCall) -> dict[str, Profile]:
    import_over_floor()
    return handler_profiles(answered)


if __name__ == "__main__":
    print(json.dumps(STATEMENTS))
