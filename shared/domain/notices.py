"""What the clinic is told, pure: which events a change of a stored item amounts to (from the table's stream: the
item before and after), and the message each event becomes (subject, plain text, HTML, a chat line).

Each event has a ``key`` unique to its occurrence (``call_failed`` of a call happens once; ``needs_follow_up`` once
per set of reasons; the account's unavailability once per opening of the breaker), so the notice recorded for it
(``shared.logic.notices``) is recorded once however often the change is seen. Messages hold the clinic's name, the
pet, the owner's first name, what happened and a link to the call: never a phone number or a transcript.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from shared.models.base import empty_list
from shared.models.settings import FollowUpReason, NotificationEvent

REASON_WORDS: dict[str, str] = {
    FollowUpReason.CALL_FAILED: "the call failed",
    FollowUpReason.CALL_UNRESOLVED: "nobody could find out what became of the call",
    FollowUpReason.CALLBACK_REQUESTED: "the owner asked the clinic to call back",
    FollowUpReason.PET_WORSE: "the owner says the pet is doing worse",
    FollowUpReason.OWNER_CONCERN: "the owner raised a concern",
    FollowUpReason.CALL_UNSUCCESSFUL: "the call did not reach its goal",
    FollowUpReason.DO_NOT_CALL_REQUESTED: "the owner asked not to be called again (the number was listed)",
}
FAILURE_REASONS = frozenset({FollowUpReason.CALL_FAILED.value, FollowUpReason.CALL_UNRESOLVED.value})


class CallImage(BaseModel):
    """The few fields of a stored call that notices use (the item may hold more; they are ignored)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    call_id: str
    clinic_id: str
    status: str
    outcome: str | None = None
    pet_name: str = ""
    owner_name: str = ""
    clinic_name: str | None = None
    status_reason: str | None = None
    needs_follow_up: bool = False
    follow_up_reasons: list[str] = Field(default_factory=empty_list)
    analysis: dict[str, Any] | None = None
    attempts: list[dict[str, Any]] = Field(default_factory=empty_list)

    @property
    def analyzed(self) -> bool:
        """The dial that ended the call has its analysis (an earlier, retried dial's does not count). Without a
        history of attempts on the item, the call's own analysis."""
        if self.attempts:
            return self.attempts[-1].get("analysis") is not None
        return self.analysis is not None


@dataclass(frozen=True)
class Occurrence:
    """One event to tell the clinic about: ``key`` names this occurrence (the notice's dedup key)."""

    event: NotificationEvent
    key: str
    clinic_id: str | None  # None: every clinic (the Retell account)
    call: CallImage | None = None
    reasons: tuple[str, ...] = ()
    detail: str | None = None


def call_occurrences(old: CallImage | None, new: CallImage) -> list[Occurrence]:
    """The events a call's change from ``old`` to ``new`` amounts to."""
    found: list[Occurrence] = []
    if new.status == "failed" and (old is None or old.status != "failed"):
        event = NotificationEvent.CALL_UNRESOLVED if new.outcome == "lost" else NotificationEvent.CALL_FAILED
        found.append(Occurrence(event, event.value, new.clinic_id, new, tuple(new.follow_up_reasons)))
    notable = [reason for reason in new.follow_up_reasons if reason not in FAILURE_REASONS]
    before = set(old.follow_up_reasons) if old is not None and old.analyzed else set()
    if new.needs_follow_up and notable and new.analyzed and not set(notable) <= before:
        # Told once the analysis is in (the end alone may already show a callback request; the analysis adds to
        # it), and again only for a reason the call did not have.
        key = f"{NotificationEvent.NEEDS_FOLLOW_UP.value}-{len(new.follow_up_reasons)}"
        found.append(Occurrence(NotificationEvent.NEEDS_FOLLOW_UP, key, new.clinic_id, new, tuple(notable)))
    return found


def breaker_occurrence(opened_at: str, reason: str | None) -> Occurrence:
    key = "".join(ch for ch in opened_at if ch.isalnum())
    return Occurrence(
        NotificationEvent.RETELL_ACCOUNT_UNAVAILABLE, f"retell_account_unavailable-{key}", None, detail=reason
    )


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    chat: str


def first_name(owner_name: str) -> str:
    parts = owner_name.split()
    return parts[0] if parts else "the owner"


def call_link(dashboard_url: str, call_id: str) -> str:
    return f"{dashboard_url.rstrip('/')}/calls/{call_id}"


def chat_escape(text: str) -> str:
    """Text as Slack shows it literally: ``&``, ``<`` and ``>`` escaped, so a name can neither mention a channel
    (``<!channel>``) nor plant a link (``<https://...|label>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _page(lines: list[str], link: str | None, link_text: str) -> str:
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    if link:
        body += f'<p><a href="{html.escape(link, quote=True)}">{html.escape(link_text)}</a></p>'
    return f'<html><body style="font-family:sans-serif">{body}</body></html>'


def compose(occurrence: Occurrence, clinic_name: str, dashboard_url: str) -> Message:
    """The message for one event, for one clinic."""
    call = occurrence.call
    if call is None:
        subject = f"{clinic_name}: follow-up calls are paused (the Retell account cannot place calls)"
        lines = [
            "The voice-call account cannot place calls right now, so discharge follow-up calls are waiting.",
            "They are dialed automatically once the account works again; operators have been alerted.",
        ]
        if occurrence.detail:
            lines.append(f"What Retell said: {occurrence.detail[:200]}")
        text = "\n\n".join(lines) + "\n"
        return Message(subject, text, _page(lines, None, ""), f"*{chat_escape(subject)}*")
    pet, owner = call.pet_name or "a pet", first_name(call.owner_name)
    link = call_link(dashboard_url, call.call_id)
    reasons = "; ".join(REASON_WORDS.get(reason, reason.replace("_", " ")) for reason in occurrence.reasons)
    if occurrence.event == NotificationEvent.NEEDS_FOLLOW_UP:
        subject = f"{clinic_name}: {pet} needs follow-up ({reasons.split(';')[0]})"
        what = f"The follow-up call about {pet} (owner {owner}) needs the clinic's attention: {reasons}."
    elif occurrence.event == NotificationEvent.CALL_UNRESOLVED:
        subject = f"{clinic_name}: the call about {pet} could not be resolved"
        what = f"Nobody could find out what became of the follow-up call about {pet} (owner {owner})."
    else:
        subject = f"{clinic_name}: the call about {pet} failed"
        why = f" ({call.status_reason[:200]})" if call.status_reason else ""
        what = f"The follow-up call about {pet} (owner {owner}) failed{why}. Please call the owner yourselves."
    lines = [what, "The call's worklist entry stays until someone marks it done in the dashboard."]
    text = "\n\n".join([*lines, f"Open the call: {link}"]) + "\n"
    chat = f"*{chat_escape(subject)}*\n{chat_escape(what)}\n<{link}|Open the call>"
    return Message(subject, text, _page(lines, link, "Open the call"), chat)


@dataclass(frozen=True)
class DigestCall:
    call_id: str
    pet_name: str
    owner_name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Digest:
    clinic_id: str
    day: str  # the clinic's local date the digest covers, yyyy-mm-dd
    by_outcome: dict[str, int]
    follow_ups: list[DigestCall]
    texts_sent: int = 0  # of the day's calls, those whose owner was texted after the phone went unanswered
    reached_by_text: int = 0  # and of those, the owners who replied

    @property
    def total(self) -> int:
        return sum(self.by_outcome.values())


def compose_digest(digest: Digest, clinic_name: str, dashboard_url: str) -> Message:
    subject = f"{clinic_name}: {digest.total} follow-up calls on {digest.day}, {len(digest.follow_ups)} need follow-up"
    counts = ", ".join(f"{count} {outcome.replace('_', ' ')}" for outcome, count in sorted(digest.by_outcome.items()))
    lines = [f"Calls on {digest.day}: {digest.total} ({counts})."]
    if digest.texts_sent:
        lines.append(
            f"Texts after an unanswered call: {digest.texts_sent}; {digest.reached_by_text} owners replied by text."
        )
    if digest.follow_ups:
        lines.append("Still needing follow-up:")
        for item in digest.follow_ups[:50]:
            why = "; ".join(REASON_WORDS.get(reason, reason) for reason in item.reasons)
            lines.append(f"- {item.pet_name} (owner {first_name(item.owner_name)}): {why}")
    else:
        lines.append("No call needs follow-up.")
    link = f"{dashboard_url.rstrip('/')}/follow-up"
    text = "\n".join([*lines, "", f"The worklist: {link}"]) + "\n"
    chat = f"*{chat_escape(subject)}*\n" + "\n".join(chat_escape(line) for line in lines[1:])
    return Message(subject, text, _page(lines, link, "Open the worklist"), chat)


def digest_day_key(day: str) -> str:
    return f"daily_digest-{day.replace('-', '')}"


def local_hour(now: datetime, timezone: str) -> tuple[int, str]:
    """The hour of ``now`` in ``timezone`` and the local date of the day before (what a digest then covers)."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.hour, (local.date() - timedelta(days=1)).isoformat()
