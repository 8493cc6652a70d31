"""Invoking the execute function in this process, where there is no Lambda service (local stack, tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from shared.models.execution import ExecuteRequest

ExecuteTarget = Callable[[dict[str, Any]], Any]
"""Runs the execute function's handler with an event and returns its answer."""


class InProcessExecuteInvoker:
    """Runs the execute handler (through ``target``) with the request as its event: in a background thread, as
    Lambda's asynchronous ``Event`` invocation does (``background=False`` waits for it, which tests find easier to
    follow)."""

    def __init__(self, target: ExecuteTarget, background: bool = True, on_result: Callable[[Any], None] | None = None):
        self._target = target
        self._background = background
        self._on_result = on_result or (lambda _result: None)

    def invoke(self, request: ExecuteRequest) -> None:
        payload = request.model_dump(mode="json")
        if not self._background:
            self._on_result(self._target(payload))
            return
        thread = threading.Thread(target=lambda: self._on_result(self._target(payload)), daemon=True)
        thread.start()
