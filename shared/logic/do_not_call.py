"""The clinic's do-not-call list: read by members, changed by admins, and added to by itself when an owner asks the
agent not to be called again. A listed number is refused at scheduling and never dialed (``CallExecutor``)."""

from __future__ import annotations

from urllib.parse import unquote

from shared.logic.ports import Clock, DoNotCallStore
from shared.models.errors import NotOnDoNotCallList, OnDoNotCallList, ValidationFailed
from shared.models.phone import normalise_phone
from shared.models.principal import Principal
from shared.models.safety import DoNotCallEntry, DoNotCallSource
from shared.observability import logger

OWNER_REQUEST_REASON = "the owner asked not to be called again (call {call_id})"
OWNER_TEXT_REASON = "the owner opted out by text (call {call_id})"
SYSTEM_USER = "voice-agent"


def number_from_path(raw: str) -> str:
    """The number in a route's path, in any format the schedule body accepts; 422 if it is not a number."""
    try:
        return normalise_phone(unquote(raw))  # the path as sent: %2B14155550100
    except ValueError as error:
        raise ValidationFailed(
            f"phoneNumber: {error}", details=[{"location": "path", "field": "phoneNumber", "message": str(error)}]
        ) from None


class DoNotCallService:
    def __init__(self, store: DoNotCallStore, clock: Clock):
        self._store = store
        self._clock = clock

    def page(self, principal: Principal, limit: int, next_token: str | None) -> tuple[list[DoNotCallEntry], str | None]:
        """A page of the clinic's list, by number, and a token for the next page (``None`` on the last)."""
        return self._store.page(principal.clinic_id, limit, next_token)

    def add(self, principal: Principal, raw_number: str, reason: str) -> DoNotCallEntry:
        principal.require_admin()
        entry = DoNotCallEntry(
            phone_number=number_from_path(raw_number),
            reason=reason,
            added_at=self._clock(),
            added_by=principal.user_id,
            source=DoNotCallSource.CLINIC,
        )
        self._store.add(principal.clinic_id, entry, replace=True)
        logger.info("number added to the do-not-call list", extra={"clinic_id": principal.clinic_id})
        return entry

    def remove(self, principal: Principal, raw_number: str) -> str:
        principal.require_admin()
        number = number_from_path(raw_number)
        if not self._store.remove(principal.clinic_id, number):
            raise NotOnDoNotCallList(number)
        logger.info("number removed from the do-not-call list", extra={"clinic_id": principal.clinic_id})
        return number

    def refuse_listed(self, clinic_id: str, phone_number: str) -> None:
        """``OnDoNotCallList`` (422) if the number is listed."""
        entry = self._store.get(clinic_id, phone_number)
        if entry is not None:
            raise OnDoNotCallList(phone_number, entry.reason)

    def listed(self, clinic_id: str, phone_number: str) -> DoNotCallEntry | None:
        return self._store.get(clinic_id, phone_number)

    def owner_asked(self, clinic_id: str, phone_number: str, call_id: str, *, by_text: bool = False) -> bool:
        """The owner asked the agent not to be called again (on the phone, or ``by_text``): list the number (once;
        an entry already there, the clinic's own or an earlier request, is kept). ``True`` if this added it."""
        reason = OWNER_TEXT_REASON if by_text else OWNER_REQUEST_REASON
        entry = DoNotCallEntry(
            phone_number=phone_number,
            reason=reason.format(call_id=call_id),
            added_at=self._clock(),
            added_by=SYSTEM_USER,
            source=DoNotCallSource.OWNER_REQUEST,
        )
        added = self._store.add(clinic_id, entry, replace=False)
        if added:
            logger.info(
                "owner asked not to be called: number listed", extra={"clinic_id": clinic_id, "call_id": call_id}
            )
        return added
