"""What happens to a simulated call, decided by the number called (like card numbers in a payment sandbox).

The scenario is the number's last seven digits under any US area code (``+12125550101`` behaves like
``+14155550101``), so a test can pick an area code whose local time is inside the owner's calling hours at any hour.
Beyond the contract, the same holds under any country code (``+442075550101`` is "no answer" too): for about two
hours a day (around 10:00-12:00 UTC) no North American zone is inside 08:00-20:00, and London is
(``standins.daytime`` picks the prefix). The constants below write them with 415. "First call" and "once" count per
full number, so two area codes give a test two independent first calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from shared.models.phone import phone_time_zones

ANSWERS = "+14155550100"
NO_ANSWER = "+14155550101"
BUSY = "+14155550102"
DIAL_FAILED = "+14155550103"
VOICEMAIL = "+14155550104"
OWNER_HANGS_UP = "+14155550105"
NO_ANSWER_THEN_ANSWERS = "+14155550106"
RATE_LIMITED_ONCE = "+14155550107"
WEBHOOKS_LOST = "+14155550108"
SLOW_DIAL = "+14155550109"
TIMES_OUT_ONCE = "+14155550110"
VOICEMAIL_UNDETECTED = "+14155550111"
PET_WORSE = "+14155550112"
CALLBACK_REQUESTED = "+14155550113"
DO_NOT_CALL_REQUESTED = "+14155550114"
PROVIDER_UNAVAILABLE_ONCE = "+14155550115"
NO_PAYMENT_ONCE = "+14155550116"

_SCENARIO_NUMBER = re.compile(r"\+\d{4,8}(\d{7})")


def scenario_key(to_number: str) -> str:
    """The last seven digits of an E.164 number (its scenario); anything else is its own key (and answers)."""
    match = _SCENARIO_NUMBER.fullmatch(to_number)
    return match.group(1) if match else to_number


def same_scenario(to_number: str, scenario_number: str) -> bool:
    return scenario_key(to_number) == scenario_key(scenario_number)


@dataclass(frozen=True)
class Script:
    connects: bool
    disconnection_reason: str
    call_status: str  # ended | not_connected | error
    duration_seconds: int
    transcript: str | None
    summary: str
    sentiment: str
    successful: bool
    in_voicemail: bool = False
    # The agent's post-call analysis (``make retell-agent``'s fields); Retell leaves it out when there was no
    # conversation (not connected, or only a voicemail box), so the receiver must cope with its absence.
    custom_analysis: dict[str, Any] | None = None
    webhooks: bool = True  # False: Retell never delivers this call's webhooks (only get-call and list-calls know)


def _analysis(condition: str, concerns: str = "", *, callback: bool = False, dnc: bool = False) -> dict[str, Any]:
    return {
        "pet_condition": condition,
        "owner_concerns": concerns,
        "callback_requested": callback,
        "do_not_call_requested": dnc,
    }


CONVERSATION = (
    "Agent: Hi, this is the care team calling about Luna after her visit today. How is she doing?\n"
    "User: She's eating again and resting a lot.\n"
    "Agent: That's good to hear. Keep the cone on and call the clinic if the wound looks red or swollen.\n"
    "User: Will do, thank you.\n"
    "Agent: Take care, goodbye."
)


def _not_connected(reason: str, summary: str, call_status: str = "not_connected") -> Script:
    return Script(False, reason, call_status, 0, None, summary, "Unknown", False)


_ANSWERED = Script(
    True,
    "agent_hangup",
    "ended",
    74,
    CONVERSATION,
    "The owner reports the pet is recovering well.",
    "Positive",
    True,
    custom_analysis=_analysis("improving"),
)
_NOT_ANSWERED = _not_connected("dial_no_answer", "The call was not answered.")
_PROVIDER_UNAVAILABLE = _not_connected(
    "telephony_provider_unavailable", "The call could not be placed: the telephony provider was unavailable."
)
# An account-level end: Retell reports it with call_status "error", not as a dial outcome.
_NO_VALID_PAYMENT = _not_connected(
    "no_valid_payment", "The call was not placed: the account has no valid payment method.", "error"
)

_SCRIPTS = {
    scenario_key(number): script
    for number, script in {
        NO_ANSWER: _NOT_ANSWERED,
        BUSY: _not_connected("dial_busy", "The line was busy."),
        DIAL_FAILED: _not_connected("dial_failed", "The call could not be placed."),
        VOICEMAIL: Script(
            True,
            "voicemail_reached",
            "ended",
            21,
            "Agent: Hi, this is the care team calling about your pet's recovery. Please call the clinic back.",
            "Reached voicemail; left a message.",
            "Neutral",
            False,
            in_voicemail=True,
        ),
        OWNER_HANGS_UP: Script(
            True,
            "user_hangup",
            "ended",
            9,
            "Agent: Hi, this is the care team calling about your pet.\nUser: Sorry, not now.",
            "The owner ended the call early.",
            "Neutral",
            False,
            custom_analysis=_analysis("unknown"),
        ),
        WEBHOOKS_LOST: replace(_ANSWERED, webhooks=False),
        VOICEMAIL_UNDETECTED: Script(
            True,
            "agent_hangup",
            "ended",
            32,
            "User: Hi, you've reached the Johnsons. We can't take your call right now, please leave a message after "
            "the tone.\n"
            "Agent: Hi, this is the care team calling to check on Luna after her visit. How is she doing?\n"
            "Agent: I'll let the clinic know. Goodbye.",
            "The agent reached an answering machine and spoke to the greeting; nobody answered.",
            "Unknown",
            False,
            in_voicemail=True,
        ),
        PET_WORSE: Script(
            True,
            "agent_hangup",
            "ended",
            96,
            "Agent: Hi, this is the care team calling about Luna after her visit today. How is she doing?\n"
            "User: She's getting worse. She hasn't eaten since yesterday and the wound looks red and swollen.\n"
            "Agent: I'm sorry to hear that. I'll make sure the clinic knows today.\n"
            "User: Okay, thank you.\n"
            "Agent: Take care, goodbye.",
            "The owner reports the pet is worse: not eating, and the wound looks red and swollen.",
            "Negative",
            False,
            custom_analysis=_analysis("worse", "Not eating since yesterday; the wound looks red and swollen."),
        ),
        CALLBACK_REQUESTED: Script(
            True,
            "user_requested_callback",
            "ended",
            18,
            "Agent: Hi, this is the care team calling about Luna after her visit today. How is she doing?\n"
            "User: I'm driving right now. Can the clinic call me back this evening?\n"
            "Agent: Of course, I'll ask them to call you back. Goodbye.",
            "The owner asked the clinic to call back later.",
            "Neutral",
            False,
            custom_analysis=_analysis("unknown", callback=True),
        ),
        DO_NOT_CALL_REQUESTED: Script(
            True,
            "user_requested_dnc",
            "ended",
            14,
            "Agent: Hi, this is the care team calling about Luna after her visit today.\n"
            "User: Please don't call me again.\n"
            "Agent: Understood, we won't call you again. Goodbye.",
            "The owner asked not to be called again.",
            "Negative",
            False,
            custom_analysis=_analysis("unknown", dnc=True),
        ),
    }.items()
}
# The owners of the texts' reply scenarios (``chat_scenarios``: 555-0117 replies STOP, 555-0118 never replies) let the
# phone ring out, so that the clinic's text to them is sent at all.
TEXTS_OPT_OUT = "+14155550117"
TEXTS_NEVER_REPLY = "+14155550118"
_SCRIPTS.update({scenario_key(number): _NOT_ANSWERED for number in (TEXTS_OPT_OUT, TEXTS_NEVER_REPLY)})

# Numbers whose first call to that (full) number ends differently, then answer.
_FIRST_CALL = {
    scenario_key(NO_ANSWER_THEN_ANSWERS): _NOT_ANSWERED,
    scenario_key(PROVIDER_UNAVAILABLE_ONCE): _PROVIDER_UNAVAILABLE,
    scenario_key(NO_PAYMENT_ONCE): _NO_VALID_PAYMENT,
}
# Numbers whose first create-phone-call request is refused (nothing placed), then answer.
_REFUSED_ONCE = {
    scenario_key(RATE_LIMITED_ONCE): (429, "Account rate limited, please throttle your requests."),
    scenario_key(TIMES_OUT_ONCE): (408, "Request timed out, please try again."),
}


# An owner who works days: answers only from 17:00 to 20:00 on their own clock (the number's first zone).
EVENING_ONLY = "+14155550119"
EVENING_ANSWERS = (time(17), time(20))


def _answers_in_the_evening(to_number: str, now: datetime) -> bool:
    zones = phone_time_zones(to_number)
    local = now.astimezone(ZoneInfo(zones[0]) if zones else UTC).time()
    return EVENING_ANSWERS[0] <= local < EVENING_ANSWERS[1]


def script_for(to_number: str, earlier_calls_to_number: int, now: datetime | None = None) -> Script:
    """``now``: when the call is placed (the wall clock if not given), for the numbers whose owner answers only at
    some hours."""
    key = scenario_key(to_number)
    if earlier_calls_to_number == 0 and key in _FIRST_CALL:
        return _FIRST_CALL[key]
    if key == scenario_key(EVENING_ONLY):
        evening = _answers_in_the_evening(to_number, now or datetime.now(UTC))
        return _ANSWERED if evening else _NOT_ANSWERED
    return _SCRIPTS.get(key, _ANSWERED)


def refusal(to_number: str, earlier_requests_to_number: int) -> tuple[int, str] | None:
    """The status and message a create-phone-call to this number is refused with, or ``None`` to place it."""
    return _REFUSED_ONCE.get(scenario_key(to_number)) if earlier_requests_to_number == 0 else None


def slow_dial(to_number: str) -> bool:
    """Whether create-phone-call answers only after the simulator's ``slow_dial_seconds`` (the call is placed at
    once)."""
    return same_scenario(to_number, SLOW_DIAL)
