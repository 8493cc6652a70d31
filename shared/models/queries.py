"""How the code names the calls it asks a store for: one call (``CallRef``), or a page of a clinic's calls
(``CallQuery``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.models.base import format_utc
from shared.models.call import CallStatus
from shared.models.errors import ValidationFailed


@dataclass(frozen=True)
class CallQuery:
    clinic_id: str
    statuses: frozenset[CallStatus] = frozenset()
    scheduled_from: datetime | None = None
    scheduled_to: datetime | None = None
    limit: int = 25
    next_token: str | None = None

    def require_ordered(self) -> None:
        """``ValidationFailed`` for a window that ends before it starts."""
        if self.scheduled_from and self.scheduled_to and self.scheduled_from > self.scheduled_to:
            raise ValidationFailed("'from' must not be after 'to'.", details=[{"field": "from"}])

    def binding(self) -> str:
        """What a ``nextToken`` is bound to: the clinic and the filters (not ``limit``, which may change per page)."""
        bounds = [format_utc(bound) if bound else "" for bound in (self.scheduled_from, self.scheduled_to)]
        return "\n".join([self.clinic_id, ",".join(sorted(self.statuses)), *bounds])


@dataclass(frozen=True)
class CallRef:
    clinic_id: str
    call_id: str
