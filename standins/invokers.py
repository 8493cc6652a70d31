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


class AsynchronousInvocation:
    """Lambda's asynchronous invocation of a function (``InvocationType=Event``), as EventBridge Scheduler invokes
    execute: the invocation is accepted at once and the function runs once, in the background (``background=False``
    runs it before returning, which tests find easier to follow). A function error is not handed back to the caller
    (Scheduler never retries it): with the function's ``retry_attempts=0``, Lambda sends the on-failure destination a
    record of the request and the error (``standins.lambda_events.on_failure_record``), and ``on_failure`` receives
    it. Run in the foreground, the call answers what the function answered (``None`` when it failed), so a test can
    read it; in the background it answers nothing, as Lambda's ``202`` says nothing of the run."""

    def __init__(
        self,
        function_name: str,
        run: ExecuteTarget,
        on_failure: Callable[[dict[str, Any]], None],
        *,
        background: bool = True,
        submit: Callable[[Callable[[], None]], Any] | None = None,
    ):
        self._function_name = function_name
        self._run = run
        self._on_failure = on_failure
        self._background = background
        self._submit = submit or (lambda work: threading.Thread(target=work, daemon=True).start())

    def __call__(self, payload: dict[str, Any]) -> Any:
        if self._background:
            self._submit(lambda: self._once(payload))
            return None
        return self._once(payload)

    def _once(self, payload: dict[str, Any]) -> Any:
        from standins.lambda_events import on_failure_record

        try:
            return self._run(payload)
        except Exception as error:  # the function failed: Lambda's on-failure destination gets the record
            self._on_failure(on_failure_record(self._function_name, payload, error))
            return None


def queue_destination(sqs: Any, queue_arn: str) -> Callable[[dict[str, Any]], None]:
    """An SQS on-failure destination: the record as the message body, as Lambda sends it."""
    import json

    queue_url = sqs.get_queue_url(QueueName=queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
    return lambda record: sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(record))
