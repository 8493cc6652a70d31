"""Readable local logs: one line per lifecycle step, the call id first, instead of Powertools' JSON."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

_RECORD_FIELDS = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
_QUIET = {
    "level",
    "location",
    "message",
    "timestamp",
    "service",
    "sampling_rate",
    "xray_trace_id",
    "cold_start",
    "function_name",
    "function_memory_size",
    "function_arn",
    "function_request_id",
    "correlation_id",
}


class LineFormatter(LambdaPowertoolsFormatter):
    """Keeps Powertools' key handling (``append_keys``, ``extra=``), prints a line instead of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            key: value
            for key, value in self.log_format.items()
            if key not in _QUIET and value is not None and not (isinstance(value, str) and "%(" in value)
        }
        fields.update({k: v for k, v in record.__dict__.items() if k not in _RECORD_FIELDS and k not in _QUIET})
        call = str(fields.pop("call_id", "") or "")
        rest = " ".join(f"{key}={value}" for key, value in fields.items() if value not in (None, ""))
        line = f"{_head(record.created, call, record.levelname.lower())} {record.getMessage()}"
        if rest:
            line += f"  [{rest}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _head(created: float, call: str, level: str) -> str:
    stamp = time.strftime("%H:%M:%S", time.localtime(created))
    return f"{stamp} {('call ' + call[:8]) if call else '':<13} {level:<7}"


def say(line: str, call_id: str = "") -> None:
    """A line from the local stack itself (scheduler loop, simulated Retell), in the same shape."""
    print(f"{_head(time.time(), call_id, 'local')} {line}", file=sys.stdout, flush=True)


def install() -> None:
    """Point the one Powertools logger at a line formatter, and keep metrics (EMF JSON) out of the terminal."""
    from shared.observability import logger, metrics

    logger.registered_handler.setFormatter(LineFormatter())
    provider = metrics.provider  # the EMF provider whose flush the @log_metrics decorator calls
    provider.flush_metrics = lambda raise_on_empty_metrics=False: provider.clear_metrics()  # type: ignore[method-assign]
