"""The fault matrix (``make bench``): each of Retell's failure modes run through the local stack's parts (the real
handlers behind the local gateway, moto, the scheduler loop, the reconciler, the simulated Retell over HTTP), on a
simulated clock that moves a minute at a time with the reconciler running every minute (``RECONCILE_EVERY_S=60``).

For each fault: the dials Retell placed per dial intended (must be 1.00: no owner rung twice for one attempt), the
calls left non-final once everything has run (must be 0), and the simulated time from the call's time to its final
state.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from standins.retell_sim import scenarios

if TYPE_CHECKING:
    from bench.simulated import SimulatedStack

TERMINAL = {"completed", "failed", "cancelled"}
START = datetime(2030, 12, 2, 18, 0, tzinfo=UTC)  # a Monday, 10:00 in Los Angeles


@dataclass(frozen=True)
class Fault:
    name: str
    number: str
    intended_dials: int  # what the phone should see: one per attempt the clinic's policy makes
    # The simulated Retell's account-wide switches during the first minutes (``OUTAGE``).
    create_phone_call: Literal["ok", "401", "402"] | None = None
    webhooks: Literal["deliver", "drop"] | None = None

    @property
    def outage(self) -> bool:
        return self.create_phone_call is not None or self.webhooks is not None


FAULTS = (
    Fault("answered (no fault)", scenarios.ANSWERS, 1),
    Fault("webhooks never delivered (0108)", scenarios.WEBHOOKS_LOST, 1),
    Fault("slow dial, 201 after the timeout (0109)", scenarios.SLOW_DIAL, 1),
    Fault("408 once (0110)", scenarios.TIMES_OUT_ONCE, 1),
    Fault("429 once (0107)", scenarios.RATE_LIMITED_ONCE, 1),
    Fault("voicemail, no detection (0111)", scenarios.VOICEMAIL_UNDETECTED, 1),
    Fault("callback requested (0113)", scenarios.CALLBACK_REQUESTED, 1),
    Fault("carrier unavailable once (0115)", scenarios.PROVIDER_UNAVAILABLE_ONCE, 2),
    Fault("account end reason once (0116)", scenarios.NO_PAYMENT_ONCE, 2),
    Fault("no answer x4 (0101)", scenarios.NO_ANSWER, 4),
    Fault("402 for 15 minutes", scenarios.ANSWERS, 1, create_phone_call="402"),
    Fault("401 for 15 minutes", scenarios.ANSWERS, 1, create_phone_call="401"),
    Fault("webhooks dropped for 15 minutes", scenarios.ANSWERS, 1, webhooks="drop"),
)
OUTAGE = timedelta(minutes=15)


def play_fault(
    stack: SimulatedStack,
    fault: Fault,
    now: list[datetime],
    claims: dict[str, Any],
    *,
    owner: str = "Sarah Johnson",
    each_minute: Callable[[], None] = lambda: None,
) -> tuple[str, str, datetime | None]:
    """Schedule a call to ``fault``'s number for a minute after ``START`` and move the clock a minute at a time (the
    fault's outage on for its first ``OUTAGE``; the scheduler, Retell's webhooks, the reconciler, then
    ``each_minute``) until the call is final or 4 hours have passed: its id, its status, and when it became final."""
    from bench.simulated import call_request
    from standins.apigw import http_event

    functions, sim = stack.functions, stack.sim
    body = call_request(fault.number, START + timedelta(minutes=1), owner=owner)
    created = functions.invoke("api", http_event("POST", "/calls/schedule", body=body, claims=claims))
    call_id = created["body"].split('"callId":"')[1].split('"')[0]
    if fault.outage:
        sim.set_faults(create_phone_call=fault.create_phone_call, webhooks=fault.webhooks)
    status = "scheduled"
    for _minute in range(240):
        now[0] += timedelta(minutes=1)
        if fault.outage and now[0] >= START + OUTAGE:
            sim.set_faults(create_phone_call="ok", webhooks="deliver")
        stack.scheduler.fire_due(now[0])
        sim.flush()
        functions.invoke("reconcile", {"source": "bench"})
        sim.flush()
        each_minute()
        got = functions.invoke("api", http_event("GET", f"/calls/{call_id}", claims=claims))
        status = got["body"].split('"status":"')[1].split('"')[0]
        if status in TERMINAL:
            return call_id, status, now[0]
    return call_id, status, None


def _run(fault: Fault) -> dict[str, Any]:
    from bench.simulated import simulated_stack
    from standins.apigw import claims_for

    now = [START]
    clock: Callable[[], datetime] = lambda: now[0]  # noqa: E731
    with simulated_stack(clock, environment={"RETELL_TIMEOUT_SECONDS": "1"}, slow_dial_seconds=2.0) as stack:
        call_id, status, ended_at = play_fault(stack, fault, now, claims_for("b"), owner="Sarah")
        # Only this call's dials: the sandbox seeds a sample call of its own to the answering number.
        calls = stack.sim.calls_to(fault.number)
        dials = sum(1 for placed in calls if (placed.get("metadata") or {}).get("call_id") == call_id)
    return {"dials": dials, "status": status, "minutes": (ended_at - START).total_seconds() / 60 if ended_at else None}


def fault_matrix() -> None:
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    print("\nFault matrix: each Retell failure mode through the local stack's parts (simulated minutes)")
    print(f"  {'fault':<42} {'dials/intended':>14} {'non-final':>9} {'minutes to final':>16}  final status")
    total_dials = total_intended = non_final = 0
    for fault in FAULTS:
        with contextlib.redirect_stdout(io.StringIO()):
            row = _run(fault)
        left = 0 if row["status"] in TERMINAL else 1
        total_dials += row["dials"]
        total_intended += fault.intended_dials
        non_final += left
        minutes = f"{row['minutes']:.0f}" if row["minutes"] is not None else "-"
        print(
            f"  {fault.name:<42} {row['dials'] / fault.intended_dials:>14.2f} {left:>9} {minutes:>16}  {row['status']}"
        )
    print(f"  all faults: dials per intended dial {total_dials / total_intended:.2f}, calls left non-final {non_final}")


if __name__ == "__main__":
    fault_matrix()
