"""The local stack's figures: ``make dev`` to a healthy ``/health``, scheduling throughput over HTTP, and the lag
between a call's time and its dial."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from standins import dev_process
from standins.daytime import daytime_number

ROOT = Path(__file__).resolve().parents[1]
REQUESTS = int(os.environ.get("BENCH_HTTP_REQUESTS", "1000"))


def local_stack() -> None:
    start = time.perf_counter()
    stack = dev_process.start({"LOG_LEVEL": "WARNING", **dev_process.LOAD_RUN_BUDGET})
    url, sim = stack.url, stack.retell_sim_port
    try:
        stack.wait_healthy()
        ready = time.perf_counter() - start
        token = _token("bench")
        headers = {"Authorization": f"Bearer {token}"}
        far = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT17:00:00Z")
        first_hundred = last_hundred = 0.0
        body = {
            "phoneNumber": "+14155550100",
            "petName": "Luna",
            "ownerName": "Sarah",
            "clinicName": "Paws & Claws",
            "clinicPhone": "+14155559876",
            "consent": {"given": True},
            "scheduledFor": far,
        }
        demo = {"Authorization": f"Bearer {_token('demo')}"}
        with httpx.Client(base_url=url, headers=demo, timeout=30) as client:
            due = []
            for index in range(5):  # the demo clinic dials at most 5 at once
                when = (datetime.now(UTC) + timedelta(seconds=4 + index % 3)).replace(microsecond=0)
                # each its own number (the cap is 3 dials per number a day), whose owner is in daytime now
                number = daytime_number(f"+1415555{index:04d}")
                created = client.post(
                    "/calls/schedule",
                    json={**body, "phoneNumber": number, "scheduledFor": when.strftime("%Y-%m-%dT%H:%M:%SZ")},
                ).json()["data"]
                due.append((created["callId"], when))
            time.sleep(9)
            dials = {c["metadata"]["call_id"]: c for c in httpx.get(f"http://127.0.0.1:{sim}/_sim/calls").json()}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            started = time.perf_counter()
            marks = []
            for index in range(REQUESTS):
                assert client.post("/calls/schedule", json=body).status_code == 201
                if index % 100 == 99:
                    marks.append(time.perf_counter())
            sequential = REQUESTS / (time.perf_counter() - started)
            first_hundred = 100 / (marks[0] - started)
            last_hundred = 100 / (marks[-1] - marks[-2]) if len(marks) > 1 else first_hundred

        def one(_: int) -> int:
            with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
                return client.post("/calls/schedule", json=body).status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            assert set(pool.map(one, range(REQUESTS // 4))) == {201}
        parallel = (REQUESTS // 4) / (time.perf_counter() - started)

        lags = [
            (datetime.fromisoformat(dials[call_id]["received_at"]) - when).total_seconds()
            for call_id, when in due
            if call_id in dials
        ]
    finally:
        stack.interrupt(timeout=60)
    print("\nLocal stack (make dev, warm machine: dependencies installed, table definition cached)")
    print(f"  make dev -> healthy /health                    {ready:6.2f} s")
    print(f"  POST /calls/schedule over HTTP, {REQUESTS} requests  {sequential:6.1f} calls/s (one client)")
    print(f"    first 100 at {first_hundred:.1f}/s, last 100 at {last_hundred:.1f}/s (standins.moto_atomic: moto's")
    print("    transactions back up only the items they touch; as shipped they copy the whole table for each item)")
    print(f"  the same, 4 clients                            {parallel:6.1f} calls/s (the API: one at a time)")
    if lags:
        print(
            f"  lag from scheduledFor to the dial, {len(lags)} calls      median {statistics.median(lags):.2f} s, "
            f"max {max(lags):.2f} s (the loop ticks every 0.5 s; times are whole seconds)"
        )


def _token(clinic: str) -> str:
    return (
        subprocess.run(
            ["make", "-s", "token", f"CLINIC={clinic}", "ROLE=admin"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )


if __name__ == "__main__":
    local_stack()
