"""The table's stream (``NEW_AND_OLD_IMAGES``) read as the events notices are about: a call's change and the
opening of the Retell account's breaker. Everything else in the table (locks, leases, notices themselves) is no
event. A call's image is read the way the repository reads a call item (``call_from_values``: whatever layout the
item has), then reduced to the few fields notices use (``CallImage``).

Records are read through Powertools' ``DynamoDBRecord`` as Lambda delivers them: JSON, so a binary attribute
(the call's compressed ``body``) is base64 text there, and Powertools leaves it as that text; it is decoded here.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from pydantic import ValidationError

from shared.dal.call_repository import call_from_values
from shared.dal.items import _from_dynamo_value
from shared.dal.table_design import CALL_BODY, CALL_SORT_KEY, PARTITION_KEY, SORT_KEY, account_breaker_key
from shared.domain.notices import CallImage, Occurrence, breaker_occurrence, call_occurrences
from shared.models.call import STORED_CONTEXT
from shared.observability import logger

_BREAKER = account_breaker_key()

UNREADABLE = (ValidationError, ValueError, TypeError, KeyError, binascii.Error, zlib.error)
"""What a malformed image raises while it is read: such a record is skipped with a warning, never the batch."""


def _values(image: dict[str, Any]) -> dict[str, Any]:
    """A deserialised image's attributes as plain values (numbers as int/float), a binary ``body`` as bytes."""
    values: dict[str, Any] = _from_dynamo_value(image)
    body = values.get(CALL_BODY)
    if isinstance(body, str):  # Lambda's JSON carries a binary as base64 text
        values[CALL_BODY] = base64.b64decode(body, validate=True)
    return values


def _call_image(image: dict[str, Any]) -> CallImage:
    return CallImage.model_validate(
        call_from_values(_values(image)).model_dump(mode="json", by_alias=True), context=STORED_CONTEXT
    )


def occurrences(record: DynamoDBRecord) -> list[Occurrence]:
    """The events one stream record amounts to (usually none); a record whose images cannot be read amounts to
    none, with a warning that names only its key."""
    change = record.dynamodb
    if change is None or not change.get("NewImage"):  # a removal is no event
        return []
    try:
        new, old = change.new_image, change.old_image
    except UNREADABLE as error:
        logger.warning("a stream image could not be read", extra={"error": type(error).__name__})
        return []
    if new.get(SORT_KEY) == CALL_SORT_KEY:
        try:
            return call_occurrences(_call_image(old) if old else None, _call_image(new))
        except UNREADABLE as error:
            logger.warning(
                "a call's stream image could not be read",
                extra={"pk": new.get(PARTITION_KEY), "error": type(error).__name__},
            )
            return []
    is_breaker = (new.get(PARTITION_KEY), new.get(SORT_KEY)) == (_BREAKER[PARTITION_KEY], _BREAKER[SORT_KEY])
    if is_breaker and not old and new.get("openedAt"):
        reason = new.get("reason")
        return [breaker_occurrence(str(new["openedAt"]), str(reason) if reason is not None else None)]
    return []
