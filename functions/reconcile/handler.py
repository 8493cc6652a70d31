"""The reconciler: on its recurring schedule, repair the calls whose check is due; fed by the dead-letter queues,
repair the call each dead letter is about.

Input: a scheduled event (any event without ``Records``) runs one pass over the open-work index, then one of the
retention purge (``shared.logic.retention``: it reads the same index's retention partitions and asks Retell too, so
it shares this function's access, schedule and alarms). An SQS batch (the
Scheduler dead-letter queue: the schedule's input, an attempt that could not be delivered; execute's failure
queue: Lambda's on-failure record, whose ``requestPayload`` is the attempt) repairs each message's call at once;
a message that fails is reported back (partial batch response) and comes again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.bootstrap.common import validate_environment
from shared.bootstrap.reconcile import ReconcilerServices, reconciler_from_environment
from shared.models.execution import AttemptRef
from shared.models.queries import CallRef
from shared.models.results import Repair
from shared.observability import logger, metrics, tracer
from shared.telemetry import Metric

validate_environment(retell=True)

services: Callable[[], ReconcilerServices] = cache(reconciler_from_environment)
"""This container's services: built on first use, reused while the container is warm."""


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    answer: dict[str, Any] = handle(event, context, services=services())
    return answer


def call_of_dead_letter(body: str) -> CallRef | None:
    """The call a dead letter is about: the attempt itself (Scheduler's dead-letter queue), or Lambda's failure
    record around it (``requestPayload``); ``None`` for anything else."""
    try:
        document = json.loads(body)
        if isinstance(document, dict) and isinstance(document.get("requestPayload"), dict):
            document = document["requestPayload"]
        request = AttemptRef.model_validate(document)
    except ValueError:
        return None
    return CallRef(clinic_id=request.clinic_id, call_id=request.call_id)


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handle(event: dict[str, Any], context: LambdaContext, *, services: ReconcilerServices) -> dict[str, Any]:
    if "Records" in event:
        return _dead_letters(event, context, services)
    report = services.reconciler.run()
    purged = services.purge.run()
    logger.info("purged", extra=asdict(purged))
    metrics.add_metric(name=Metric.RECONCILER_CHECKS, unit=MetricUnit.Count, value=report.checked)
    _count(report.repairs)
    logger.info("reconciled", extra={"checked": report.checked, "repairs": dict(report.repairs)})
    return {"checked": report.checked, "repairs": {repair.value: count for repair, count in report.repairs.items()}}


def _dead_letters(event: dict[str, Any], context: LambdaContext, services: ReconcilerServices) -> dict[str, Any]:
    processor = BatchProcessor(event_type=EventType.SQS)
    repairs: dict[Repair, int] = {}

    def repair(record: SQSRecord) -> None:
        ref = call_of_dead_letter(record.body)
        if ref is None:
            logger.warning("dead letter about no call; dropped", extra={"message_id": record.message_id})
            return
        outcome = services.reconciler.repair(ref, fire_if_due=True)
        repairs[outcome] = repairs.get(outcome, 0) + 1
        logger.info("dead letter repaired", extra={"call_id": ref.call_id, "repair": outcome})

    answer = process_partial_response(event=event, record_handler=repair, processor=processor, context=context)
    _count(repairs)
    return dict(answer)


def _count(repairs: dict[Repair, int]) -> None:
    repaired = sum(count for repair, count in repairs.items() if repair not in {Repair.NOTHING, Repair.WAITING})
    metrics.add_metric(name=Metric.RECONCILER_REPAIRS, unit=MetricUnit.Count, value=repaired)
    if repairs.get(Repair.LOST):
        metrics.add_metric(name=Metric.RECONCILER_CALLS_LOST, unit=MetricUnit.Count, value=repairs[Repair.LOST])
