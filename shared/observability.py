"""The one place that creates the Powertools Logger, Tracer and Metrics every function uses.

Log lines never carry personal data on purpose (handlers log ids, codes and counts, never the call's fields, and
models hide their input in validation errors). As a second line of defence, the logger's formatter masks anything
shaped like an E.164 phone number in the finished line, exception text included, before it is written.
"""

from __future__ import annotations

import logging
import re

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import LogRecord

from shared.telemetry import METRICS_NAMESPACE

PHONE_NUMBER = re.compile(r"\+[1-9][0-9]{7,14}(?![0-9])")
MASKED_PHONE = "+[phone]"


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON log line, with phone numbers masked."""

    def serialize(self, log: LogRecord) -> str:
        return PHONE_NUMBER.sub(MASKED_PHONE, super().serialize(log))


# The service name comes from POWERTOOLS_SERVICE_NAME, which the stack sets from shared.telemetry.SERVICE_NAME.
logger = Logger(logger_formatter=RedactingFormatter())
# Only botocore is traced (the AWS calls are what a trace is read for); patching every module Powertools supports
# also imports httpx and sqlite3 at start, 20-50 ms of each cold start.
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics(namespace=METRICS_NAMESPACE)
# httpx logs every request's whole URL at INFO: a chat webhook's URL is a credential, and Retell's carry call ids.
logging.getLogger("httpx").setLevel(logging.WARNING)
