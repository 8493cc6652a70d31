"""``GET /clinic/answer-rates``: when a clinic's owners pick up, by the owner's local weekday and hour."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.models.base import ApiModel

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

ANSWER_RATE_DAYS_MIN = 7
ANSWER_RATE_DAYS_MAX = 365
ANSWER_RATE_DAYS_DEFAULT = 90


class AnswerRateCell(ApiModel):
    weekday: Weekday = Field(description="The owner's local weekday")
    hour: int = Field(ge=0, le=23, description="The owner's local hour (0-23)")
    dials: int = Field(ge=0, description="Dials that rang the owner's phone in this hour")
    answered: int = Field(ge=0, description="Of those, the owner spoke (not a voicemail)")


class BestHour(ApiModel):
    weekday: Weekday
    hour: int = Field(ge=0, le=23)
    rate: float = Field(ge=0, le=1, description="answered / dials in this hour")


class AnswerRates(ApiModel):
    days: int = Field(description="The period: the last `days` days (UTC), today included")
    timezone_basis: Literal["owner"] = Field(
        default="owner", description="Weekday and hour are the owner's local time (from the number)"
    )
    cells: list[AnswerRateCell] = Field(description="Only hours with at least one dial, in week order")
    best: list[BestHour] = Field(
        description="At most 3 hours with the highest answer rate, highest first; only hours with enough dials (5)"
    )
