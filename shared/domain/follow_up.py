"""Which calls the clinic must look at again: a call's final state and Retell's analysis of it, turned into
``followUpReasons`` codes by the clinic's rules (``FollowUpRules``), pure.

A call is flagged when it reaches a terminal state (or its analysis arrives after that) and one of the reasons the
clinic's rules enable applies. Reasons only accumulate: a late analysis may add one, nothing removes one. A call
whose follow-up a staff member marked done is flagged again only for a reason it did not have when it was done.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from shared.models.call import Call, CallAnalysis, CallOutcome, CallStatus, FollowUpDone
from shared.models.settings import ALL_REASONS, FollowUpReason, FollowUpRules
from shared.models.texts import TextAnalysis

PET_WORSE_VALUES = frozenset({"worse", "worsening", "deteriorating"})
"""Values of the analysis' ``pet_condition`` that mean the pet is not recovering (compared case-insensitively)."""


def reasons_for(call: Call) -> list[FollowUpReason]:
    """Every reason that applies to ``call`` as it is now, in ``FollowUpReason`` order (rules not applied). Only a
    terminal call (not cancelled) has any: a call still being retried is not the clinic's business yet."""
    if call.status not in {CallStatus.COMPLETED, CallStatus.FAILED}:
        return []
    found: set[FollowUpReason] = set()
    if call.status == CallStatus.FAILED:
        found.add(FollowUpReason.CALL_UNRESOLVED if call.outcome == CallOutcome.LOST else FollowUpReason.CALL_FAILED)
    if call.outcome == CallOutcome.CALLBACK_REQUESTED:
        found.add(FollowUpReason.CALLBACK_REQUESTED)
    if call.outcome == CallOutcome.DO_NOT_CALL_REQUESTED:
        found.add(FollowUpReason.DO_NOT_CALL_REQUESTED)
    analysis = _final_analysis(call) if call.status == CallStatus.COMPLETED else None  # a failure had no conversation
    if analysis is not None:
        found |= _said(analysis)
        if analysis.successful is False and not analysis.in_voicemail and call.outcome != CallOutcome.VOICEMAIL:
            found.add(FollowUpReason.CALL_UNSUCCESSFUL)
    found |= _text_reasons(call)
    return [reason for reason in ALL_REASONS if reason in found]


def _text_reasons(call: Call) -> set[FollowUpReason]:
    """What the owner said in the call's text asks of the clinic as a conversation on the phone would."""
    analysis = call.text.analysis if call.text is not None else None
    return _said(analysis) if analysis is not None else set()


def _said(analysis: CallAnalysis | TextAnalysis) -> set[FollowUpReason]:
    """The reasons in what the owner said, as the agent's analysis of a call or a text reports it."""
    found: set[FollowUpReason] = set()
    if analysis.callback_requested:
        found.add(FollowUpReason.CALLBACK_REQUESTED)
    if analysis.do_not_call_requested:
        found.add(FollowUpReason.DO_NOT_CALL_REQUESTED)
    if analysis.pet_condition and analysis.pet_condition.strip().lower() in PET_WORSE_VALUES:
        found.add(FollowUpReason.PET_WORSE)
    if analysis.owner_concerns and analysis.owner_concerns.strip():
        found.add(FollowUpReason.OWNER_CONCERN)
    return found


def _final_analysis(call: Call) -> CallAnalysis | None:
    """The analysis of the dial that ended the call: an earlier attempt's (a dial that was retried) says nothing of
    the conversation that completed it. Without a history of attempts, the call's own."""
    entry = call.current_attempt()
    if entry is None:
        return call.analysis
    return entry.analysis


def _ordered(codes: Iterable[str]) -> list[str]:
    known = [reason.value for reason in ALL_REASONS if reason.value in set(codes)]
    return known + sorted(set(codes) - set(known))


def flag(call: Call, rules: FollowUpRules, now: datetime) -> Call:
    """``call`` with its follow-up fields brought up to date: the reasons the rules enable are added; the call needs
    follow-up while it has a reason not yet marked done. Unchanged (the same object) when nothing changes."""
    enabled = set(rules.flag)
    new = {reason.value for reason in reasons_for(call) if reason in enabled}
    have = set(call.follow_up_reasons)
    if new <= have:
        return call
    reasons = _ordered(have | new)
    done = set(call.follow_up.reasons) if call.follow_up is not None else set()
    needs = bool(set(reasons) - done)
    return call.model_copy(
        update={
            "follow_up_reasons": reasons,
            "needs_follow_up": needs,
            "flagged_at": now if needs and not call.needs_follow_up else call.flagged_at,
        }
    )


def mark_done(call: Call, user_id: str, note: str | None, now: datetime) -> Call | None:
    """The follow-up done by ``user_id``; ``None`` if the call needs none (never flagged, or already done)."""
    if not call.needs_follow_up:
        return None
    done = FollowUpDone(resolved_at=now, resolved_by=user_id, note=note, reasons=list(call.follow_up_reasons))
    return call.model_copy(update={"needs_follow_up": False, "follow_up": done})
