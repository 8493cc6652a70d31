"""Infrastructure figures: synth time (cold and warm), asset sizes, and the AWS cost per 1,000 calls."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def cost_per_1000_calls() -> None:
    calls = 1000
    # Per call (an answered call, one attempt), from the flows measured above (make bench: AWS calls per attempt):
    api_requests = 1 + 2 + 3  # schedule, two reads by the clinic, three webhooks
    invocations = {
        "schedule (512 MB)": (3, 0.512, 0.12),
        "execute (1024 MB)": (1, 1.024, 1.5),
        "webhook (512 MB)": (3, 0.512, 0.10),
    }  # (count, GB, seconds each incl. Retell's answer)
    cold_share, init_seconds = 0.10, 1.2  # a tenth of invocations start cold; INIT is billed
    # DynamoDB: the call item is ~3 KB before the call and ~6 KB with a transcript; the gsi1 projection (ALL)
    # doubles every call write; transactions cost double.
    wru = (2 * 3 + 2 * 1) * 2 + (4 * 4) * 2 + 4  # create (call+lock, transactional, + index), 4 updates, leases
    rru = 12  # consistent reads of the call and settings across the flow (4 KB units)
    log_bytes = 7 * 3_000  # ~3 KB of JSON logs per invocation
    traces = 7
    lines = []

    def add(item: str, arithmetic: str, usd: float) -> None:
        lines.append((item, arithmetic, usd))

    add(
        "API Gateway HTTP API",
        f"{api_requests} req x {calls} x $1.00/M",
        api_requests * calls * PRICES["http_api_request"],
    )
    requests = sum(count for count, _, _ in invocations.values())
    add("Lambda requests", f"{requests} x {calls} x $0.20/M", requests * calls * PRICES["lambda_request"])
    gb_seconds = sum(count * gb * (seconds + cold_share * init_seconds) for count, gb, seconds in invocations.values())
    add(
        "Lambda duration (arm64)",
        f"{gb_seconds:.2f} GB-s x {calls} x $0.0000133334",
        gb_seconds * calls * PRICES["lambda_gb_second_arm"],
    )
    add("DynamoDB writes (on-demand)", f"{wru} WRU x {calls} x $0.625/M", wru * calls * PRICES["dynamodb_wru"])
    add("DynamoDB reads (on-demand)", f"{rru} RRU x {calls} x $0.125/M", rru * calls * PRICES["dynamodb_rru"])
    add(
        "EventBridge Scheduler",
        f"1 x {calls} x $1.00/M (beyond 14 M/month free)",
        calls * PRICES["scheduler_invocation"],
    )
    add(
        "CloudWatch Logs ingestion",
        f"{log_bytes / 1000:.0f} KB x {calls} x $0.50/GB",
        log_bytes * calls / 1e9 * PRICES["logs_gb"],
    )
    add("X-Ray traces", f"{traces} x {calls} x $5.00/M (beyond 100k/month free)", traces * calls * PRICES["xray_trace"])
    total = sum(usd for _, _, usd in lines)
    print("\nEstimated AWS cost per 1,000 answered calls (us-east-1 list prices; Retell's per-minute price is extra)")
    for item, arithmetic, usd in lines:
        print(f"  {item:<30} {arithmetic:<52} ${usd:8.4f}")
    print(f"  {'total':<30} {'':<52} ${total:8.4f}")
    print("  fixed per month, whatever the volume: ~20 custom metrics x $0.30, 11 alarms x $0.10, a dashboard $3,")
    print(
        "  a KMS key $1, a secret $0.40: about $12.50. A call retried 3 times costs about 3x its execute/webhook part."
    )


if __name__ == "__main__":
    synth_and_sizes()
    cost_per_1000_calls()
