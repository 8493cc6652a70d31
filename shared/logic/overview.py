"""The clinic's overview: calls by status and outcome, the answer rate, average attempts and the failed calls, for
today or the last 7 or 30 days in the clinic's timezone.

Computed on request from one bounded query of the clinic's calls index (``gsi1``: the clinic's calls by
``scheduledFor``), reading only the attributes the figures need (a projection), never a scan: a clinic's 30 days
are at most a few thousand calls, a few DynamoDB pages. Counters maintained as calls move were the alternative;
they would add a write to every transition (the busiest path) and a second source of truth to keep in step with
the calls, for a page an admin opens a few times a day.

Any member may ask for it as often as the clinic's request budget allows, and one overview may read up to
``MAX_CALLS`` index entries. So each container keeps the overview it computed for a clinic and period for
``CACHED_FOR`` (``computedAt`` says when it was computed): asking again within that time reads nothing, and a clinic
costs at most one computation per period, per warm container, per ``CACHED_FOR``. The dashboard refreshes the page
every 60 s, so it still sees every change within a refresh or two; a cache in the table was the alternative, and
would add writes and a second copy to keep in step for no saving the container's does not give.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.ports import CallSummaries, Clock, TextTallies
from shared.models.call import REACHED_OUTCOMES, CallStatus
from shared.models.errors import ValidationFailed
from shared.models.overview import OVERVIEW_DAYS, ClinicOverview, OverviewCall
from shared.models.principal import Principal

MAX_CALLS = 20_000
"""An overview reads at most this many calls (more than any clinic makes in 30 days); beyond, it says truncated."""
MAX_FAILED_LISTED = 100
CACHED_FOR = timedelta(seconds=30)
"""How long a container serves an overview it computed before it computes it again."""
MAX_CACHED = 1_000
"""Overviews a container keeps at most (clinic and period); beyond, the oldest is dropped first."""
FINISHED = frozenset({CallStatus.COMPLETED, CallStatus.FAILED})


class OverviewService:
    def __init__(
        self, summaries: CallSummaries, settings: ClinicSettingsService, clock: Clock, text_tallies: TextTallies
    ):
        self._summaries = summaries
        self._text_tallies = text_tallies
        self._settings = settings
        self._clock = clock
        self._cached: dict[tuple[str, int], ClinicOverview] = {}  # in the order computed, oldest first

    def overview(self, principal: Principal, days: int) -> ClinicOverview:
        if days not in OVERVIEW_DAYS:
            raise ValidationFailed(
                f"days must be one of {', '.join(map(str, OVERVIEW_DAYS))}.",
                details=[{"location": "query", "field": "days"}],
            )
        now = self._clock()
        key = (principal.clinic_id, days)
        cached = self._cached.get(key)
        if cached is not None and cached.computed_at <= now < cached.computed_at + CACHED_FOR:
            return cached
        computed = self._compute(principal.clinic_id, days, now)
        self._cached.pop(key, None)
        self._cached[key] = computed
        while len(self._cached) > MAX_CACHED:
            del self._cached[next(iter(self._cached))]
        return computed

    def _compute(self, clinic_id: str, days: int, now: datetime) -> ClinicOverview:
        timezone = self._settings.current(clinic_id).timezone
        zone = ZoneInfo(timezone)
        today = now.astimezone(zone).date()
        start = datetime.combine(today - timedelta(days=days - 1), time(), zone)
        end = datetime.combine(today + timedelta(days=1), time(), zone)
        calls, truncated = self._summaries.between(clinic_id, start, end, MAX_CALLS)
        # Texts by the day they went out (a tally per clinic-local day), not by their call's scheduledFor.
        texts_sent, reached_by_text = self._text_tallies.totals(
            clinic_id, [today - timedelta(days=back) for back in range(days)]
        )

        by_status = Counter(call.status for call in calls)
        finished = [call for call in calls if call.status in FINISHED]
        answered = sum(1 for call in finished if call.outcome in REACHED_OUTCOMES)
        failed = sorted(
            (call for call in calls if call.status == CallStatus.FAILED),
            key=lambda call: call.scheduled_for,
            reverse=True,
        )
        return ClinicOverview(
            days=days,
            timezone=timezone,
            window_start=start,
            window_end=end,
            total=len(calls),
            by_status={status: by_status.get(status, 0) for status in CallStatus},
            by_outcome=dict(Counter(call.outcome for call in finished if call.outcome is not None)),
            finished=len(finished),
            answered=answered,
            answer_rate=round(answered / len(finished), 4) if finished else None,
            average_attempts=round(sum(call.attempt for call in finished) / len(finished), 2) if finished else None,
            # a summary holds exactly an overview call's fields
            failed=[OverviewCall.model_validate(call, from_attributes=True) for call in failed[:MAX_FAILED_LISTED]],
            failed_total=len(failed),
            truncated=truncated,
            texts_sent=texts_sent,
            reached_by_text=reached_by_text,
            computed_at=now,
        )
