"""The local stack's parts in this process, on a simulated clock, for the benches that drive calls through them
(the fault matrix, the notices, the burst): moto with the stack's resources (``scripts.invoke.sandbox``), the real
handlers behind the local gateway, the local scheduler, and the simulated Retell over HTTP, delivering its webhooks
only when asked (``sim.flush()``)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from standins.retell_sim import RetellSimulator
    from standins.scheduler_loop import LocalScheduler
    from standins.stack import LocalFunctions


@dataclass(frozen=True)
class SimulatedStack:
    functions: LocalFunctions
    scheduler: LocalScheduler
    sim: RetellSimulator


@contextlib.contextmanager
def simulated_stack(
    clock: Callable[[], datetime],
    *,
    environment: dict[str, str] | None = None,
    scheduler_client: Any = None,
    **simulator_options: Any,
) -> Iterator[SimulatedStack]:
    """The parts, with ``environment`` set before the functions are built (e.g. Retell's timeout), the scheduler on
    ``scheduler_client`` (default: a new client) and ``simulator_options`` for the simulated Retell."""
    import boto3

    from scripts.invoke import sandbox
    from standins.aws_stand_ins import RETELL_TEST_KEY
    from standins.gateway import LocalGateway
    from standins.retell_sim import RetellSimulator
    from standins.scheduler_loop import LocalScheduler
    from standins.stack import LocalFunctions

    functions: list[LocalFunctions] = []  # built once the simulated Retell is up
    with (
        sandbox(clock=clock),
        LocalGateway(lambda function, event: functions[0].invoke(function, event)).running() as gateway,
        RetellSimulator(
            RETELL_TEST_KEY, f"{gateway.url}/webhooks/retell", clock=clock, auto_deliver=False, **simulator_options
        ).running() as sim,
    ):
        os.environ["RETELL_BASE_URL"] = sim.url
        os.environ.update(environment or {})
        functions.append(LocalFunctions.from_environment(clock=clock, background=False))
        scheduler = LocalScheduler(
            scheduler_client or boto3.client("scheduler"),
            os.environ["SCHEDULE_GROUP_NAME"],
            target=lambda payload: functions[0].invoke("execute", payload),
        )
        yield SimulatedStack(functions[0], scheduler, sim)


def call_request(number: str, at: datetime, owner: str = "Sarah Johnson") -> dict[str, Any]:
    """A schedule request's body for the bench's calls: Luna of Paws & Claws, consent given, due ``at``."""
    return {
        "phoneNumber": number,
        "petName": "Luna",
        "ownerName": owner,
        "clinicName": "Paws & Claws",
        "clinicPhone": "+14155559876",
        "consent": {"given": True},
        "scheduledFor": at.isoformat().replace("+00:00", "Z"),
    }
