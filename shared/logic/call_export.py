"""A clinic's calls for a spreadsheet: read from the clinic index page by page (never a scan, never all at once),
at most ``EXPORT_MAX_ROWS`` of them, oldest first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from shared.logic.ports import CallStore
from shared.models.call import Call
from shared.models.principal import Principal
from shared.models.queries import CallQuery

EXPORT_MAX_ROWS = 10_000
EXPORT_PAGE = 500
"""Calls read a page: one index query and one batch read of whole items, a few MB at most."""


class CallExport:
    """The calls, as they are read. ``truncated`` says, once they have all been read, whether there were more."""

    def __init__(self, calls: CallStore, query: CallQuery):
        self._calls = calls
        self._query = query
        self.truncated = False

    def __iter__(self) -> Iterator[Call]:
        token: str | None = None
        given = 0
        while True:
            wanted = min(EXPORT_PAGE, EXPORT_MAX_ROWS + 1 - given)  # one more than allowed tells "truncated"
            page, token = self._calls.list_for_clinic(
                CallQuery(
                    clinic_id=self._query.clinic_id,
                    scheduled_from=self._query.scheduled_from,
                    scheduled_to=self._query.scheduled_to,
                    limit=wanted,
                    next_token=token,
                )
            )
            for call in page:
                if given == EXPORT_MAX_ROWS:
                    self.truncated = True
                    return
                given += 1
                yield call
            if token is None:
                return


class CallExportService:
    def __init__(self, calls: CallStore):
        self._calls = calls

    def export(
        self, principal: Principal, scheduled_from: datetime | None, scheduled_to: datetime | None
    ) -> CallExport:
        """Checked now (an admin, a window that is one); read as the caller iterates."""
        principal.require_admin()
        query = CallQuery(clinic_id=principal.clinic_id, scheduled_from=scheduled_from, scheduled_to=scheduled_to)
        query.require_ordered()
        return CallExport(self._calls, query)
