"""The clinic's Retell agent as code: the Retell LLM's prompt and the agent's settings that ``make retell-agent``
(``scripts/retell_agent.py``) creates or updates.

The prompt uses exactly the dynamic variables that execute sends with every dial (``shared/domain/dialing.py``), and
the post-call analysis defines the fields the product reads from ``call_analysis.custom_analysis_data``. Tests check
both, and the simulated Retell answers with the same fields. The shapes are retell-sdk's (``LlmUpdateParams``,
``AgentUpdateParams``), so mypy holds every field name and value to the pinned SDK.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retell.types.agent_update_params import AgentUpdateParams, PostCallAnalysisData
    from retell.types.llm_update_params import LlmUpdateParams

AGENT_NAME = "Discharge follow-up calls"
DEFAULT_VOICE_ID = "11labs-Adrian"  # only when the agent is created: a voice picked later in the dashboard stays

# The post-call analysis fields (``custom_analysis_data``) and, for the enum, its choices.
PET_CONDITION = "pet_condition"
PET_CONDITIONS = ("improving", "same", "worse", "unknown")
OWNER_CONCERNS = "owner_concerns"
CALLBACK_REQUESTED = "callback_requested"
DO_NOT_CALL_REQUESTED = "do_not_call_requested"
ANALYSIS_FIELD_NAMES = (PET_CONDITION, OWNER_CONCERNS, CALLBACK_REQUESTED, DO_NOT_CALL_REQUESTED)

BEGIN_MESSAGE = (
    "Hi, this is the care team at {{clinic_name}}, calling to see how {{pet_name}} is doing after the recent visit. "
    "Am I speaking with {{owner_name}}?"
)

GENERAL_PROMPT = """\
## Who you are
You are a warm, calm member of the care team at {{clinic_name}}, a veterinary clinic. You are calling
{{owner_name}} to check on their pet, {{pet_name}}, after a recent visit with {{vet_name}}. The clinic's
phone number is {{clinic_phone}}.

## What the vet sent home with the owner (the discharge summary)
{{discharge_summary_content}}

## How the call goes
1. Make sure you are speaking with {{owner_name}}, or with someone who looks after {{pet_name}}. If not, ask when
   would be a good time to call back, thank them and end the call.
2. Ask how {{pet_name}} is doing since the visit: eating and drinking, energy, and whatever the discharge summary
   asks the owner to watch (a wound, a medicine, a cone, rest).
3. Listen, and ask one short follow-up question at a time. Find out whether {{pet_name}} is improving, the same,
   or worse.
4. If {{pet_name}} is worse, or the owner describes a warning sign from the discharge summary, say kindly that you
   will let the clinic know today, and that for anything urgent they should call the clinic at {{clinic_phone}} or
   an emergency vet now.
5. Where it helps, remind the owner of one or two points of the discharge instructions, in the summary's words.
6. Ask whether they have any questions or concerns for the clinic. Do not answer medical questions yourself; say
   that you will pass them to the clinic.
7. Thank them, wish {{pet_name}} well and end the call.

## Rules
- Never diagnose, never give new medical advice, doses or instructions, and never change the vet's instructions.
- If the owner asks the clinic to call them back, say that someone from the clinic will call back, and end the call.
- If the owner asks not to be called again, confirm it once, apologise for the trouble, and end the call.
- If a detail above is blank, leave it out rather than guessing or reading out a placeholder.
- Speak in short, plain sentences, one question at a time, and keep the call under four minutes.
"""

# Left when voicemail is detected: short, and without the discharge details (anyone may play the message).
VOICEMAIL_MESSAGE = (
    "Hi, this is the care team at {{clinic_name}}, calling to see how {{pet_name}} is doing after the recent visit. "
    "If you have any questions or concerns, please call us at {{clinic_phone}}. Thank you!"
)

ANALYSIS_FIELDS: list[PostCallAnalysisData] = [
    {
        "type": "enum",
        "name": PET_CONDITION,
        "description": "How the pet is doing now, as the owner describes it, compared with when it went home: "
        "improving, the same, worse, or unknown when the owner did not say or the call ended first.",
        "choices": list(PET_CONDITIONS),
    },
    {
        "type": "string",
        "name": OWNER_CONCERNS,
        "description": "The owner's concerns, questions or warning signs about the pet, in one or two short "
        "sentences for the clinic; an empty string when there were none.",
        "examples": ["Not eating since yesterday; the wound looks red and swollen.", ""],
    },
    {
        "type": "boolean",
        "name": CALLBACK_REQUESTED,
        "description": "True when the owner asked for someone from the clinic to call them back.",
    },
    {
        "type": "boolean",
        "name": DO_NOT_CALL_REQUESTED,
        "description": "True when the owner asked not to be called again.",
    },
]


def llm_settings() -> LlmUpdateParams:
    """The Retell LLM (the agent's response engine)."""
    return {
        "general_prompt": GENERAL_PROMPT,
        "begin_message": BEGIN_MESSAGE,
        "start_speaker": "agent",
        "general_tools": [
            {
                "type": "end_call",
                "name": "end_call",
                "description": "End the call once it is done, when the owner asks to end it, asks for a call back "
                "or asks not to be called again, or when you are not speaking with someone who looks after the pet.",
            }
        ],
    }


def agent_settings(webhook_url: str) -> AgentUpdateParams:
    """The agent's settings, but its response engine and voice (``scripts/retell_agent.py`` sets those)."""
    return {
        "agent_name": AGENT_NAME,
        "language": "en-US",
        "voicemail_option": {"action": {"type": "static_text", "text": VOICEMAIL_MESSAGE}},
        "post_call_analysis_data": ANALYSIS_FIELDS,
        # This agent's calls go to this system's webhook whatever the account-level webhook is.
        "webhook_url": webhook_url,
        "webhook_events": ["call_started", "call_ended", "call_analyzed"],
        # The owner's "don't call me again" ends the call as user_requested_dnc, which the system acts on.
        "enable_dnc_detection": True,
        "max_call_duration_ms": 10 * 60 * 1000,
        "opt_in_signed_url": True,
    }


_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def variables_in(text: str) -> set[str]:
    """The dynamic variables (``{{name}}``) a text uses."""
    return set(_VARIABLE.findall(text))


def prompt_variables() -> set[str]:
    """Every dynamic variable that the agent says or reads: the prompt, its first words and the voicemail message."""
    return variables_in(GENERAL_PROMPT) | variables_in(BEGIN_MESSAGE) | variables_in(VOICEMAIL_MESSAGE)
