"""How long owners' personal data is kept, and what removing it leaves: pure rules over a stored call.

A final call keeps its texts (transcript, analysis text, notes, discharge summary) for the clinic's
``retention.transcriptDays``, counted from ``finalAt``; then they are removed, and Retell is asked to delete its
copy of each dial (the recording goes with it). The call itself is removed ``retention.callDays`` after ``finalAt``.
Both are decided against the clinic's settings *when the purge looks*, so a changed setting applies to calls already
stored. An erasure removes the same at once, and the owner's and pet's names and the number too: the number stays
only as its digest (``number_digest``), an HMAC under a key of the deployment's, so the calls to one number can
still be found and counted, but the number cannot be read back from it (a phone number is too guessable for a plain
hash).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from shared.models.call import ERASED_NAME, ERASED_NUMBER_PREFIX, Call, CallAnalysis
from shared.models.settings import RETENTION_MAX_DAYS, RetentionSettings
from shared.models.texts import CallText, TextReason, TextStatus

FAR_BOUND = timedelta(days=RETENTION_MAX_DAYS)
"""A final call's DynamoDB TTL is ``finalAt`` plus this, the longest a clinic may keep a call: however its setting
changes, no call outlives it, even if the purge stopped running. The purge removes calls sooner, as the setting says."""
DIGEST_BYTES = 16
"""128 bits of the HMAC (22 characters of URL-safe base64): no two numbers share a digest in practice, and the key
part stays short."""


class PurgeStage(StrEnum):
    TEXTS = "texts"  # texts or Retell's copies still to remove
    KEPT = "kept"  # texts removed; kept until the call itself is removed


def final_time(call: Call) -> datetime | None:
    """When the call became final (calls made final before ``finalAt`` was recorded: their last change)."""
    if not call.status.is_terminal:
        return None
    return call.final_at or call.updated_at


def purge_stage(call: Call) -> PurgeStage | None:
    """Where the final call stands for the purge; ``None`` while it is not final."""
    if final_time(call) is None:
        return None
    if call.texts_removed_at is None or call.retell_copies_left:
        return PurgeStage.TEXTS
    return PurgeStage.KEPT


def expires_at(call: Call) -> datetime | None:
    final = final_time(call)
    return final + FAR_BOUND if final is not None else None


def final_at_of(expires_epoch: int) -> datetime:
    """``finalAt`` from a final call's TTL (``expires_at``: the item stores it once, as the TTL, to stay small)."""
    return datetime.fromtimestamp(expires_epoch, UTC) - FAR_BOUND


def texts_removed_before(retention: RetentionSettings, now: datetime) -> datetime:
    """A call final at or before this is past the clinic's ``transcriptDays``."""
    return now - timedelta(days=retention.transcript_days)


def removed_before(retention: RetentionSettings, now: datetime) -> datetime:
    """A call final at or before this is past the clinic's ``callDays``."""
    return now - timedelta(days=retention.call_days)


CHAT_COPY_PREFIX = "chat:"
"""A copy left to delete that is a text's chat, not a call (``delete-chat``, not ``delete-call``)."""


def _retell_copies(call: Call) -> list[str]:
    ids = [entry.retell_call_id for entry in call.attempts if entry.retell_call_id]
    if call.retell_call_id:
        ids.append(call.retell_call_id)
    if call.text is not None and call.text.chat_id:
        ids.append(CHAT_COPY_PREFIX + call.text.chat_id)
    return list(dict.fromkeys(ids))


def _text_without_words(text: CallText | None) -> CallText | None:
    if text is None:
        return None
    analysis = text.analysis.model_copy(update={"summary": None, "owner_concerns": None}) if text.analysis else None
    return text.model_copy(update={"transcript": None, "analysis": analysis})


def _without_text(analysis: CallAnalysis | None) -> CallAnalysis | None:
    if analysis is None:
        return None
    return analysis.model_copy(update={"summary": None, "owner_concerns": None})


def without_texts(call: Call, now: datetime) -> Call | None:
    """The call without its texts, and with every Retell copy to delete; ``None`` if they are gone already."""
    if call.texts_removed_at is not None:
        return None
    return call.model_copy(
        update={
            "transcript": None,
            "notes": None,
            "discharge_summary": None,
            "analysis": _without_text(call.analysis),
            "attempts": [
                entry.model_copy(update={"analysis": _without_text(entry.analysis)}) for entry in call.attempts
            ],
            "has_recording": False,
            "text": _text_without_words(call.text),
            "texts_removed_at": now,
            "retell_copies_left": _retell_copies(call),
        }
    )


def texts_stay_removed(call: Call) -> Call:
    """A write to a call whose texts were removed cannot bring them back (a late analysis webhook, say)."""
    if call.texts_removed_at is None:
        return call
    texts = (
        call.transcript,
        call.notes,
        call.discharge_summary,
        call.analysis and call.analysis.summary,
        call.text and (call.text.transcript or (call.text.analysis and call.text.analysis.summary)),
    )
    if not any(texts) and not any(entry.analysis and entry.analysis.summary for entry in call.attempts):
        return call
    removed = without_texts(call.model_copy(update={"texts_removed_at": None}), call.texts_removed_at)
    assert removed is not None
    return removed.model_copy(update={"retell_copies_left": call.retell_copies_left})


def erased(call: Call, digest: str, now: datetime) -> Call | None:
    """The call without its texts, names and number (the number kept as ``digest``); ``None`` if it is already."""
    if call.erased_at is not None and call.texts_removed_at is not None:
        return None
    base = without_texts(call, now) or call
    consent = call.consent.model_copy(update={"note": None}) if call.consent is not None else None
    follow_up_done = call.follow_up.model_copy(update={"note": None}) if call.follow_up is not None else None
    text = base.text
    if text is not None and text.status == TextStatus.SCHEDULED:  # never sent to a number that is gone
        text = text.model_copy(update={"status": TextStatus.SKIPPED, "reason": TextReason.ERASED})
    return base.model_copy(
        update={
            "text": text,
            "phone_number": ERASED_NUMBER_PREFIX + digest,
            "number_digest": digest,
            "owner_name": ERASED_NAME,
            "pet_name": ERASED_NAME,
            "consent": consent,
            "follow_up": follow_up_done,
            "erased_at": now,
        }
    )


def copies_deleted(call: Call, deleted: set[str]) -> Call | None:
    """The call with the Retell copies Retell deleted struck off; ``None`` if none of them was left."""
    left = [copy for copy in call.retell_copies_left if copy not in deleted]
    if len(left) == len(call.retell_copies_left):
        return None
    return call.model_copy(update={"retell_copies_left": left})


def number_digest(key: bytes, phone_number: str) -> str:
    """The number's one-way digest under the deployment's key (an E.164 number in; URL-safe base64, a key part, out)."""
    digest = hmac.new(key, phone_number.encode(), hashlib.sha256).digest()[:DIGEST_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
