"""The table's stream (``NEW_AND_OLD_IMAGES``) read as the events notices are about: a call's change and the
opening of the Retell account's breaker. Everything else in the table (locks, leases, notices themselves) is no
event. A call's image is read the way the repository reads a call item (``_call_from_item``: whatever layout the
item has), then reduced to the few fields notices use (``CallImage``)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from shared.dal.call_repository import _call_from_item
from shared.dal.items import from_item
from shared.dal.table_design import PARTITION_KEY, SORT_KEY, account_breaker_key
from shared.domain.notices import CallImage, Occurrence, breaker_occurrence, call_occurrences
from shared.observability import logger

_BREAKER = account_breaker_key()


def _raw(record: dict[str, Any], which: str) -> dict[str, Any] | None:
    image = record.get("dynamodb", {}).get(which)
    return dict(image) if image else None


def _call_image(item: dict[str, Any]) -> CallImage:
    return CallImage.model_validate(_call_from_item(item).model_dump(mode="json", by_alias=True))


def occurrences(record: dict[str, Any]) -> list[Occurrence]:
    """The events one stream record amounts to (usually none)."""
    raw_new = _raw(record, "NewImage")
    if raw_new is None:  # a removal is no event
        return []
    new = from_item(
        {name: raw_new[name] for name in (PARTITION_KEY, SORT_KEY, "openedAt", "reason") if name in raw_new}
    )
    if new.get(SORT_KEY) == "CALL":
        try:
            raw_old = _raw(record, "OldImage")
            return call_occurrences(_call_image(raw_old) if raw_old else None, _call_image(raw_new))
        except ValidationError:
            logger.warning("a call's stream image could not be read", extra={"pk": new.get(PARTITION_KEY)})
            return []
    old = _raw(record, "OldImage")
    is_breaker = (new.get(PARTITION_KEY), new.get(SORT_KEY)) == (_BREAKER[PARTITION_KEY], _BREAKER[SORT_KEY])
    if is_breaker and old is None and new.get("openedAt"):
        return [breaker_occurrence(str(new["openedAt"]), new.get("reason"))]
    return []
