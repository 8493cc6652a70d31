"""The functions' handlers, each over a graph built by whoever runs them (the local stack, tests, scripts)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.adapters.notice_channels import SesEmailChannel
from shared.bootstrap.api import ApiServices, api_from_environment
from shared.bootstrap.common import utc_now
from shared.bootstrap.execute import ExecuteServices, execute_from_environment
from shared.bootstrap.notices import NoticesServices, notices_from_environment
from shared.bootstrap.reconcile import ReconcilerServices, reconciler_from_environment
from shared.bootstrap.retell_webhook import WebhookServices, webhook_from_environment
from shared.config import RetellConfig
from shared.logic.ports import Clock, ExecuteInvoker, NoticeChannel
from standins.gateway import LambdaContext
from standins.iam_harness import acting_as
from standins.invokers import AsynchronousInvocation, InProcessExecuteInvoker, queue_destination
from standins.notice_outbox import CapturedChatChannel, LocalOutbox


def run_handler(function: str, event: dict[str, Any], services: Any) -> Any:
    """``function``'s handler (a folder under ``functions/``) run with ``event`` over ``services``, as that
    function (the clients it makes on the way are its role's: ``standins.iam_harness``)."""
    handler = importlib.import_module(f"{function}.handler")
    with acting_as(function):
        return handler.handle(event, LambdaContext(function), services=services)


@dataclass(frozen=True)
class LocalFunctions:
    """One graph per function, as one warm container of each has."""

    api: ApiServices
    execute: ExecuteServices
    retell_webhook: WebhookServices
    reconcile: ReconcilerServices
    notices: NoticesServices
    outbox: LocalOutbox

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        """Run ``function``'s handler (a folder under ``functions/``) with ``event``, over its graph."""
        return run_handler(function, event, getattr(self, function))

    @staticmethod
    def from_environment(
        *,
        clock: Clock = utc_now,
        background: bool = True,
        invoker: ExecuteInvoker | None = None,
        retell: RetellConfig | None = None,
        outbox: LocalOutbox | None = None,
    ) -> LocalFunctions:
        """The graphs on what the environment names (moto, the simulated Retell), with ``clock``. "Call now" and the
        reconciler's redials run the execute handler in this process as Lambda's asynchronous invocation (in the
        background unless ``background=False``; a failure to execute's on-failure queue when the environment names one,
        as for Scheduler's runs), unless ``invoker`` says otherwise. Notices go to moto's SES and the local outbox (chat
        webhooks are captured there)."""
        with acting_as("execute"):
            execute = execute_from_environment(clock=clock, retell=retell)

        def run_execute(payload: dict[str, Any]) -> Any:
            return run_handler("execute", payload, execute)

        execute_invoker = invoker or _execute_invoker(run_execute, background)
        outbox = outbox or LocalOutbox()
        import boto3

        # Each graph is built as its function, so its clients are checked against its role.
        with acting_as("notices"):
            channels: dict[str, NoticeChannel] = {
                "email": SesEmailChannel(boto3.client("ses"), os.environ["NOTIFICATION_SENDER"]),
                "chat": CapturedChatChannel(outbox),
            }
            notices = notices_from_environment(clock=clock, channels=channels, on_sent=outbox.record)
        with acting_as("api"):
            api = api_from_environment(clock=clock, invoker=execute_invoker, retell=retell)
        with acting_as("retell_webhook"):
            retell_webhook = webhook_from_environment(clock=clock, retell=retell)
        with acting_as("reconcile"):
            reconcile = reconciler_from_environment(clock=clock, retell=retell, invoker=execute_invoker)
        return LocalFunctions(
            api=api, execute=execute, retell_webhook=retell_webhook, reconcile=reconcile, notices=notices, outbox=outbox
        )


def _execute_invoker(run: Callable[[dict[str, Any]], Any], background: bool) -> ExecuteInvoker:
    """Execute invoked as Lambda invokes it asynchronously: once, a failure to its on-failure destination (the queue
    ``EXECUTE_FAILURES_QUEUE_ARN`` names; without one, in a thread of its own as before)."""
    arn = os.environ.get("EXECUTE_FAILURES_QUEUE_ARN")
    if not arn:
        return InProcessExecuteInvoker(run, background=background)
    import boto3

    with acting_as("execute"):  # Lambda sends a function's destinations with the function's role
        destinations = boto3.client("sqs")
    invocation = AsynchronousInvocation("execute", run, queue_destination(destinations, arn), background=background)
    return InProcessExecuteInvoker(invocation, background=False)  # the invocation keeps its own background
