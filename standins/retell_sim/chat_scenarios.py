"""What the owner answers to a simulated text (a Retell SMS chat), decided by the number texted, as a call's outcome
is (``scenarios.scenario_key``: the last seven digits, under any US area code).

Any number not below replies that the pet is doing well; ``555-0112`` (the call scenarios' "pet worse" number too)
replies that the pet is worse; ``555-0117`` replies ``STOP``; ``555-0118`` never replies, so the chat ends with only
the agent's first message. The analysis uses the fields of the text agent that ``make retell-agent`` sets up, as the
call scenarios' do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from standins.retell_sim.scenarios import PET_WORSE, scenario_key

DOING_WELL = "+14155550100"
OPTS_OUT = "+14155550117"
NEVER_REPLIES = "+14155550118"

OPT_OUT_REPLY = "STOP"
REPLY_AFTER_SECONDS = 90  # the owner's reply comes a minute and a half after the first text
ANSWER_AFTER_SECONDS = 5  # and the agent's answer to it a few seconds later


@dataclass(frozen=True)
class ChatScript:
    """The owner's reply (``None``: none ever comes), the agent's answer to it, and the post-chat analysis."""

    reply: str | None
    answer: str | None
    summary: str
    sentiment: str  # Negative | Positive | Neutral | Unknown
    successful: bool
    custom_analysis: dict[str, Any]


def _analysis(condition: str, concerns: str = "", *, callback: bool = False, dnc: bool = False) -> dict[str, Any]:
    return {
        "pet_condition": condition,
        "owner_concerns": concerns,
        "callback_requested": callback,
        "do_not_call_requested": dnc,
    }


def opening(variables: dict[str, str]) -> str:
    """The agent's first text, as the text agent's prompt has it written from the call's dynamic variables."""
    clinic = variables.get("clinic_name") or "the clinic"
    pet = variables.get("pet_name") or "your pet"
    owner = variables.get("owner_name")
    greeting = f"Hi {owner}, this" if owner else "Hi, this"
    return (
        f"{greeting} is the care team at {clinic}. We tried to call about {pet} after the recent visit. "
        f"How is {pet} doing? Reply STOP to opt out."
    )


_DOING_WELL = ChatScript(
    "She's doing great, eating well and back to her usual self.",
    "That's wonderful to hear! Keep following the discharge instructions, and text or call us with any questions.",
    "The owner replied that the pet is recovering well.",
    "Positive",
    True,
    _analysis("improving"),
)

_SCRIPTS = {
    scenario_key(PET_WORSE): ChatScript(
        "She's worse. She hasn't eaten since yesterday and the wound looks red and swollen.",
        "I'm sorry to hear that. I'll let the clinic know today. If it's urgent, please call the clinic now.",
        "The owner replied that the pet is worse: not eating, and the wound looks red and swollen.",
        "Negative",
        False,
        _analysis("worse", "Not eating since yesterday; the wound looks red and swollen."),
    ),
    scenario_key(OPTS_OUT): ChatScript(
        OPT_OUT_REPLY,
        "Understood. You won't receive any more messages from us.",
        "The owner opted out of messages.",
        "Negative",
        False,
        _analysis("unknown", dnc=True),
    ),
    scenario_key(NEVER_REPLIES): ChatScript(
        None,
        None,
        "The owner did not reply.",
        "Unknown",
        False,
        _analysis("unknown"),
    ),
}


def chat_script_for(to_number: str) -> ChatScript:
    return _SCRIPTS.get(scenario_key(to_number), _DOING_WELL)
