"""Notices (``make bench``): how soon the clinic is told, and that each event is told exactly once.

* latency: wall time from the event (the webhook that ends or analyzes a call has been answered, so its write is
  in the table) to the notice handed to SES (moto's, in process), p50/p95 over 200 calls (a pet doing worse, a
  callback request, a failed dial, in turn), one call at a time (the next call once the last one is told, so the
  figure is the path's latency, not a queue behind a burst); the table's stream is read by a feed that polls every
  half second, as ``make dev`` does, so the figure includes that wait (Lambda's stream source polls about four
  times a second);
* notices per event across the fault suite (``bench/fault_matrix.py``): each of Retell's failure modes through the
  local stack's parts on a simulated clock, with the reconciler every minute, the stream drained after each minute
  and the sweep run; for each event the clinic should hear of, the notices sent per recipient (must be 1.00).
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.fault_matrix import FAULTS, START, TERMINAL, Fault, play_fault
from bench.simulated import call_request
from standins.retell_sim import scenarios

CALLS = int(os.environ.get("BENCH_NOTICE_CALLS", "200"))
CALLS_A_DAY = 15
"""Calls told a simulated day (a minute apart): 30 e-mails to the clinic in 15 minutes and 15 to each recipient, inside
the clinic's 60 an hour and each recipient's 30 a day, so that no notice is held and the figure is the path's."""
POLL_SECONDS = 0.5
RECIPIENTS = {
    "emails": ["vet@bench.example", "desk@bench.example"],
    "webhookUrl": "https://hooks.slack.com/services/T0/B0/bench",
}
SCENARIOS = (scenarios.PET_WORSE, scenarios.CALLBACK_REQUESTED, scenarios.DIAL_FAILED)
AREA_CODES = (
    "212", "213", "310", "312", "415", "503", "617", "702", "713", "718", "202", "206", "303", "305", "404",
    "512", "602", "614", "615", "619", "646", "650", "720", "773", "786", "801", "805", "818", "832", "858",
    "916", "917", "949", "971", "972", "978",
)  # fmt: skip
"""The scenario is the number's last seven digits under any area code: spread over many, so no number reaches the
cap of three dials in 24 hours (within the owners' calling hours all the bench's simulated afternoon)."""


def _number(index: int) -> str:
    scenario = SCENARIOS[index % len(SCENARIOS)]
    return f"+1{AREA_CODES[(index // len(SCENARIOS)) % len(AREA_CODES)]}{scenario[-7:]}"


def _streams() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))


def _configure(functions: Any, claims: dict[str, Any]) -> None:
    from standins.apigw import http_event

    always = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    body = {"businessHours": always, "notifications": RECIPIENTS}
    answer = functions.invoke("api", http_event("PUT", "/clinic/settings", body=body, claims=claims))
    assert answer["statusCode"] == 200, answer["body"]


def latency() -> None:
    import boto3

    from bench.simulated import simulated_stack
    from shared.adapters.notice_channels import SesEmailChannel
    from shared.logic.ports import Notice
    from standins.apigw import claims_for, http_event
    from standins.event_filters import notices_stream_filters
    from standins.iam_harness import acting_as
    from standins.stack import LocalFunctions
    from standins.stream_feed import StreamFeed

    now = [START]
    clock: Callable[[], datetime] = lambda: now[0]  # noqa: E731
    handed: dict[str, float] = {}
    event_at: dict[str, float] = {}

    class TimedSes(SesEmailChannel):
        def send(self, notice: Notice) -> None:
            super().send(notice)
            handed.setdefault(notice.call_id or "", time.perf_counter())

    stop = threading.Event()
    with simulated_stack(clock) as stack:
        scheduler, sim = stack.scheduler, stack.sim
        with acting_as("notices"):  # its email channel and the stream's reader are the notices function's
            ses = TimedSes(boto3.client("ses"), os.environ["NOTIFICATION_SENDER"])
            notices = _with_channel(stack.functions, ses)
            streams = _streams()
        functions = LocalFunctions(  # the stack's functions; the notices graph's email channel times the hand-off
            **{
                **{name: getattr(stack.functions, name) for name in ("api", "execute", "retell_webhook", "reconcile")},
                "notices": notices,
                "outbox": stack.functions.outbox,
            }
        )
        claims = claims_for("b")
        _configure(functions, claims)
        feed = StreamFeed(boto3.client("dynamodb"), streams, os.environ["TABLE_NAME"], filters=notices_stream_filters())

        def poll() -> None:
            while not stop.wait(POLL_SECONDS):
                feed.feed_once(lambda event: functions.invoke("notices", event))

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        for index in range(CALLS):
            if index and index % CALLS_A_DAY == 0:  # the next day, same hour: inside the e-mail rate limits
                now[0] += timedelta(days=1) - timedelta(minutes=CALLS_A_DAY)
            body = call_request(_number(index), now[0] + timedelta(seconds=30))
            created = functions.invoke("api", http_event("POST", "/calls/schedule", body=body, claims=claims))
            call_id = created["body"].split('"callId":"')[1].split('"')[0]
            now[0] += timedelta(minutes=1)
            scheduler.fire_due(now[0])
            sim.flush()
            event_at[call_id] = time.perf_counter()
            told_by = time.monotonic() + 30  # one event at a time: its latency, not a queue behind a burst
            while call_id not in handed and time.monotonic() < told_by:
                time.sleep(0.01)
        deadline = time.monotonic() + 60
        while len(handed) < len(event_at) and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        poller.join()
    samples = sorted((handed[call] - event_at[call]) * 1000 for call in event_at if call in handed)
    missing = len(event_at) - len(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)] if samples else float("nan")
    print(f"\nNotices: event (the webhook's write) to the notice handed to SES, {len(samples)} calls")
    print(f"  p50 {statistics.median(samples):7.0f} ms   p95 {p95:7.0f} ms   max {samples[-1]:7.0f} ms", end="")
    print(f"   (stream polled every {POLL_SECONDS:g} s; {missing} calls never told)")


def _with_channel(functions: Any, ses: Any) -> Any:
    from shared.bootstrap.notices import notices_from_environment
    from standins.notice_outbox import CapturedChatChannel

    outbox = functions.outbox
    return notices_from_environment(
        clock=functions.notices.clock,
        channels={"email": ses, "chat": CapturedChatChannel(outbox)},
        on_sent=outbox.record,
    )


def _fault_notices(fault: Fault) -> dict[str, Any]:
    import boto3

    from bench.simulated import simulated_stack
    from standins.apigw import claims_for
    from standins.event_filters import notices_stream_filters
    from standins.iam_harness import acting_as
    from standins.stream_feed import StreamFeed

    now = [START]
    clock: Callable[[], datetime] = lambda: now[0]  # noqa: E731
    with simulated_stack(clock, environment={"RETELL_TIMEOUT_SECONDS": "1"}, slow_dial_seconds=2.0) as stack:
        functions, sim = stack.functions, stack.sim
        claims = claims_for("b")
        _configure(functions, claims)
        with acting_as("notices"):  # the stream's event source reads with the notices function's role
            streams = _streams()
        feed = StreamFeed(boto3.client("dynamodb"), streams, os.environ["TABLE_NAME"], filters=notices_stream_filters())

        def drain() -> None:
            while feed.feed_once(lambda event: functions.invoke("notices", event)):
                pass
            functions.invoke("notices", {"action": "sweep"})

        _, status, _ = play_fault(stack, fault, now, claims, each_minute=drain)
        for _ in range(5):  # the analysis, and a last few minutes of reconciling and sweeping
            now[0] += timedelta(minutes=1)
            sim.flush()
            functions.invoke("reconcile", {"source": "bench"})
            drain()
        entries = functions.outbox.entries()
    per_event = Counter((entry["callId"], entry["event"], entry["channel"], entry["to"]) for entry in entries)
    events = {(call, event) for call, event, _, _ in per_event}
    return {
        "events": sorted(event for _, event in events),
        "notices": len(entries),
        "per_event": per_event,
        "status": status,
    }


def notices_per_event() -> None:
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    recipients = len(RECIPIENTS["emails"]) + 1
    print("\nNotices per event across the fault suite (2 emails + 1 chat webhook per event)")
    print(f"  {'fault':<42} {'events told':<44} {'notices/event/recipient':>23}")
    total_notices = total_expected = 0
    for fault in FAULTS:
        with contextlib.redirect_stdout(io.StringIO()):
            row = _fault_notices(fault)
        expected = len(row["events"]) * recipients
        total_notices += row["notices"]
        total_expected += expected
        ratio = f"{row['notices'] / expected:.2f}" if expected else "-"
        quiet = "(nothing: a call that went well)" if row["status"] in TERMINAL else f"(nothing yet: {row['status']})"
        told = ", ".join(sorted(set(row["events"]))) or quiet
        print(f"  {fault.name:<42} {told:<44} {ratio:>23}")
    overall = total_notices / total_expected if total_expected else float("nan")
    print(f"  all faults: notices per event and recipient {overall:.2f} ({total_notices} notices)")


def notice_figures() -> None:
    started = datetime.now(UTC)
    latency()
    notices_per_event()
    print(f"  (notices bench took {(datetime.now(UTC) - started).total_seconds():.0f} s)")


if __name__ == "__main__":
    notice_figures()
