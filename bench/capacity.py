"""What happens at 100, 1,000 and 10,000 clinics (``make bench``; ``docs/capacity.md`` explains each line).

The per-call figures are measured here: a Monday-09:00 burst with room for every call (``bench/burst.py``) counts
each AWS request one answered call makes, by service and operation, from the schedule request through execute to
the three webhooks. The load model on top is stated, not measured:

* 50 calls a clinic a day, 22 working days a month, dialed within an 8-hour clinic day;
* ``ATTEMPTS_PER_CALL`` attempts a call on average (a quarter of owners need one retry, a few two or three);
* the peak is Monday 09:00 with every clinic in one time zone and an eighth of the day's calls (its first hour)
  due in the same minute: the worst case, since real clinics spread over zones and minutes;
* a call lasts ``CALL_MINUTES`` on average, so the Retell concurrency it needs is dial rate x call length;
* an execute runs about ``EXECUTE_SECONDS`` (mostly Retell's answer to create-phone-call), a webhook
  ``WEBHOOK_SECONDS``, an API request ``API_SECONDS``: Lambda concurrency is rate x duration.

Quotas are the AWS defaults in a primary Region, each cited in ``docs/capacity.md``.
"""

from __future__ import annotations

import contextlib
import io
import math
from dataclasses import dataclass

from bench.burst import WRITES, Burst, run_burst

CALLS_PER_CLINIC_DAY = 50
WORKING_DAYS_PER_MONTH = 22
CLINIC_DAY_SECONDS = 8 * 3600
PEAK_SHARE_IN_ONE_MINUTE = 1 / 8
ATTEMPTS_PER_CALL = 1.3
CALL_MINUTES = 3.0
EXECUTE_SECONDS = 1.0
WEBHOOK_SECONDS = 0.1
API_SECONDS = 0.1
SCALES = (100, 1_000, 10_000)

QUOTAS = {
    "scheduler_create_tps": 5_000,  # CreateSchedule, primary Regions (adjustable)
    "scheduler_invocations_tps": 1_000,  # targets invoked per second; over it invocations are delayed, not dropped
    "lambda_concurrency": 1_000,  # concurrent executions per account and Region (adjustable to tens of thousands)
    "lambda_scaling_per_10s": 1_000,  # new execution environments per function every 10 seconds
    "api_rps": 10_000,  # API Gateway, per account and Region (burst 5,000)
    "dynamodb_table_wru": 40_000,  # on-demand table, write request units per second (adjustable)
    "dynamodb_partition_wru": 1_000,  # one partition (one hot item), write units per second
    "retell_concurrency": 20,  # a pay-as-you-go workspace's default concurrent calls (raised on request)
}


@dataclass(frozen=True)
class PerCall:
    """One answered call's AWS requests, measured."""

    requests: dict[str, float]

    def of(self, *names: str) -> float:
        return float(sum(self.requests[name] for name in names))

    def service(self, service: str) -> float:
        return float(sum(count for name, count in self.requests.items() if name.startswith(f"{service}.")))

    @property
    def dynamodb_writes(self) -> float:
        return float(
            sum(count for name, count in self.requests.items() if name.split(".")[1] in WRITES and "dynamodb" in name)
        )


def measure_per_call(clinics: int = 10, calls_per_clinic: int = 10) -> PerCall:
    burst = Burst(clinics=clinics, calls_per_clinic=calls_per_clinic, workspace_limit=clinics * calls_per_clinic + 1)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        tally = run_burst(burst)
    return PerCall({name: count / burst.calls for name, count in tally.aws_calls.items()})


def capacity_table(per_call: PerCall, write_units_per_call: float | None = None) -> None:
    wru = write_units_per_call if write_units_per_call is not None else per_call.dynamodb_writes
    print("\nCapacity at 50 calls a clinic a day (model in bench/capacity.py; quotas in docs/capacity.md)")
    print(
        "  measured per answered call: "
        + ", ".join(f"{name} {count:.2f}" for name, count in sorted(per_call.requests.items()) if count >= 0.01)
    )
    print(f"  DynamoDB write units per call used below: {wru:.1f}")
    header = f"  {'figure':<44} {'quota':>8}" + "".join(f" {f'{scale:,} clinics':>15}" for scale in SCALES)
    print(header)
    rows: list[tuple[str, float, list[float]]] = []
    for scale in SCALES:
        calls_per_day = scale * CALLS_PER_CLINIC_DAY
        attempts_per_day = calls_per_day * ATTEMPTS_PER_CALL
        average_attempts_per_s = attempts_per_day / CLINIC_DAY_SECONDS
        peak_attempts_per_s = calls_per_day * PEAK_SHARE_IN_ONE_MINUTE / 60
        retell_needed_avg = average_attempts_per_s * CALL_MINUTES * 60
        retell_needed_peak = peak_attempts_per_s * 60 * CALL_MINUTES  # the peak minute's calls all on the line
        figures = {
            "calls a day": (float("nan"), calls_per_day),
            "Scheduler CreateSchedule /s (day average)": (
                QUOTAS["scheduler_create_tps"],
                average_attempts_per_s * per_call.of("scheduler.CreateSchedule"),
            ),
            "Scheduler invocations /s (09:00 peak)": (QUOTAS["scheduler_invocations_tps"], peak_attempts_per_s),
            "Lambda concurrency, execute (09:00 peak)": (
                QUOTAS["lambda_concurrency"],
                peak_attempts_per_s * EXECUTE_SECONDS,
            ),
            "Lambda concurrency, webhooks (day average)": (
                QUOTAS["lambda_concurrency"],
                average_attempts_per_s * 3 * WEBHOOK_SECONDS,
            ),
            "API Gateway requests /s (day average)": (
                QUOTAS["api_rps"],
                average_attempts_per_s * (3 + 1 / ATTEMPTS_PER_CALL),
            ),
            "DynamoDB write units /s (day average)": (
                QUOTAS["dynamodb_table_wru"],
                average_attempts_per_s * wru,
            ),
            "DynamoDB write units /s (09:00 peak)": (QUOTAS["dynamodb_table_wru"], peak_attempts_per_s * wru),
            "Retell concurrent calls (day average)": (QUOTAS["retell_concurrency"], retell_needed_avg),
            "Retell concurrent calls (09:00 peak)": (QUOTAS["retell_concurrency"], retell_needed_peak),
        }
        for index, (name, (quota, value)) in enumerate(figures.items()):
            if len(rows) <= index:
                rows.append((name, quota, []))
            rows[index][2].append(value)
    for name, quota, values in rows:
        quota_text = "" if math.isnan(quota) else f"{quota:,.0f}"
        cells = "".join(
            f" {f'{value:,.1f}' + ('!' if not math.isnan(quota) and value > quota else ''):>15}" for value in values
        )
        print(f"  {name:<44} {quota_text:>8}{cells}")
    print("  '!': over the default quota. Scheduler delays invocations over its rate (none is lost); the other")
    print("  overs are the ones to raise before that scale (docs/capacity.md says how).")


def capacity_figures() -> None:
    capacity_table(measure_per_call())


if __name__ == "__main__":
    capacity_figures()
