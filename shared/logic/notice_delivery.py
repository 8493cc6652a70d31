"""Sending notices concurrently within a run's time: a few sends at once, each bounded by its own deadline, and no
new send once the run's time is nearly spent.

A send runs in a thread of its own; at most ``workers`` of them are waited for at once. A send still running at its
deadline is given up on (its result, should it come, is ignored) and no longer takes a worker's place, so a channel
that hangs costs one deadline per notice, never the run: the other notices go on being sent beside it.
"""

from __future__ import annotations

import contextvars
import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.logic.ports import ChannelFailed, Notice, NoticeChannel

DELIVERY_DEADLINE_SECONDS = 15.0
"""One send's time in all: above the chat channel's own 5 s and SES's bounded retries (``SES_CLIENT_CONFIG``), well
below a notice's lease, so a late send is marked failed while its deliverer still holds the notice."""
WORKERS = 8
RUN_MARGIN_SECONDS = 5.0
"""Kept free at the end of a run: marking what was sent, counting, logging."""


@dataclass(frozen=True)
class RunBudget:
    """The time one run of the notices function has left (seconds; from the Lambda context in the handler)."""

    time_left: Callable[[], float]
    margin: float = RUN_MARGIN_SECONDS

    def spent(self, needed: float) -> bool:
        """Whether work that may take ``needed`` seconds would run past the run's end (less the margin)."""
        return self.time_left() - self.margin < needed


UNBOUNDED = RunBudget(lambda: math.inf)


@dataclass(frozen=True)
class SendResult:
    notice: Notice
    error: str | None
    """``None``: sent; else why not (the channel's refusal, or its deadline passing)."""


class ConcurrentSends:
    """Sends started with ``start`` run concurrently (at most ``workers`` running at once); ``results`` yields each
    one's outcome once it is known: sent, failed, or past its deadline."""

    def __init__(self, channels: dict[str, NoticeChannel], *, deadline: float, workers: int = WORKERS):
        self._channels = channels
        self._deadline = deadline
        self._workers = workers
        self._finished: queue.Queue[tuple[int, str | None]] = queue.Queue()
        self._running: dict[int, tuple[Notice, float]] = {}
        self._next_id = 0

    @property
    def deadline(self) -> float:
        return self._deadline

    def full(self) -> bool:
        return len(self._running) >= self._workers

    def start(self, notice: Notice) -> None:
        send_id = self._next_id
        self._next_id += 1
        self._running[send_id] = (notice, time.monotonic() + self._deadline)
        channel = self._channels.get(notice.channel)
        context = contextvars.copy_context()  # the run's log context (and, locally, whose role the clients use)
        worker = threading.Thread(target=context.run, args=(self._send, send_id, channel, notice), daemon=True)
        worker.start()

    def _send(self, send_id: int, channel: NoticeChannel | None, notice: Notice) -> None:
        error: str | None = None
        try:
            if channel is None:
                raise ChannelFailed(f"no {notice.channel} channel is configured")
            channel.send(notice)
        except ChannelFailed as failure:
            error = str(failure)
        except Exception as unexpected:  # a channel's bug fails its notice, not the run
            error = f"the {notice.channel} channel failed ({type(unexpected).__name__})"
        self._finished.put((send_id, error))

    def wait(self, *, for_all: bool) -> list[SendResult]:
        """The sends that ended (sent, failed, or past their deadline). Blocks while every worker is busy, until
        one ends or passes its deadline; with ``for_all``, until none runs."""
        results = self._collect(block=False)
        while self._running and (for_all or self.full()):
            results += self._collect(block=True)
        return results

    def _collect(self, *, block: bool) -> list[SendResult]:
        results: list[SendResult] = []
        if not self._running:
            return results
        soonest = min(until for _, until in self._running.values())
        timeout = max(0.0, soonest - time.monotonic()) if block else 0.0
        try:
            results += self._result(*self._finished.get(timeout=timeout))
            while True:
                results += self._result(*self._finished.get_nowait())
        except queue.Empty:
            pass
        now = time.monotonic()
        for send_id, (notice, until) in list(self._running.items()):
            if until <= now:  # given up on: it no longer takes a worker's place; a late answer is ignored
                del self._running[send_id]
                late = f"the {notice.channel} channel did not finish within {self._deadline:g} s"
                results.append(SendResult(notice, late))
        return results

    def _result(self, send_id: int, error: str | None) -> list[SendResult]:
        running = self._running.pop(send_id, None)
        return [] if running is None else [SendResult(running[0], error)]
