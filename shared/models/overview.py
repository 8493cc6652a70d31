"""``GET /clinic/overview``: what happened to a clinic's calls over the last days, in the clinic's own days."""

from __future__ import annotations

from pydantic import Field

from shared.models.base import ApiModel, UtcDatetime
from shared.models.call import CallOutcome, CallStatus

OVERVIEW_DAYS = (1, 7, 30)
"""The periods the overview offers: today, the last 7 and the last 30 days (each ending with today)."""


class OverviewCall(ApiModel):
    """A call in the overview's list of failed calls: enough to recognise it and open it."""

    call_id: str
    pet_name: str
    owner_name: str
    scheduled_for: UtcDatetime
    status: CallStatus
    outcome: CallOutcome | None = None
    status_reason: str | None = None
    attempt: int
    max_attempts: int


class ClinicOverview(ApiModel):
    days: int = Field(description="1 is today; 7 and 30 are the days ending with today, in the clinic's timezone")
    timezone: str
    window_start: UtcDatetime = Field(description="Midnight starting the first day, clinic time")
    window_end: UtcDatetime = Field(description="Midnight ending today, clinic time")
    total: int = Field(description="Calls whose scheduledFor falls in the window")
    by_status: dict[CallStatus, int] = Field(description="Every status, with 0 for none")
    by_outcome: dict[CallOutcome, int] = Field(description="How the finished calls ended (outcomes seen only)")
    finished: int = Field(description="Calls whose dialing is over: completed or failed")
    answered: int = Field(description="Finished calls that the owner answered")
    answer_rate: float | None = Field(description="answered / finished, 0 to 1; null when nothing finished")
    average_attempts: float | None = Field(description="Mean attempts of the finished calls; null when none")
    failed: list[OverviewCall] = Field(description="The failed calls, latest first (at most 100)")
    failed_total: int = Field(description="How many calls failed (the list may hold fewer)")
    truncated: bool = Field(
        description="True if the window held more calls than one overview reads; the figures then cover the first"
    )
    texts_sent: int = Field(
        default=0, description="Texts that went out in the window (after the phone went unanswered)"
    )
    reached_by_text: int = Field(
        default=0, description="Of those, the owners who replied: reached by text after the phone failed"
    )
    computed_at: UtcDatetime = Field(
        description="When these figures were computed: an overview is kept for 30 s and served again meanwhile"
    )
