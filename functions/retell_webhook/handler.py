"""``POST /webhooks/retell``: Retell's call and chat events, verified on the raw body, applied once, answered 204.

Signature check first (401 for a missing, malformed, wrong or stale one), then the payload is validated (400 if
it is not Retell's shape), then applied. Duplicates, events for unknown calls and events we don't act on are
also 204: Retell retries anything else, and retrying them would change nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from shared.api import retell_signature
from shared.api.refusals import describe_validation_errors, refusal
from shared.bootstrap.common import validate_environment
from shared.bootstrap.retell_webhook import WebhookServices, webhook_from_environment
from shared.models.errors import InvalidPayload, InvalidSignature, UnreadableBody
from shared.models.results import EventEffect
from shared.models.retell import RetellChatWebhook, RetellWebhook, WebhookKind
from shared.observability import logger, metrics, tracer
from shared.telemetry import Metric

validate_environment(retell=True)

MAX_BODY_BYTES = 6 * 1024 * 1024
"""Lambda's own limit on a request: any body API Gateway hands over is accepted (a long call's transcript with word
timings runs to megabytes; refusing it would make Retell retry and then drop the end of the call)."""
EFFECT_METRICS = {
    EventEffect.CONNECTED: Metric.CALLS_CONNECTED,
    EventEffect.COMPLETED: Metric.CALLS_COMPLETED,
    EventEffect.FAILED: Metric.CALLS_FAILED,
    EventEffect.RETRY_SCHEDULED: Metric.CALLS_RETRIED,
    EventEffect.REQUEUED: Metric.CALLS_REQUEUED,
    EventEffect.ANALYZED: Metric.CALLS_ANALYZED,
    EventEffect.PAUSED: Metric.CALLS_PAUSED,
    EventEffect.AWAITING_ANALYSIS: Metric.CALLS_AWAITING_ANALYSIS,
    EventEffect.NO_CHANGE: Metric.WEBHOOKS_DUPLICATE,
    EventEffect.UNKNOWN_CALL: Metric.WEBHOOKS_UNKNOWN_CALL,
    EventEffect.IGNORED: Metric.WEBHOOKS_IGNORED,
}


def _raw_body(event: dict[str, Any]) -> str | None:
    """The body exactly as Retell sent it (signatures are over these bytes, never a re-serialisation)."""
    body = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return str(body)
    try:
        return base64.b64decode(body, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def _no_content() -> dict[str, Any]:
    return {"statusCode": 204, "headers": {}, "body": "", "isBase64Encoded": False}


services: Callable[[], WebhookServices] = cache(webhook_from_environment)
"""This container's services: built on first use, reused while the container is warm."""


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    answer: dict[str, Any] = handle(event, context, services=services())
    return answer


@logger.inject_lambda_context(log_event=False, clear_state=True)  # no keys from the last call
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handle(event: dict[str, Any], context: LambdaContext, *, services: WebhookServices) -> dict[str, Any]:
    body = _raw_body(event)
    if body is None or len(body) > MAX_BODY_BYTES:
        return refusal(UnreadableBody())
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    signature = headers.get("x-retell-signature")
    if not retell_signature.verify(body, signature, services.signing_keys(), now_ms=int(time.time() * 1000)):
        metrics.add_metric(name=Metric.WEBHOOKS_REJECTED, unit=MetricUnit.Count, value=1)
        logger.warning("webhook signature rejected", extra={"signature_present": signature is not None})
        return refusal(InvalidSignature())
    try:
        document = json.loads(body)
        kind = WebhookKind.model_validate(document)
        if kind.is_chat:
            return _chat_event(RetellChatWebhook.model_validate(document), services)
        if not kind.is_lifecycle:  # transcript updates, kinds Retell adds later: not ours to act on
            metrics.add_metric(name=Metric.WEBHOOKS_IGNORED, unit=MetricUnit.Count, value=1)
            return _no_content()
        webhook = RetellWebhook.model_validate(document)
    except (ValueError, RecursionError) as error:
        details = describe_validation_errors(error.errors()) if isinstance(error, ValidationError) else []
        logger.warning("signed webhook with an unexpected shape", extra={"errors": details})
        return refusal(InvalidPayload())
    outcome = services.events.apply(webhook)
    metrics.add_metric(name=EFFECT_METRICS[outcome.effect], unit=MetricUnit.Count, value=1)
    if outcome.unknown_reason:
        metrics.add_metric(name=Metric.DISCONNECTION_REASON_UNKNOWN, unit=MetricUnit.Count, value=1)
    if outcome.account_tripped:
        metrics.add_metric(name=Metric.RETELL_ACCOUNT_UNAVAILABLE, unit=MetricUnit.Count, value=1)
    if outcome.do_not_call_added:
        metrics.add_metric(name=Metric.NUMBERS_LISTED_ON_REQUEST, unit=MetricUnit.Count, value=1)
    return _no_content()


def _chat_event(webhook: RetellChatWebhook, services: WebhookServices) -> dict[str, Any]:
    outcome = services.texts.apply(webhook)
    metric = Metric.TEXT_EVENTS if outcome.effect == EventEffect.TEXT_UPDATED else EFFECT_METRICS[outcome.effect]
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
    if outcome.do_not_call_added:
        metrics.add_metric(name=Metric.NUMBERS_LISTED_ON_REQUEST, unit=MetricUnit.Count, value=1)
    return _no_content()
