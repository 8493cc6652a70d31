"""Invoking the execute function in this process, where there is no Lambda service (local stack, tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from local.gateway import invoke
from shared.models.execution import ExecuteRequest


class InProcessExecuteInvoker:
    """Runs the execute handler with the request as its event: in a background thread, as Lambda's asynchronous
    ``Event`` invocation does (``background=False`` waits for it, which tests find easier to follow)."""

    def __init__(self, background: bool = True, on_result: Callable[[Any], None] | None = None):
        self._background = background
        self._on_result = on_result or (lambda _result: None)

    def invoke(self, request: ExecuteRequest) -> None:
        payload = request.model_dump(mode="json")
        if not self._background:
            self._on_result(invoke("execute", payload))
            return
        thread = threading.Thread(target=lambda: self._on_result(invoke("execute", payload)), daemon=True)
        thread.start()
