"""The EventBridge Scheduler target (and "call now"'s): start one attempt of a call.

Input: ``{callId, clinicId, attempt, token, scheduledTime}`` (and ``action: "text"`` for a call's text). The
handler validates it, hands it to ``CallExecutor`` (or, for a text, ``TextSender``) and reports what happened; it
never raises for a call's business outcome, so nothing about a
dial is ever retried by AWS (the function's async retries are 0 as well).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from shared.api.refusals import describe_validation_errors
from shared.bootstrap.common import validate_environment
from shared.bootstrap.execute import ExecuteServices, execute_from_environment
from shared.models.execution import ExecuteAction, ExecuteRequest, ExecuteTrigger, ExecutionResult
from shared.observability import logger, metrics, tracer
from shared.telemetry import Metric

validate_environment(retell=True)
if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    # retell-sdk takes about a second to import. In Lambda it is imported here, in the init phase (which runs at full
    # CPU before the first event), rather than at a container's first dial, where it would delay the call.
    import retell  # noqa: F401

RESULT_METRICS = {
    ExecutionResult.DIALED: Metric.CALLS_DIALED,
    ExecutionResult.SKIPPED: Metric.EXECUTIONS_SKIPPED,
    ExecutionResult.MOVED: Metric.CALLS_MOVED_INTO_BUSINESS_HOURS,
    ExecutionResult.REQUEUED: Metric.CALLS_REQUEUED,
    ExecutionResult.FAILED: Metric.CALLS_FAILED,
    ExecutionResult.UNRESOLVED: Metric.DIALS_UNRESOLVED,
    ExecutionResult.ACCOUNT_BLOCKED: Metric.RETELL_ACCOUNT_UNAVAILABLE,
    ExecutionResult.PAUSED: Metric.CALLS_PAUSED,
    ExecutionResult.CAPPED: Metric.CALLS_WAITING_FOR_DIAL_CAP,
    ExecutionResult.CANCELLED: Metric.CALLS_CANCELLED_DO_NOT_CALL,
    ExecutionResult.TEXTED: Metric.TEXTS_SENT,
    ExecutionResult.TEXT_SKIPPED: Metric.TEXTS_NOT_SENT,
}


services: Callable[[], ExecuteServices] = cache(execute_from_environment)
"""This container's services: built on first use, reused while the container is warm."""


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    answer: dict[str, Any] = handle(event, context, services=services())
    return answer


@logger.inject_lambda_context(log_event=False, clear_state=True)  # no keys from the last call
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handle(event: dict[str, Any], context: LambdaContext, *, services: ExecuteServices) -> dict[str, Any]:
    try:
        request = ExecuteRequest.model_validate(event)
    except ValidationError as error:
        details = describe_validation_errors(error.errors())
        logger.error("invalid execute event", extra={"errors": details})
        metrics.add_metric(name=Metric.INVALID_EXECUTE_EVENTS, unit=MetricUnit.Count, value=1)
        return {"result": "invalid", "error": {"code": "validation_error", "details": details}}

    logger.append_keys(call_id=request.call_id, attempt=request.attempt, trigger=request.trigger)
    if request.trigger == ExecuteTrigger.SCHEDULE:
        lag = (services.clock() - request.scheduled_time).total_seconds()
        metrics.add_metric(name=Metric.SCHEDULE_DELIVERY_LAG, unit=MetricUnit.Seconds, value=max(lag, 0.0))
    execution = (
        services.texts.send(request) if request.action == ExecuteAction.TEXT else services.executor.execute(request)
    )
    metrics.add_metric(name=RESULT_METRICS[execution.result], unit=MetricUnit.Count, value=1)
    return {
        "result": execution.result.value,
        "callId": request.call_id,
        "status": execution.call.status.value if execution.call else None,
        "detail": execution.detail,
    }
