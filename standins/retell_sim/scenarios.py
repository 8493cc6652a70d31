"""What happens to a simulated call, decided by the number called (like card numbers in a payment sandbox)."""

from __future__ import annotations

from dataclasses import dataclass

ANSWERS = "+14155550100"
NO_ANSWER = "+14155550101"
BUSY = "+14155550102"
DIAL_FAILED = "+14155550103"
VOICEMAIL = "+14155550104"
OWNER_HANGS_UP = "+14155550105"
NO_ANSWER_THEN_ANSWERS = "+14155550106"
RATE_LIMITED_ONCE = "+14155550107"


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


CONVERSATION = (
    "Agent: Hi, this is the care team calling about Luna after her visit today. How is she doing?\n"
    "User: She's eating again and resting a lot.\n"
    "Agent: That's good to hear. Keep the cone on and call the clinic if the wound looks red or swollen.\n"
    "User: Will do, thank you.\n"
    "Agent: Take care, goodbye."
)

_ANSWERED = Script(
    True, "agent_hangup", "ended", 74, CONVERSATION, "The owner reports the pet is recovering well.", "Positive", True
)
_NOT_ANSWERED = Script(
    False, "dial_no_answer", "not_connected", 0, None, "The call was not answered.", "Unknown", False
)
_SCRIPTS = {
    NO_ANSWER: _NOT_ANSWERED,
    BUSY: Script(False, "dial_busy", "not_connected", 0, None, "The line was busy.", "Unknown", False),
    DIAL_FAILED: Script(
        False, "dial_failed", "not_connected", 0, None, "The call could not be placed.", "Unknown", False
    ),
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
    ),
}


def script_for(to_number: str, earlier_calls_to_number: int) -> Script:
    if to_number == NO_ANSWER_THEN_ANSWERS and earlier_calls_to_number == 0:
        return _NOT_ANSWERED
    return _SCRIPTS.get(to_number, _ANSWERED)


def rate_limited(to_number: str, earlier_requests_to_number: int) -> bool:
    return to_number == RATE_LIMITED_ONCE and earlier_requests_to_number == 0
