"""What calling safety adds to a dial: AWS calls and warm milliseconds of execute, with and without its checks.

The same execute graph (moto in process, the stack's table) dials N scheduled calls twice over: once as it runs
(the do-not-call read, the cap's read and conditional write, the owner's calling hours worked out from the
number), once with the two stores replaced by ones that answer at once without AWS (``NoChecks``), which is what a
dial cost before. The dialer answers at once too, so the difference is the checks' own cost. Also the layer sizes:
the dependency layer as shipped (libphonenumber without its geocoder and carrier data) and what the whole library
would have added.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

CALLS = int(os.environ.get("BENCH_SAFETY_CALLS", "200"))


class NoChecks:
    """A do-not-call list that lists nothing and a cap that always allows, without any AWS call."""

    def get(self, clinic_id: str, phone_number: str) -> None:
        return None

    def page(self, clinic_id: str, limit: int, next_token: str | None) -> tuple[list[Any], str | None]:
        return [], None

    def add(self, clinic_id: str, entry: Any, *, replace: bool) -> bool:
        return False

    def remove(self, clinic_id: str, phone_number: str) -> bool:
        return False

    def take(self, clinic_id: str, phone_number: str, dial_key: str, limit: int, now: datetime) -> None:
        return None

    def give_back(self, clinic_id: str, phone_number: str, dial_key: str) -> None:
        return None


class InstantDialer:
    def __init__(self) -> None:
        self.count = 0

    def dial(self, spec: Any) -> str:
        self.count += 1
        return f"call_bench_{self.count}"

    def find(self, dial_key: str) -> str | None:
        return None

    def get_call(self, retell_call_id: str) -> None:
        return None

    def start_chat(self, spec: Any) -> str:
        return f"chat_bench_{self.count}"

    def get_chat(self, chat_id: str) -> None:
        return None

    def find_chat(self, to_number: str, call_id: str, since: datetime) -> None:
        return None

    def delete_chat(self, chat_id: str) -> None:
        return None


def safety_cost() -> None:
    import boto3

    from bench.run import counting_aws_calls
    from scripts.invoke import sandbox
    from shared.bootstrap.common import dynamo_stores, no_page_tokens
    from shared.bootstrap.execute import build_execute
    from shared.config import FunctionConfig, RetellConfig, from_environment
    from shared.models.execution import ExecuteRequest
    from shared.models.principal import Principal
    from shared.models.requests import ScheduleCallRequest
    from shared.observability import logger

    logger.setLevel("ERROR")

    monday_10am_la = datetime(2030, 12, 2, 18, 0, tzinfo=UTC)
    now = [monday_10am_la]
    results: dict[str, tuple[list[float], Counter[str]]] = {}
    pure: list[float] = []
    stores: list[float] = []
    with sandbox(clock=lambda: now[0]), contextlib.redirect_stdout(io.StringIO()):
        from shared.bootstrap.api import api_from_environment

        os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
        from standins.iam_harness import acting_as

        with acting_as("api"):
            calls = api_from_environment(clock=lambda: now[0]).calls
        admin = Principal("bench", "bench-safety", is_admin=True)
        requests = []
        for index in range(2 * CALLS):
            body = {
                "phoneNumber": f"+1415555{index:04d}",
                "petName": "Luna",
                "ownerName": "Sarah",
                "clinicName": "Paws",
                "clinicPhone": "+14155559876",
                "consent": {"given": True},
            }
            call = calls.schedule(admin, ScheduleCallRequest.model_validate(body)).call
            requests.append(
                ExecuteRequest(
                    call_id=call.call_id,
                    clinic_id=call.clinic_id,
                    attempt=1,
                    token=calls.get(admin, call.call_id).schedule_token,
                    scheduled_time=call.scheduled_for,
                )
            )
        dialer = InstantDialer()
        with acting_as("execute"):
            config, retell = from_environment(FunctionConfig), from_environment(RetellConfig)
            aws_stores = dynamo_stores(
                config,
                dynamodb=boto3.client("dynamodb"),
                scheduler_client=boto3.client("scheduler"),
                page_token_key=no_page_tokens,
            )
            services = build_execute(
                config, retell, stores=aws_stores, dialer=lambda: dialer, texter=lambda: dialer, clock=lambda: now[0]
            )
            without_checks = dataclasses.replace(aws_stores, do_not_call=NoChecks(), dial_cap=NoChecks())
            unchecked = build_execute(
                config,
                retell,
                stores=without_checks,
                dialer=lambda: dialer,
                texter=lambda: dialer,
                clock=lambda: now[0],
            ).executor
        checked = services.executor
        now[0] += timedelta(minutes=1)
        for name, executor, batch in (
            ("before (no safety checks)", unchecked, requests[:CALLS]),
            ("with the safety checks", checked, requests[CALLS:]),
        ):
            samples: list[float] = []
            counted: Counter[str] = Counter()
            executor.execute(batch[0])  # warm-up, uncounted
            services.leases.release(batch[0].clinic_id, batch[0].call_id)
            with counting_aws_calls(counted):
                for request in batch[1:]:
                    start = time.perf_counter()
                    result = executor.execute(request)
                    samples.append((time.perf_counter() - start) * 1000)
                    assert result.result == "dialed", result
                    with counting_aws_calls(Counter()):  # the call's end (a webhook's work), uncounted
                        services.leases.release(request.clinic_id, request.call_id)
            results[name] = (samples, counted)
        # The checks alone, on calls of their own numbers: the owner's window (pure), then the two stores.
        from shared.domain.calling_safety import DialWindow
        from shared.models.settings import ClinicSettings

        settings = ClinicSettings()
        dnc, cap = checked._do_not_call, checked._dial_cap
        for index in range(CALLS):
            number = f"+1212555{index:04d}"
            start = time.perf_counter()
            DialWindow.for_call(settings, number).is_open(now[0])
            middle = time.perf_counter()
            dnc.get("bench-safety", number)
            cap.take("bench-safety", number, f"bench-{index}", 3, now[0])
            stores.append((time.perf_counter() - middle) * 1000)
            pure.append((middle - start) * 1000)
    print(f"\nCalling safety: the cost per dial of execute, {CALLS - 1} dials each, moto in process, instant dialer")
    for name, (samples, counted) in results.items():
        per_dial = {op: count / len(samples) for op, count in sorted(counted.items())}
        total = sum(per_dial.values())
        print(f"  {name:<28} median {statistics.median(samples):6.2f} ms   AWS calls per dial {total:.2f}")
        for op, count in per_dial.items():
            print(f"    {op:<40} {count:.2f}")
    before, after = (statistics.median(results[name][0]) for name in results)
    print(f"  added per dial: {after - before:+.2f} ms warm against moto (DynamoDB answers a read in a few ms),")
    print("  2 GetItem + 1 PutItem: the do-not-call entry, the number's recent dials, their conditional update")
    print(f"  the checks alone: the owner's window {statistics.median(pure):.3f} ms (pure: zones from the number, ")
    print(f"  no AWS call); the two stores {statistics.median(stores):.2f} ms against moto in process")


def layer_sizes() -> None:
    from infra.assets import dependency_layer

    def size_mb(path: Path) -> float:
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6

    layer = dependency_layer() / "python"
    phonenumbers = layer / "phonenumbers"
    import phonenumbers as installed

    full = Path(installed.__file__).parent
    full_source = sum(f.stat().st_size for f in full.rglob("*") if f.is_file() and f.suffix != ".pyc") / 1e6
    print("\nDependency layer (unzipped) with libphonenumber")
    print(f"  whole layer                                     {size_mb(layer):7.2f} MB")
    print(f"  phonenumbers as shipped (metadata, time zones)  {size_mb(phonenumbers):7.2f} MB (with bytecode)")
    print(f"  phonenumbers whole (with geocoder, carriers)    {full_source:7.2f} MB of source alone")
    print("  without phonenumbers the layer was 47.56 MB (measured before the change)")


if __name__ == "__main__":
    safety_cost()
    layer_sizes()
