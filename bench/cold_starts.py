"""How many invocations start a new Lambda execution environment (a cold start, whose INIT Lambda bills), by
simulating a clinic day at each scale (``make bench``).

What Lambda does is partly unpublished, so the simulation states its rules:

* an environment runs one invocation at a time; an invocation takes the idle environment used most recently, or, if
  none is idle, Lambda starts a new one (a cold start);
* an environment idle for ``IDLE_MINUTES`` is reclaimed, and every environment is retired ``LIFETIME_HOURS`` after it
  started at the latest (Lambda documents neither figure; both are on the cautious side of what is reported);
* every environment is cold at the start of the day (a night without calls);
* invocations of each function arrive at random (Poisson) over the clinic day, at the rates of ``bench/scale.py``'s
  load model (50 calls a clinic a day, ``ATTEMPTS_PER_CALL`` attempts a call, three webhooks an attempt, the
  clinic's reads), and last ``bench/scale.py``'s durations.

The 09:00 burst of ``bench/scale.py`` is left out: it starts as many execute environments as it runs at once,
at most a few hundred at 10,000 clinics against some 650,000 executes that day.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass

from bench.scale import (
    API_SECONDS,
    ATTEMPTS_PER_CALL,
    CALLS_PER_CLINIC_DAY,
    CLINIC_DAY_SECONDS,
    EXECUTE_SECONDS,
    WEBHOOK_SECONDS,
)
from bench.scale import SCALES as CAPACITY_SCALES

IDLE_MINUTES = 5.0
LIFETIME_HOURS = 2.0
SCALES = (1, 10, *CAPACITY_SCALES)
"""A clinic alone and ten clinics besides ``docs/capacity.md``'s scales: cold starts are most of a small
deployment's Lambda bill."""
WEBHOOKS_PER_ATTEMPT = 3


@dataclass(frozen=True)
class Load:
    """One function's invocations a clinic a day and how long each runs."""

    per_clinic_day: float
    seconds: float


def loads(clinic_reads: int) -> dict[str, Load]:
    """Each function's load per clinic, from the load model (``clinic_reads``: API reads a call, ``bench.infra``)."""
    attempts = CALLS_PER_CLINIC_DAY * ATTEMPTS_PER_CALL
    return {
        "api": Load(CALLS_PER_CLINIC_DAY * (1 + clinic_reads), API_SECONDS),
        "execute": Load(attempts, EXECUTE_SECONDS),
        "retell_webhook": Load(attempts * WEBHOOKS_PER_ATTEMPT, WEBHOOK_SECONDS),
    }


def cold_start_share(invocations: float, seconds: float, rng: random.Random) -> float:
    """The share of a day's ``invocations`` (each ``seconds`` long, arriving at random) that start an environment."""
    rate = invocations / CLINIC_DAY_SECONDS
    idle_limit, lifetime = IDLE_MINUTES * 60, LIFETIME_HOURS * 3600
    busy: list[tuple[float, float]] = []  # (free at, started at), a heap
    idle: list[tuple[float, float]] = []  # (free since, started at), most recently freed last
    now, arrived, cold = 0.0, 0, 0
    while True:
        now += rng.expovariate(rate)
        if now >= CLINIC_DAY_SECONDS:
            break
        arrived += 1
        while busy and busy[0][0] <= now:
            idle.append(heapq.heappop(busy))
        started = None
        while idle:
            free_since, started_at = idle.pop()
            if now - free_since > idle_limit:
                idle.clear()  # the others have been idle longer still
                break
            if now - started_at <= lifetime:
                started = started_at
                break
        if started is None:
            cold += 1
            started = now
        heapq.heappush(busy, (now + seconds, started))
    return cold / max(arrived, 1)


def shares_by_scale(clinic_reads: int, seed: int = 7) -> dict[int, dict[str, float]]:
    """Each function's cold-start share at each of ``SCALES`` (one simulated day each, fixed seed)."""
    rng = random.Random(seed)
    return {
        clinics: {
            function: cold_start_share(load.per_clinic_day * clinics, load.seconds, rng)
            for function, load in loads(clinic_reads).items()
        }
        for clinics in SCALES
    }


def print_shares(shares: dict[int, dict[str, float]]) -> None:
    functions = list(next(iter(shares.values())))
    print(
        f"\nCold starts by scale (one simulated clinic day; idle environments reclaimed after {IDLE_MINUTES:g} min, "
        f"retired after {LIFETIME_HOURS:g} h)"
    )
    print(f"  {'clinics':>8}" + "".join(f" {function:>15}" for function in functions))
    for clinics, by_function in shares.items():
        print(f"  {clinics:>8,}" + "".join(f" {by_function[function]:>14.2%}" for function in functions))


if __name__ == "__main__":
    import time

    started = time.perf_counter()
    print_shares(shares_by_scale(clinic_reads=2))
    print(f"  ({time.perf_counter() - started:.1f} s)")
