"""The one place that creates the Powertools Logger, Tracer and Metrics every function uses."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

METRICS_NAMESPACE = "DischargeCallScheduler"

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
