"""Notices: sends the clinic a notice of what matters, outside every call's own processing.

Input: a batch of the table's stream (``NEW_AND_OLD_IMAGES``): each record's events (a call failed or could not be
resolved, a call needs follow-up, the Retell account's breaker opened) are recorded as notices, once per event and
recipient, and delivered; a record that cannot be recorded is reported back (partial batch response) and comes
again, in order. ``{"action": "sweep"}`` (every minute) retries notices whose channel failed; ``{"action":
"digest"}`` (every ten minutes) sends the daily digests whose local hour it is, resuming where the last run stopped.
Every run stops taking new work once the Lambda's remaining time is nearly spent (``RunBudget``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.bootstrap.common import validate_environment
from shared.bootstrap.notices import NoticesServices, notices_from_environment, run_budget
from shared.models.results import Delivery
from shared.observability import logger, metrics, tracer
from shared.telemetry import Metric

validate_environment(retell=False, notices=True)

services: Callable[[], NoticesServices] = cache(notices_from_environment)
"""This container's services: built on first use, reused while the container is warm."""


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    answer: dict[str, Any] = handle(event, context, services=services())
    return answer


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handle(event: dict[str, Any], context: LambdaContext, *, services: NoticesServices) -> dict[str, Any]:
    if "Records" in event:
        return _stream(event, context, services)
    action = event.get("action")
    if action == "digest":
        delivery = services.notices.digests(run_budget(context.get_remaining_time_in_millis))
        metrics.add_metric(name=Metric.DIGESTS_SENT, unit=MetricUnit.Count, value=delivery.sent)
    elif action == "sweep":
        delivery = services.notices.sweep(run_budget(context.get_remaining_time_in_millis))
    else:
        logger.warning("notices: an event it does not know; nothing done", extra={"action": str(action)[:40]})
        return {"ignored": True}
    _count(delivery)
    logger.info(f"notices: {action}", extra={"sent": delivery.sent, "failed": delivery.failed})
    return {"recorded": delivery.recorded, "sent": delivery.sent, "failed": delivery.failed, "held": delivery.held}


def _stream(event: dict[str, Any], context: LambdaContext, services: NoticesServices) -> dict[str, Any]:
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    totals = {"recorded": 0, "sent": 0, "failed": 0}
    budget = run_budget(context.get_remaining_time_in_millis)

    def record_events(record: DynamoDBRecord) -> None:
        for occurrence in services.occurrences(record):
            delivery = services.notices.occurred(occurrence, budget)
            _count(delivery)
            totals["recorded"] += delivery.recorded
            totals["sent"] += delivery.sent
            totals["failed"] += delivery.failed

    answer = dict(
        process_partial_response(event=event, record_handler=record_events, processor=processor, context=context)
    )
    return {**answer, **totals}


def _count(delivery: Delivery) -> None:
    metrics.add_metric(name=Metric.NOTICES_RECORDED, unit=MetricUnit.Count, value=delivery.recorded)
    metrics.add_metric(name=Metric.NOTICES_SENT, unit=MetricUnit.Count, value=delivery.sent)
    metrics.add_metric(name=Metric.NOTICE_DELIVERY_FAILURES, unit=MetricUnit.Count, value=delivery.failed)
    if delivery.given_up:
        metrics.add_metric(name=Metric.NOTICES_GIVEN_UP, unit=MetricUnit.Count, value=delivery.given_up)
    if delivery.held:
        metrics.add_metric(name=Metric.NOTICES_HELD, unit=MetricUnit.Count, value=delivery.held)
