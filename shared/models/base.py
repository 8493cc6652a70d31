"""Shared pydantic building blocks: camelCase JSON, UTC timestamps, E.164 phones, IANA timezones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

from shared.domain.phone import normalise_phone


class ApiModel(BaseModel):
    """A model whose JSON names are camelCase, as the API contract writes them."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


class StrictApiModel(ApiModel):
    """An input model: unknown fields are an error, so a misspelt field is reported rather than silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def format_utc(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, as every time the API returns."""
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[
    AwareDatetime,
    AfterValidator(_to_utc),
    PlainSerializer(format_utc, return_type=str, when_used="json"),
]
"""An instant. Accepts any offset (a naive time is rejected: it is ambiguous), holds and returns UTC."""


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown IANA timezone {name!r}") from error
    return name


IanaTimezone = Annotated[str, AfterValidator(_check_timezone)]

E164Phone = Annotated[str, AfterValidator(normalise_phone)]
"""A phone number, normalised to E.164 (US numbers may omit the country code)."""
