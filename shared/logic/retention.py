"""The retention purge and an owner's erasure: removing owners' personal data when the clinic's retention says, or at
once when asked (``shared.domain.retention`` says what is removed).

The purge runs in the reconciler, on its schedule: for each clinic, one query for the final calls past its
``transcriptDays`` that still hold texts or Retell copies, one for those past its ``callDays``. The clinic's
settings are read when the purge looks, so a changed setting applies to calls already stored. Each step is a
conditional write of the call as read (a call changed meanwhile is decided again), so a run repeated, or two at
once, change nothing twice. A Retell copy whose deletion failed stays in ``retellCopiesLeft`` and keeps the call
in the purge's index: the next run asks Retell again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from shared.domain import retention
from shared.domain.retention import PurgeStage
from shared.logic.call_writes import CallAccess
from shared.logic.ports import Clock, RetellCopies, RetellUnavailable, RetentionStore
from shared.models.call import Call, CallStatus
from shared.models.errors import CallInProgress
from shared.models.phone import normalise_phone
from shared.models.principal import Principal
from shared.models.requests import ErasureResult
from shared.models.settings import RetentionSettings
from shared.observability import logger

BATCH_PER_CLINIC = 100
"""Calls taken per clinic, stage and run; a backlog drains over a few runs."""


@dataclass(frozen=True)
class PurgeReport:
    texts_removed: int = 0
    retell_deleted: int = 0
    retell_failed: int = 0
    calls_removed: int = 0


class RetellCopyRemover:
    """Deletes a call's Retell copies and strikes off those Retell deleted."""

    def __init__(self, access: CallAccess, retell: Callable[[], RetellCopies]):
        self._writer = access.writer
        self._retell = retell
        self.retell_down = False
        """Retell failed a deletion in this run (or request): the copies left wait for the next run, so a run with
        Retell down asks it once, not once a call (each question may wait its whole timeout)."""

    def delete_copies(self, call: Call, now: datetime) -> tuple[int, int]:
        """Ask Retell to delete each copy left: (deleted, failed)."""
        deleted: set[str] = set()
        failed = 0
        for copy in call.retell_copies_left:
            if self.retell_down:
                failed = len(call.retell_copies_left) - len(deleted)
                break
            try:
                if copy.startswith(retention.CHAT_COPY_PREFIX):
                    self._retell().delete_chat(copy.removeprefix(retention.CHAT_COPY_PREFIX))
                else:
                    self._retell().delete_call(copy)
            except RetellUnavailable as error:
                self.retell_down = True
                failed = len(call.retell_copies_left) - len(deleted)
                logger.warning("Retell could not delete a call", extra={"call_id": call.call_id, "error": str(error)})
                break
            deleted.add(copy)
        if deleted:
            self._writer.apply(
                call.clinic_id, call.call_id, lambda current: retention.copies_deleted(current, deleted), now
            )
        return len(deleted), failed


class RetentionPurge:
    def __init__(self, access: CallAccess, store: RetentionStore, retell: Callable[[], RetellCopies], *, clock: Clock):
        self._access = access
        self._store = store
        self._copies = RetellCopyRemover(access, retell)
        self._clock = clock

    def run(self) -> PurgeReport:
        now = self._clock()
        self._copies.retell_down = False
        totals = [0, 0, 0, 0]
        for clinic_id in self._store.clinics():
            setting = self._access.settings.current(clinic_id).retention
            for index, count in enumerate(self._clinic(clinic_id, setting, now)):
                totals[index] += count
        return PurgeReport(*totals)

    def _clinic(self, clinic_id: str, setting: RetentionSettings, now: datetime) -> tuple[int, int, int, int]:
        texts = deleted = failed = removed = 0
        texts_before = retention.texts_removed_before(setting, now)
        for ref in self._store.final_before(clinic_id, PurgeStage.TEXTS, texts_before, BATCH_PER_CLINIC):
            written = self._access.writer.apply(
                clinic_id, ref.call_id, lambda current: _texts_due(current, texts_before, now), now
            )
            call = written.after or written.before
            if written.after is not None:
                texts += 1
            if call is not None and call.texts_removed_at is not None:
                done, not_done = self._copies.delete_copies(call, now)
                deleted, failed = deleted + done, failed + not_done
        removed_before = retention.removed_before(setting, now)
        for stage in PurgeStage:
            for ref in self._store.final_before(clinic_id, stage, removed_before, BATCH_PER_CLINIC):
                removed += self._remove(ref.clinic_id, ref.call_id, removed_before)
        return texts, deleted, failed, removed

    def _remove(self, clinic_id: str, call_id: str, removed_before: datetime) -> int:
        """Remove a call past ``callDays``; its Retell copies are deleted first, so nothing is left at Retell (a
        call whose copies Retell could not delete waits for the next run)."""
        call = self._access.calls.get(clinic_id, call_id)
        final = retention.final_time(call) if call is not None else None
        if call is None or final is None or final > removed_before:
            return 0
        if call.texts_removed_at is None:
            written = self._access.writer.apply(
                clinic_id, call_id, lambda current: retention.without_texts(current, self._clock()), self._clock()
            )
            call = written.after or call
        if call.retell_copies_left:
            self._copies.delete_copies(call, self._clock())
            call = self._access.calls.get(clinic_id, call_id)
            if call is None or call.retell_copies_left:
                return 0
        if not self._store.remove(call):
            return 0
        logger.info("removed a call past its retention", extra={"call_id": call_id})
        return 1


def _texts_due(call: Call, before: datetime, now: datetime) -> Call | None:
    final = retention.final_time(call)
    if final is None or final > before:
        return None
    return retention.without_texts(call, now)


class ErasureService:
    """``POST /clinic/erasure``: every call of the clinic to one number loses its texts, names and number now, and
    Retell is asked to delete its copies. Repeating it finds the same calls, already erased, and changes nothing."""

    def __init__(
        self,
        access: CallAccess,
        store: RetentionStore,
        retell: Callable[[], RetellCopies],
        digest: Callable[[str], str],
        *,
        clock: Clock,
    ):
        self._access = access
        self._store = store
        self._copies = RetellCopyRemover(access, retell)
        self._digest = digest
        self._clock = clock

    def erase(self, principal: Principal, phone_number: str) -> ErasureResult:
        principal.require_admin()
        self._copies.retell_down = False
        number = normalise_phone(phone_number)
        digest = self._digest(number)
        refs = self._store.calls_to_number(principal.clinic_id, digest)
        calls = [call for ref in refs if (call := self._access.calls.get(principal.clinic_id, ref.call_id))]
        if any(not call.status.is_terminal and call.status != CallStatus.SCHEDULED for call in calls):
            raise CallInProgress
        now = self._clock()
        erased = retell_deleted = 0
        for call in calls:
            if call.status == CallStatus.SCHEDULED:
                self._access.writer.apply(principal.clinic_id, call.call_id, _cancelled_for_erasure, now)
            written = self._access.writer.apply(
                principal.clinic_id, call.call_id, lambda current: _erased(current, digest, now), now
            )
            after = written.after or written.before
            if after is None:
                continue
            erased += 1
            retell_deleted += self._copies.delete_copies(after, now)[0]
        logger.info("erased an owner's data", extra={"calls": erased, "retell_deleted": retell_deleted})
        return ErasureResult(calls=erased, retell_deleted=retell_deleted)


def _cancelled_for_erasure(call: Call) -> Call | None:
    if call.status != CallStatus.SCHEDULED:
        return None
    return call.model_copy(
        update={"status": CallStatus.CANCELLED, "next_retry_at": None, "status_reason": "the owner's data was erased"}
    )


def _erased(call: Call, digest: str, now: datetime) -> Call | None:
    if not call.status.is_terminal:
        return None  # dialed meanwhile: the caller is told on a repeat (``CallInProgress``)
    return retention.erased(call, digest, now)
