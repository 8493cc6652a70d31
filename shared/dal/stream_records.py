"""The table's stream (``NEW_AND_OLD_IMAGES``) read as the events notices are about: a call's change and the
opening of the Retell account's breaker. Everything else in the table (locks, leases, notices themselves) is no
event. Only a call's small fields are read (``CallImage``)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from shared.dal.items import from_item
from shared.dal.table_design import PARTITION_KEY, SORT_KEY, account_breaker_key
from shared.domain.notices import CallImage, Occurrence, breaker_occurrence, call_occurrences
from shared.observability import logger

_BREAKER = account_breaker_key()


def _image(record: dict[str, Any], which: str) -> dict[str, Any] | None:
    image = record.get("dynamodb", {}).get(which)
    return from_item(image) if image else None


def occurrences(record: dict[str, Any]) -> list[Occurrence]:
    """The events one stream record amounts to (usually none)."""
    new = _image(record, "NewImage")
    if new is None:  # a removal is no event
        return []
    old = _image(record, "OldImage")
    if new.get(SORT_KEY) == "CALL":
        try:
            return call_occurrences(CallImage.model_validate(old) if old else None, CallImage.model_validate(new))
        except ValidationError:
            logger.warning("a call's stream image could not be read", extra={"pk": new.get(PARTITION_KEY)})
            return []
    is_breaker = (new.get(PARTITION_KEY), new.get(SORT_KEY)) == (_BREAKER[PARTITION_KEY], _BREAKER[SORT_KEY])
    if is_breaker and old is None and new.get("openedAt"):
        return [breaker_occurrence(str(new["openedAt"]), new.get("reason"))]
    return []
