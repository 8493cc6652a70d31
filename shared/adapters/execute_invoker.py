"""Starts an attempt right away ("call now") by invoking the execute function directly: an ``at()`` schedule in
the past is not reliable, and this is the same code path a schedule would take."""

from __future__ import annotations

import json
from typing import Any

from shared.models.execution import ExecuteRequest


class LambdaExecuteInvoker:
    def __init__(self, client: Any, function_arn: str):
        self._client = client
        self._function_arn = function_arn

    def invoke(self, request: ExecuteRequest) -> None:
        """Asynchronous (``Event``): the API answers at once; the execute function has no automatic retries, and a
        backstop schedule covers an invocation that never runs."""
        self._client.invoke(
            FunctionName=self._function_arn,
            InvocationType="Event",
            Payload=json.dumps(request.model_dump(mode="json")).encode(),
        )
