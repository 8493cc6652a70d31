"""A simulated day of calls: the share of owners reached by the phone alone, and by the phone then a text.

Every owner goes through the real services over in-memory stores (``tests/support/graph.py``): the call is
scheduled, each attempt dialed by its schedule and ended as the owner's draw says (answered, or rung out), retried
with the clinic's default backoff, and, once the attempts are used up, texted by its own schedule; the text's chat
then ends with a reply or without, as the owner's draw says. Nothing is assumed about the rules: only the owners'
behaviour is.

What it assumes (``BENCH_TEXT_*`` to change them): an owner picks up one call from the clinic's number with
probability 0.35 (unknown numbers are answered about a third of the time); a voicemail takes 0.15 of the calls not
picked up; an owner answers a text with probability 0.45 (what vet clinics report for two-way texting); 70% of owners
agreed to a text at discharge.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

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
    from datetime import timedelta

    from shared.models.call import CallOutcome, CallStatus
    from shared.models.execution import ExecutionResult
    from shared.models.retell import RetellChatWebhook
    from shared.models.texts import TextStatus
    from tests.support.graph import build_graph

    rng = random.Random(seed)
    graph = build_graph(seed=seed)
    graph.configure(textFollowUp={"enabled": texting, "when": ["no_answer", "voicemail"], "delayMinutes": 10})
    reach = Reach()
    for owner in range(OWNERS):
        channels = ["call", "text"] if rng.random() < TEXT_CONSENT else ["call"]
        call = graph.schedule(
            phoneNumber=f"+1415555{owner:04d}",
            metadata={"source": "bench", "consultation_id": f"c{owner}"},
            consent={"given": True, "channels": channels},
        )
        reach.owners += 1
        while graph.stored(call.call_id).status == CallStatus.SCHEDULED:
            if graph.fire(call.call_id).result != ExecutionResult.DIALED:
                continue  # moved into business hours, or waiting: fired again at its new time
            reach.dials += 1
            draw = rng.random()
            reason = (
                "agent_hangup"
                if draw < ANSWER
                else "voicemail_reached"
                if draw < ANSWER + VOICEMAIL
                else "dial_no_answer"
            )
            graph.finish(call.call_id, reason)
            graph.clock.now += timedelta(minutes=1)
        ended = graph.stored(call.call_id)
        if ended.outcome == CallOutcome.ANSWERED:
            reach.by_phone += 1
            continue
        if ended.text is None or ended.text.status != TextStatus.SCHEDULED:
            continue
        graph.fire_text(call.call_id)
        reach.texts += 1
        sent = graph.stored(call.call_id)
        replies = ("She is doing fine, thanks",) if rng.random() < REPLY else ()
        graph.text_events.apply(RetellChatWebhook(event="chat_ended", chat=graph.chat(sent, replies=replies)))
        if graph.stored(call.call_id).text.status == TextStatus.REPLIED:  # type: ignore[union-attr]
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
