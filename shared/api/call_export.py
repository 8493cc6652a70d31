"""A clinic's calls as CSV (``GET /calls/export``): a header row, one row a call, the columns named as the call
object's fields. Only what a spreadsheet cell can hold: the transcript, the analysis, the attempts, the consent, the
text and the metadata stay out (nested, or a conversation about a pet's health); a list is joined with ``;``.

A cell a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return first: a pet
named ``=HYPERLINK(...)``) starts with ``'`` instead, as OWASP advises for CSV injection; an E.164 phone number
is left as it is."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any

from shared.models.base import format_utc
from shared.models.call import CallView

LEFT_OUT = frozenset(
    {"transcript", "analysis", "attempts", "consent", "metadata", "follow_up", "owner_local_time", "text", "chosen"}
)
"""``ownerLocalTime`` is the owner's time now, not a fact about the call; ``text`` (a conversation) and ``chosen`` are
nested."""
FIRST = ("callId", "status", "scheduledFor", "outcome")
COLUMNS: tuple[str, ...] = FIRST + tuple(
    column
    for name, field in CallView.model_fields.items()
    if name not in LEFT_OUT and (column := field.alias or name) not in FIRST
)
FIELD_BY_COLUMN = {field.alias or name: name for name, field in CallView.model_fields.items()}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")  # a phone number is a number to a spreadsheet, never a formula


def call_rows_csv(calls: Iterable[CallView]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for call in calls:
        writer.writerow([_cell(getattr(call, FIELD_BY_COLUMN[column])) for column in COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list | tuple | frozenset | set):
        text = ";".join(str(_cell(item)) for item in value)
    else:
        text = str(value)
    if text.startswith(_FORMULA_START) and not _E164.fullmatch(text):
        return "'" + text
    return text
