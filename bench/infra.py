"""Infrastructure figures: synth time (cold and warm), asset sizes, and the AWS cost per 1,000 calls."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.answered_call import AnsweredCall
from bench.handlers import Profile

ROOT = Path(__file__).resolve().parents[1]


def _synth(outdir: str, build_dir: str | None = None) -> float:
    env = {**os.environ, "CDK_OUTDIR": outdir}
    if build_dir:
        env["DCS_BUILD_DIR"] = build_dir
    start = time.perf_counter()
    subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def _size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def synth_and_sizes() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        cold = _synth(f"{scratch}/out-cold", build_dir=f"{scratch}/build")
        warm = _synth(f"{scratch}/out-warm")
        again = _synth(f"{scratch}/out-warm")
        print("\nSynth (python app.py: template, cdk-nag, layers built without Docker)")
        print(f"  cold (empty .build; uv's wheel cache warm)   {cold:6.1f} s")
        print(f"  warm (layer reused from .build)              {warm:6.1f} s, again {again:.1f} s")
        out = Path(f"{scratch}/out-warm")
        import json

        manifest = json.loads((out / "DischargeCallScheduler.assets.json").read_text())
        print("  unzipped asset sizes (AWS limit for a function with its layers: 250 MB)")
        for asset in manifest["files"].values():
            source = out / asset["source"]["path"]
            if source.is_dir():
                kind = _describe(source)
                print(f"    {kind:<40} {_size_mb(source) * 1000:9.0f} KB")
        print("    (each function = its code + both layers; boto3/botocore come from the runtime)")


def _describe(folder: Path) -> str:
    names = {p.name for p in folder.iterdir()}
    if "python" in names:
        inner = {p.name for p in (folder / "python").iterdir()}
        return "dependency layer" if "pydantic" in inner else "shared-code layer"
    for name in ("api", "execute", "retell_webhook"):
        if name in names:
            return f"function code ({name})"
    return "asset"


# us-east-1 list prices (AWS pricing pages, 2026): per unit, in USD.
PRICES = {
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_arm": 0.0000133334,
    "http_api_request": 1.00 / 1e6,
    "dynamodb_wru": 0.625 / 1e6,
    "dynamodb_rru": 0.125 / 1e6,
    "scheduler_invocation": 1.00 / 1e6,  # after 14 M free per month
    "logs_gb": 0.50,
    "xray_trace": 5.00 / 1e6,  # after 100,000 free per month
}
XRAY_SAMPLED = 0.05
"""Lambda's active tracing samples the first request each second and 5% of the rest; Lambda does not take X-Ray
sampling rules (only API Gateway, AppSync and Step Functions do), so 5% is the share of a busy deployment's
invocations traced. The first request of each second is at most ~2.6 M traces a month per function, a fixed part
that X-Ray's 100,000 free traces cover at a clinic's volume; ``-c tracing=PassThrough`` turns traces off."""
PLATFORM_LOG_BYTES = 700
"""Lambda's own JSON lines per invocation (platform.start, platform.report): about 700 bytes."""
CLINIC_READS = 2
"""API requests by which the clinic looks at a call (the list, the call): assumed, as their reads are small."""


REFERENCE_CLINICS = 100
"""The scale whose bill ``make bench`` itemizes: the smallest of ``docs/capacity.md``'s."""


def _cost_lines(
    answered: AnsweredCall, profiles: dict[str, Profile], cold_shares: dict[str, float]
) -> list[tuple[str, str, float]]:
    """The bill of 1,000 answered calls, line by line, when ``cold_shares`` of each function's invocations start an
    environment (``bench.cold_starts``)."""
    from bench.handlers import RETELL_DIAL_SECONDS, WAIT_SECONDS

    calls = 1000
    phases = answered.phases
    function_of = {"schedule": "api", "execute": "execute", "webhooks": "retell_webhook"}
    invocations = {name: phase.invocations for name, phase in phases.items()}
    invocations["schedule"] += CLINIC_READS
    api_requests = invocations["schedule"] + invocations["webhooks"]
    gb_seconds = 0.0
    for phase_name, count in invocations.items():
        function = function_of[phase_name]
        profile = profiles[function]
        gb = profile.memory_mb / 1024
        seconds = profile.duration_seconds(profile.memory_mb, WAIT_SECONDS)
        if phase_name == "execute":
            seconds += RETELL_DIAL_SECONDS
        seconds += cold_shares[function] * profile.init_at(profile.memory_mb)
        gb_seconds += count * gb * seconds
    requests = sum(invocations.values())
    wru, rru = answered.write_units, answered.read_units
    log_bytes = sum(phase.log_bytes for phase in phases.values()) + requests * PLATFORM_LOG_BYTES
    traces = requests * XRAY_SAMPLED
    return [
        (
            "API Gateway HTTP API",
            f"{api_requests} req x {calls} x $1.00/M",
            api_requests * calls * PRICES["http_api_request"],
        ),
        ("Lambda requests", f"{requests} x {calls} x $0.20/M", requests * calls * PRICES["lambda_request"]),
        (
            "Lambda duration (arm64)",
            f"{gb_seconds:.3f} GB-s x {calls} x $0.0000133334",
            gb_seconds * calls * PRICES["lambda_gb_second_arm"],
        ),
        ("DynamoDB writes (on-demand)", f"{wru:g} WRU x {calls} x $0.625/M", wru * calls * PRICES["dynamodb_wru"]),
        ("DynamoDB reads (on-demand)", f"{rru:g} RRU x {calls} x $0.125/M", rru * calls * PRICES["dynamodb_rru"]),
        (
            "EventBridge Scheduler",
            f"1 x {calls} x $1.00/M (beyond 14 M/month free)",
            calls * PRICES["scheduler_invocation"],
        ),
        (
            "CloudWatch Logs ingestion",
            f"{log_bytes / 1000:.1f} KB x {calls} x $0.50/GB",
            log_bytes * calls / 1e9 * PRICES["logs_gb"],
        ),
        (
            "X-Ray traces (sampled)",
            f"{requests} x {XRAY_SAMPLED:.0%} x {calls} x $5.00/M",
            traces * calls * PRICES["xray_trace"],
        ),
    ]


def cost_per_1000_calls(answered: AnsweredCall, profiles: dict[str, Profile]) -> dict[int, float]:
    """The AWS cost of 1,000 answered calls at each scale of ``bench.cold_starts``, from the measured flow
    (``bench.answered_call``): its AWS calls, write and read units, log bytes and invocations; each function's
    duration from its measured CPU time and waits at its configured size (``bench.handlers``), INIT from its measured
    import time, times the share of its invocations that start an environment at that scale."""
    from bench.cold_starts import print_shares, shares_by_scale
    from bench.handlers import RETELL_DIAL_SECONDS, WAIT_SECONDS

    shares = shares_by_scale(CLINIC_READS)
    print_shares(shares)
    totals = {
        clinics: sum(usd for *_, usd in _cost_lines(answered, profiles, cold)) for clinics, cold in shares.items()
    }
    print(
        f"\nAWS cost per 1,000 answered calls at {REFERENCE_CLINICS} clinics, from the measured flow (us-east-1 list "
        "prices;"
    )
    print("Retell's per-minute price is extra)")
    for item, arithmetic, usd in _cost_lines(answered, profiles, shares[REFERENCE_CLINICS]):
        print(f"  {item:<30} {arithmetic:<52} ${usd:8.4f}")
    print(f"  {'total':<30} {'(target <= $0.03)':<52} ${totals[REFERENCE_CLINICS]:8.4f}")
    print("  total at " + ", ".join(f"{clinics:,} clinics ${usd:.4f}" for clinics, usd in totals.items()))
    print(
        "  measured: AWS calls, WRU/RRU and log bytes of the flow; CPU time, waits and INIT of each function at its\n"
        f"  size; cold starts simulated (above). Assumed: {CLINIC_READS} reads by the clinic, "
        f"{WAIT_SECONDS * 1000:.0f} ms per AWS call, {RETELL_DIAL_SECONDS} s for Retell's answer to a dial."
    )
    print("  fixed per month, whatever the volume: ~20 custom metrics x $0.30, 11 alarms x $0.10, a dashboard $3,")
    print(
        "  a KMS key $1, a secret $0.40: about $12.50. A call retried 3 times costs about 3x its execute/webhook part."
    )
    return totals


if __name__ == "__main__":
    from bench.answered_call import answered_call
    from bench.handlers import handler_profiles

    measured = answered_call()
    synth_and_sizes()
    cost_per_1000_calls(measured, handler_profiles(measured))
