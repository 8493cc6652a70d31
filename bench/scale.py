"""What happens at 100, 1,000 and 10,000 clinics (``make bench``; ``docs/capacity.md`` explains each line).

The per-call figures are measured: one answered call (``bench/answered_call.py``) counts each AWS request and the
DynamoDB write units, by phase (the schedule request, the execute its schedule fires, the three webhooks). The load
model on top is stated, not measured:

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

import math
from typing import TYPE_CHECKING

from shared.dal.table_design import OPEN_WORK_INDEX, OPEN_WORK_SHARDS
from shared.domain.lifecycle import MAX_REQUEUES

if TYPE_CHECKING:
    from bench.answered_call import AnsweredCall

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
FIXED_PER_MONTH = 12.50  # metrics, alarms, the dashboard, the key, the secrets (bench/infra.py itemizes it)


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


def _longest_wait_minutes() -> float:
    """How long a call may wait for a dialing lease before it fails: ``MAX_REQUEUES`` re-queues of the mean delay."""
    from shared.domain.lifecycle import REQUEUE_DELAY, REQUEUE_JITTER

    return MAX_REQUEUES * (REQUEUE_DELAY + REQUEUE_JITTER / 2).total_seconds() / 60


def capacity_table(answered: AnsweredCall, cost_per_1000: dict[int, float] | None = None) -> None:
    execute = answered.phases["execute"]
    wru, wru_at_dial = answered.write_units, execute.units.write
    open_work = sum(phase.units.by_kind.get(f"CALL -> {OPEN_WORK_INDEX}", 0.0) for phase in answered.phases.values())
    creates_per_attempt = sum(phase.calls["scheduler.CreateSchedule"] for phase in answered.phases.values())
    print("\nCapacity at 50 calls a clinic a day (model in bench/scale.py; quotas in docs/capacity.md)")
    print(
        f"  measured per answered call: {answered.aws_calls} AWS calls, {wru:.0f} DynamoDB write units"
        f" ({wru_at_dial:.0f} at the dial; {open_work:.0f} on the open-work index)"
    )
    print(f"  {'figure':<58} {'quota':>8}" + "".join(f" {f'{scale:,} clinics':>15}" for scale in SCALES))
    rows: dict[str, tuple[float, list[float]]] = {}
    for scale in SCALES:
        calls_per_day = scale * CALLS_PER_CLINIC_DAY
        attempts_per_s = calls_per_day * ATTEMPTS_PER_CALL / CLINIC_DAY_SECONDS
        burst_calls = calls_per_day * PEAK_SHARE_IN_ONE_MINUTE
        burst_per_s = burst_calls / 60
        figures = {
            "calls a day": (math.nan, calls_per_day),
            "Scheduler CreateSchedule /s (day average)": (
                QUOTAS["scheduler_create_tps"],
                attempts_per_s * creates_per_attempt,
            ),
            "Scheduler invocations /s (09:00 burst)": (QUOTAS["scheduler_invocations_tps"], burst_per_s),
            "Lambda concurrency, execute (09:00 burst)": (
                QUOTAS["lambda_concurrency"],
                min(burst_per_s, QUOTAS["scheduler_invocations_tps"]) * EXECUTE_SECONDS,
            ),
            "Lambda concurrency, webhooks + API (day average)": (
                QUOTAS["lambda_concurrency"],
                attempts_per_s * (3 * WEBHOOK_SECONDS + API_SECONDS / ATTEMPTS_PER_CALL),
            ),
            "API Gateway requests /s (day average)": (
                QUOTAS["api_rps"],
                attempts_per_s * (3 + 1 / ATTEMPTS_PER_CALL),
            ),
            "DynamoDB write units /s, table (day average)": (QUOTAS["dynamodb_table_wru"], attempts_per_s * wru),
            "DynamoDB write units /s, table (09:00 burst)": (QUOTAS["dynamodb_table_wru"], burst_per_s * wru_at_dial),
            f"open-work index writes /s per shard ({OPEN_WORK_SHARDS}; day average)": (
                QUOTAS["dynamodb_partition_wru"],
                attempts_per_s * open_work / OPEN_WORK_SHARDS,
            ),
            "Retell concurrent calls to keep up (day average)": (
                QUOTAS["retell_concurrency"],
                attempts_per_s * CALL_MINUTES * 60,
            ),
            "Retell concurrent calls to dial the 09:00 burst in 30 min": (
                QUOTAS["retell_concurrency"],
                burst_calls * CALL_MINUTES / 30,
            ),
            "minutes to dial the 09:00 burst at Retell's default 20": (
                _longest_wait_minutes(),
                burst_calls * CALL_MINUTES / QUOTAS["retell_concurrency"],
            ),
        }
        if cost_per_1000 is not None:
            monthly = calls_per_day * ATTEMPTS_PER_CALL * WORKING_DAYS_PER_MONTH / 1000 * cost_per_1000[scale]
            figures["AWS cost a month, USD (per-call part + ~$12.50 fixed)"] = (math.nan, monthly + FIXED_PER_MONTH)
        for name, (quota, value) in figures.items():
            rows.setdefault(name, (quota, []))[1].append(value)
    for name, (quota, values) in rows.items():
        quota_text = "" if math.isnan(quota) else f"{quota:,.0f}"
        cells = "".join(
            f" {f'{value:,.1f}' + ('!' if not math.isnan(quota) and value > quota else ''):>15}" for value in values
        )
        print(f"  {name:<58} {quota_text:>8}{cells}")
    print("  '!': over the default quota (Scheduler delays invocations over its rate, it loses none). The last row's")
    print(f"  'quota' is how long a call may wait for a lease: {MAX_REQUEUES} re-queues of about a minute and a half.")


def capacity_figures(answered: AnsweredCall | None = None, cost_per_1000: dict[int, float] | None = None) -> None:
    """The table; with ``cost_per_1000`` by scale (``make bench`` passes the measured one), the monthly cost too."""
    from bench.answered_call import answered_call

    capacity_table(answered or answered_call(), cost_per_1000)


if __name__ == "__main__":
    capacity_figures()
