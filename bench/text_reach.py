"""A simulated day of calls: the share of owners reached by the phone alone, and by the phone then a text.

Every owner's call goes through the system's own rules (``shared.domain``): each attempt is claimed, dialed and
ended as the owner's draw says (answered, voicemail, or rung out), retried by the clinic's default backoff inside
its hours (``lifecycle.ended``); the call's text is planned by the rule the writer applies to the write that ends a
call (``texts.planned``), claimed and started, and its chat ends with a reply or without, as the owner's draw says
(``texts.applied``). Only the owners' behaviour is assumed.

What it assumes (``BENCH_TEXT_*`` to change them): an owner picks up one call from the clinic's number with
probability 0.35 (unknown numbers are answered about a third of the time); a voicemail takes 0.15 of the calls; an
owner answers a text with probability 0.45 (what vet clinics report for two-way texting); 70% of owners agreed to a
text at discharge.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

OWNERS = int(os.environ.get("BENCH_TEXT_OWNERS", "400"))
ANSWER = float(os.environ.get("BENCH_TEXT_ANSWER", "0.35"))
VOICEMAIL = float(os.environ.get("BENCH_TEXT_VOICEMAIL", "0.15"))
REPLY = float(os.environ.get("BENCH_TEXT_REPLY", "0.45"))
TEXT_CONSENT = float(os.environ.get("BENCH_TEXT_CONSENT", "0.7"))


@dataclass
class Reach:
    owners: int = 0
    by_phone: int = 0
    by_text: int = 0
    dials: int = 0
    texts: int = 0


def simulate_day(*, texting: bool, seed: int = 7) -> Reach:
    from shared.domain import lifecycle, texts
    from shared.domain.calling_safety import DialWindow
    from shared.models.call import Call, CallOutcome, CallStatus
    from shared.models.retell import RetellChat
    from shared.models.safety import CallConsent
    from shared.models.settings import ClinicSettings
    from shared.models.texts import TextStatus

    rng = random.Random(seed)
    settings = ClinicSettings.model_validate(
        {"textFollowUp": {"enabled": texting, "when": ["no_answer", "voicemail"], "delayMinutes": 10}}
    )
    monday_0900 = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    reach = Reach()
    for owner in range(OWNERS):
        now = monday_0900 + timedelta(minutes=owner)  # calls spread over the clinic's day
        number = f"+1415555{owner % 10_000:04d}"
        consent = CallConsent(
            given=True,
            method="verbal_at_discharge",
            recorded_by="vet",
            recorded_at=now,
            channels=["call", "text"] if rng.random() < TEXT_CONSENT else ["call"],
        )
        call: Call = Call(
            call_id=f"c{owner}",
            clinic_id="bench",
            status=CallStatus.SCHEDULED,
            phone_number=number,
            pet_name="Luna",
            owner_name="Sarah",
            requested_for=now,
            scheduled_for=now,
            timezone=settings.timezone,
            rescheduled=False,
            max_attempts=settings.retry.max_retries + 1,
            schedule_token="t0",
            consent=consent,
            created_at=now,
            updated_at=now,
            created_by="bench",
        )
        window = DialWindow.for_call(settings, number)
        reach.owners += 1
        while call.status == CallStatus.SCHEDULED:
            now = max(now, call.scheduled_for)
            claimed = lifecycle.claim(call, call.attempt, call.schedule_token, now)
            assert claimed is not None
            call = lifecycle.dialed(claimed, claimed.attempt, f"r{owner}-{claimed.attempt}", now) or claimed
            reach.dials += 1
            draw = rng.random()
            reason = "agent_hangup" if draw < ANSWER else "voicemail_reached" if draw < ANSWER + VOICEMAIL else None
            end = lifecycle.CallEnd(
                attempt=call.attempt,
                retell_call_id=f"r{owner}-{call.attempt}",
                disconnection_reason=reason or "dial_no_answer",
                started_at=now if reason else None,
                ended_at=now + timedelta(minutes=1),
                in_voicemail=reason == "voicemail_reached",
            )
            now += timedelta(minutes=1)
            next_token = f"t{call.attempt}"
            ended = lifecycle.ended(
                call, end, settings.retry, window, now, token=next_token, requeue_delay=timedelta(minutes=1)
            )
            assert ended is not None
            call = texts.planned(ended, settings, now, "text") if ended.status.is_terminal else ended
        if call.outcome == CallOutcome.ANSWERED:
            reach.by_phone += 1
            continue
        if call.text is None or call.text.status != TextStatus.SCHEDULED or call.text.scheduled_for is None:
            continue
        now = call.text.scheduled_for
        sent = texts.claim(call, "text", now)
        assert sent is not None
        sent = texts.started(sent, f"chat{owner}", now) or sent
        reach.texts += 1
        messages = [{"role": "agent", "content": "Hi, how is Luna doing?"}]
        if rng.random() < REPLY:
            messages.append({"role": "user", "content": "She is doing fine, thanks"})
        chat = RetellChat.model_validate(
            {"chat_id": f"chat{owner}", "chat_status": "ended", "message_with_tool_calls": messages}
        )
        replied = texts.applied(sent, chat)
        if replied is not None and replied.text is not None and replied.text.status == TextStatus.REPLIED:
            reach.by_text += 1
    return reach


def text_reach() -> None:
    print(
        f"\nReach in a simulated day of {OWNERS} calls (an owner answers {ANSWER:.0%} of calls, voicemail takes "
        f"{VOICEMAIL:.0%}, {TEXT_CONSENT:.0%} agreed to a text, {REPLY:.0%} answer one; default retries 5/10/20 min)"
    )
    print(f"  {'':28} {'reached':>8} {'by phone':>9} {'by text':>8} {'dials':>6} {'texts':>6}")
    for name, texting in (("phone alone", False), ("phone, then a text", True)):
        reach = simulate_day(texting=texting)
        reached = reach.by_phone + reach.by_text
        print(
            f"  {name:28} {reached / reach.owners:>8.1%} {reach.by_phone / reach.owners:>9.1%} "
            f"{reach.by_text / reach.owners:>8.1%} {reach.dials:>6} {reach.texts:>6}"
        )


if __name__ == "__main__":
    text_reach()
