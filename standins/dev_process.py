"""``make dev`` as a child process on free ports: how the e2e test, the bench and the OpenAPI conformance run start
the local stack, exactly as a user does, and stop it with Ctrl-C.

The child runs in its own process group, like a terminal's foreground job, so ``interrupt`` reaches everything it
started. Its output (stdout and stderr, one string per line) is collected in ``output`` as it comes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from standins.http_server import free_port

ROOT = Path(__file__).resolve().parents[1]
READY_LINE = "local stack ready"
TOKEN_LINE = "admin token"  # noqa: S105 - a line of the banner, not a password
LOAD_RUN_BUDGET = {"CLINIC_REQUESTS_PER_SECOND": "10000"}
"""The environment for a run that sends one clinic's requests as fast as it can to measure something else (the bench,
the soak, Schemathesis): each clinic's request budget raised out of its way. The budget has its own tests."""
START_TIMEOUT = 180.0  # a fresh clone installs what it needs and synthesizes the stack once for the table definition


def wait_for(condition: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    """The first truthy value of ``condition()``, polled every ``every`` seconds; ``AssertionError`` after
    ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s")


@dataclass
class DevProcess:
    process: subprocess.Popen[str]
    port: int
    retell_sim_port: int
    moto_port: int
    web_port: int
    output: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sim_url(self) -> str:
        return f"http://127.0.0.1:{self.retell_sim_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def ports(self) -> list[int]:
        return [self.port, self.retell_sim_port, self.moto_port, self.web_port]

    def wait_ready(self, timeout: float = START_TIMEOUT) -> str:
        """Waits for the "local stack ready" banner and returns the admin token it prints (clinic ``demo``)."""
        wait_for(lambda: self._exited() or any(READY_LINE in line for line in self.output), timeout, every=0.1)
        if self._exited():
            raise RuntimeError("make dev exited before it was ready:\n" + "".join(self.output[-40:]))
        index = next(i for i, line in enumerate(self.output) if TOKEN_LINE in line)
        return str(wait_for(lambda: len(self.output) > index + 1 and self.output[index + 1].strip(), 10, every=0.05))

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        """Waits until ``GET /health`` answers 200."""

        def healthy() -> bool:
            if self._exited():
                raise RuntimeError("make dev exited before it was healthy:\n" + "".join(self.output[-40:]))
            try:
                return httpx.get(f"{self.url}/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, timeout, every=0.05)

    def interrupt(self, timeout: float = 30) -> None:
        """Ctrl-C to the whole process group, then waits for ``make`` to exit; if it does not in time, kills the
        group and raises ``TimeoutExpired``."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise

    def group_gone(self) -> bool:
        """True once no process of the stack's group is left."""
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return True
        return False

    def _exited(self) -> bool:
        return self.process.poll() is not None


def start(env: Mapping[str, str] | None = None) -> DevProcess:
    """Starts ``make dev`` on four free ports with the simulated Retell; ``env`` is added to this environment."""
    port, retell_sim_port, moto_port, web_port = free_port(), free_port(), free_port(), free_port()
    child_env = {
        **os.environ,
        "PORT": str(port),
        "RETELL_SIM_PORT": str(retell_sim_port),
        "MOTO_PORT": str(moto_port),
        "WEB_PORT": str(web_port),
        **(env or {}),
    }
    child_env.pop("RETELL_API_KEY", None)  # the simulated Retell, never a real account
    process = subprocess.Popen(
        ["make", "dev"],  # noqa: S607 - make from the PATH, as a user runs it
        cwd=ROOT,
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )
    stack = DevProcess(process, port, retell_sim_port, moto_port, web_port)
    stdout = process.stdout
    assert stdout is not None
    threading.Thread(target=lambda: stack.output.extend(stdout), name="make-dev-output", daemon=True).start()
    return stack


@contextmanager
def running(env: Mapping[str, str] | None = None, stop_timeout: float = 30) -> Iterator[DevProcess]:
    """``make dev`` started and ready (see ``start``), interrupted on the way out."""
    stack = start(env)
    try:
        stack.wait_ready()
        yield stack
    finally:
        stack.interrupt(stop_timeout)
