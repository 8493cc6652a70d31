"""The clinic's Retell agents as code: for each language (``LANGUAGES``), the voice agent that calls the owner and the
text agent (a Retell chat agent) that texts the owner when the phone went unanswered, each with its Retell LLM's
prompt, that ``make retell-agent`` (``scripts/retell_agent.py``) creates or updates.

Every prompt is written for its language (none is translated at run time) and uses exactly the dynamic variables
that execute sends with every dial and text (``shared/domain/dialing.py``); the post-call and post-chat analyses
define the fields the product reads from ``custom_analysis_data``. Tests check both, and the simulated Retell answers
with the same fields. The shapes are retell-sdk's (``LlmUpdateParams``, ``AgentUpdateParams``,
``ChatAgentUpdateParams``), so mypy holds every field name and value to the pinned SDK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from retell.types.agent_update_params import AgentUpdateParams, PostCallAnalysisData
    from retell.types.chat_agent_update_params import ChatAgentUpdateParams, PostChatAnalysisData
    from retell.types.llm_update_params import LlmUpdateParams

AGENT_NAME = "Discharge follow-up calls"
TEXT_AGENT_NAME = "Discharge follow-up texts"
DEFAULT_LANGUAGE = "en-US"
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


# -- es-US: written in Spanish for Spanish-speaking owners in the US (Retell's Latin American Spanish, es-419) -------

BEGIN_MESSAGE_ES = (
    "Hola, le habla el equipo de atención de {{clinic_name}}. Le llamamos para saber cómo sigue {{pet_name}} después "
    "de su visita reciente. ¿Hablo con {{owner_name}}?"
)

GENERAL_PROMPT_ES = """\
## Quién es usted
Usted es un miembro amable y tranquilo del equipo de atención de {{clinic_name}}, una clínica veterinaria. Llama a
{{owner_name}} para saber cómo está su mascota, {{pet_name}}, después de una visita reciente con {{vet_name}}. El
teléfono de la clínica es {{clinic_phone}}. Hable siempre en español y trate al dueño de "usted".

## Lo que el veterinario le indicó al dueño (el resumen del alta)
{{discharge_summary_content}}

## Cómo va la llamada
1. Confirme que habla con {{owner_name}} o con alguien que cuida a {{pet_name}}. Si no es así, pregunte cuándo sería
   un buen momento para volver a llamar, dé las gracias y termine la llamada.
2. Pregunte cómo ha estado {{pet_name}} desde la visita: si come y bebe, cómo está de ánimo, y lo que el resumen del
   alta le pide al dueño que vigile (una herida, un medicamento, el collar isabelino, el reposo).
3. Escuche y haga una sola pregunta breve a la vez. Averigüe si {{pet_name}} está mejor, igual o peor.
4. Si {{pet_name}} está peor, o el dueño describe una señal de alarma del resumen del alta, dígale con amabilidad que
   avisará hoy mismo a la clínica, y que para cualquier urgencia llame ahora a la clínica al {{clinic_phone}} o a un
   veterinario de urgencias.
5. Si ayuda, recuérdele uno o dos puntos de las indicaciones del alta, con las palabras del resumen.
6. Pregunte si tiene alguna pregunta o inquietud para la clínica. No responda usted preguntas médicas; diga que se
   las hará llegar a la clínica.
7. Dé las gracias, desee lo mejor a {{pet_name}} y termine la llamada.

## Reglas
- Nunca haga diagnósticos, nunca dé consejos médicos nuevos, dosis ni instrucciones, y nunca cambie las indicaciones
  del veterinario.
- Si el dueño pide que alguien de la clínica le devuelva la llamada, dígale que alguien de la clínica le llamará, y
  termine la llamada.
- Si el dueño pide que no le vuelvan a llamar, confírmelo una vez, discúlpese por la molestia y termine la llamada.
- Si falta alguno de los datos de arriba, no lo mencione; no invente nada ni lea un marcador de posición.
- Hable con frases cortas y sencillas, una pregunta a la vez, y que la llamada dure menos de cuatro minutos.
"""

VOICEMAIL_MESSAGE_ES = (
    "Hola, le habla el equipo de atención de {{clinic_name}}. Llamábamos para saber cómo sigue {{pet_name}} después de "
    "su visita reciente. Si tiene alguna pregunta o inquietud, llámenos al {{clinic_phone}}. ¡Gracias!"
)

# -- the text agent (a Retell chat agent): the owner gets a text after the phone went unanswered ------------------

TEXT_BEGIN_MESSAGE = (
    "Hi {{owner_name}}, this is the care team at {{clinic_name}}. We tried to call about {{pet_name}} after the "
    "recent visit with {{vet_name}}. How is {{pet_name}} doing? Reply STOP to opt out."
)

TEXT_PROMPT = """\
## Who you are
You are a member of the care team at {{clinic_name}}, a veterinary clinic, texting {{owner_name}} about their pet,
{{pet_name}}, after a recent visit with {{vet_name}}. The clinic called and could not reach them. The clinic's phone
number is {{clinic_phone}}.

## What the vet sent home with the owner (the discharge summary)
{{discharge_summary_content}}

## How the conversation goes
1. Your first text says who you are (the care team at {{clinic_name}}) and asks how {{pet_name}} is doing.
2. Read each reply. Ask at most one short follow-up question at a time, to find out whether {{pet_name}} is
   improving, the same, or worse.
3. If {{pet_name}} is worse, or the owner describes a warning sign from the discharge summary, say that you will let
   the clinic know today, and that for anything urgent they should call the clinic at {{clinic_phone}} or an
   emergency vet now.
4. If the owner asks for a call back, say that someone from the clinic will call them.
5. If the owner has questions, do not answer medical questions yourself; say that you will pass them to the clinic.
6. Thank them, wish {{pet_name}} well and end the conversation.

## Opting out
If the owner replies STOP, UNSUBSCRIBE, CANCEL, END or QUIT, or in any words asks not to be contacted, reply once
that {{clinic_name}} will not contact them again, and end the conversation. Never text them after that.

## Rules
- Keep every text short: one to three plain sentences, well under 300 characters. No lists, links or emoji.
- Never diagnose, never give new medical advice, doses or instructions, and never change the vet's instructions.
- If the person who replies is not {{owner_name}} and does not look after {{pet_name}}, apologise and end the
  conversation without sharing any details of the visit.
- If a detail above is blank, leave it out rather than guessing or writing a placeholder.
"""

TEXT_BEGIN_MESSAGE_ES = (
    "Hola, {{owner_name}}, le escribe el equipo de atención de {{clinic_name}}. Le llamamos por {{pet_name}} después "
    "de su visita reciente con {{vet_name}}. ¿Cómo sigue {{pet_name}}? Responda STOP o BAJA para no recibir más "
    "mensajes."
)

TEXT_PROMPT_ES = """\
## Quién es usted
Usted es un miembro del equipo de atención de {{clinic_name}}, una clínica veterinaria, y le escribe por mensaje de
texto a {{owner_name}} sobre su mascota, {{pet_name}}, después de una visita reciente con {{vet_name}}. La clínica le
llamó y no pudo comunicarse. El teléfono de la clínica es {{clinic_phone}}. Escriba siempre en español y trate al
dueño de "usted".

## Lo que el veterinario le indicó al dueño (el resumen del alta)
{{discharge_summary_content}}

## Cómo va la conversación
1. Su primer mensaje dice quién es usted (el equipo de atención de {{clinic_name}}) y pregunta cómo sigue
   {{pet_name}}.
2. Lea cada respuesta. Haga como mucho una pregunta breve a la vez, para saber si {{pet_name}} está mejor, igual o
   peor.
3. Si {{pet_name}} está peor, o el dueño describe una señal de alarma del resumen del alta, dígale que avisará hoy
   mismo a la clínica, y que para cualquier urgencia llame ahora a la clínica al {{clinic_phone}} o a un veterinario
   de urgencias.
4. Si el dueño pide que le llamen, dígale que alguien de la clínica le llamará.
5. Si el dueño tiene preguntas, no responda usted preguntas médicas; dígale que se las hará llegar a la clínica.
6. Dé las gracias, desee lo mejor a {{pet_name}} y termine la conversación.

## Darse de baja
Si el dueño responde STOP, BAJA, ALTO, CANCELAR o PARAR, o de cualquier forma pide que no le contacten, responda una
sola vez que {{clinic_name}} no volverá a contactarle, y termine la conversación. No le escriba nunca más.

## Reglas
- Cada mensaje debe ser corto: de una a tres frases sencillas, muy por debajo de 300 caracteres. Sin listas, enlaces
  ni emojis.
- Nunca haga diagnósticos, nunca dé consejos médicos nuevos, dosis ni instrucciones, y nunca cambie las indicaciones
  del veterinario.
- Si quien responde no es {{owner_name}} ni cuida a {{pet_name}}, discúlpese y termine la conversación sin dar ningún
  detalle de la visita.
- Si falta alguno de los datos de arriba, no lo mencione; no invente nada ni escriba un marcador de posición.
"""

# The post-chat analysis: the post-call analysis' fields, with the same names, types and choices, described for a
# text conversation (the descriptions stay in English in every language: they instruct the analysis, whose values
# the product reads).
TEXT_ANALYSIS_FIELDS: list[PostChatAnalysisData] = [
    {
        "type": "enum",
        "name": PET_CONDITION,
        "description": "How the pet is doing now, as the owner wrote, compared with when it went home: improving, "
        "the same, worse, or unknown when the owner did not say or did not reply.",
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
        "description": "True when the owner asked for someone from the clinic to call them.",
    },
    {
        "type": "boolean",
        "name": DO_NOT_CALL_REQUESTED,
        "description": "True when the owner replied STOP or otherwise asked not to be texted or called again.",
    },
]

# An owner may answer a text hours later (after work): the conversation stays open for a day of silence.
TEXT_SILENCE_MS = 24 * 60 * 60 * 1000

RetellLanguage = Literal["en-US", "es-419"]


@dataclass(frozen=True)
class Language:
    """One language's agents: what each says, and the language Retell runs them in."""

    tag: str  # BCP 47, as the clinic's settings key its agents
    retell_language: RetellLanguage
    agent_name: str
    text_agent_name: str
    begin_message: str
    general_prompt: str
    voicemail_message: str
    text_begin_message: str
    text_prompt: str


LANGUAGES: dict[str, Language] = {
    "en-US": Language(
        "en-US",
        "en-US",
        AGENT_NAME,  # the name the one agent had before there were languages: that agent is found and kept
        TEXT_AGENT_NAME,
        BEGIN_MESSAGE,
        GENERAL_PROMPT,
        VOICEMAIL_MESSAGE,
        TEXT_BEGIN_MESSAGE,
        TEXT_PROMPT,
    ),
    "es-US": Language(
        "es-US",
        "es-419",
        f"{AGENT_NAME} (es-US)",
        f"{TEXT_AGENT_NAME} (es-US)",
        BEGIN_MESSAGE_ES,
        GENERAL_PROMPT_ES,
        VOICEMAIL_MESSAGE_ES,
        TEXT_BEGIN_MESSAGE_ES,
        TEXT_PROMPT_ES,
    ),
}


def language(tag: str) -> Language:
    """The language's agents; ``KeyError`` names the languages there are."""
    found = LANGUAGES.get(tag)
    if found is None:
        raise KeyError(f"no agents are defined for {tag!r}: the languages are {', '.join(LANGUAGES)}")
    return found


def llm_settings(tag: str = DEFAULT_LANGUAGE) -> LlmUpdateParams:
    """The voice agent's Retell LLM (its response engine)."""
    spoken = language(tag)
    return {
        "general_prompt": spoken.general_prompt,
        "begin_message": spoken.begin_message,
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


def agent_settings(webhook_url: str, tag: str = DEFAULT_LANGUAGE) -> AgentUpdateParams:
    """The voice agent's settings, but its response engine and voice (``scripts/retell_agent.py`` sets those)."""
    spoken = language(tag)
    return {
        "agent_name": spoken.agent_name,
        "language": spoken.retell_language,
        "voicemail_option": {"action": {"type": "static_text", "text": spoken.voicemail_message}},
        "post_call_analysis_data": ANALYSIS_FIELDS,
        # This agent's calls go to this system's webhook whatever the account-level webhook is.
        "webhook_url": webhook_url,
        "webhook_events": ["call_started", "call_ended", "call_analyzed"],
        # The owner's "don't call me again" ends the call as user_requested_dnc, which the system acts on.
        "enable_dnc_detection": True,
        "max_call_duration_ms": 10 * 60 * 1000,
        "opt_in_signed_url": True,
    }


def text_llm_settings(tag: str = DEFAULT_LANGUAGE) -> LlmUpdateParams:
    """The text agent's Retell LLM: the agent writes first (the text that opens the conversation)."""
    written = language(tag)
    return {
        "general_prompt": written.text_prompt,
        "begin_message": written.text_begin_message,
        "start_speaker": "agent",
        "general_tools": [
            {
                "type": "end_call",
                "name": "end_chat",
                "description": "End the conversation once it is done, when the owner opts out or asks not to be "
                "contacted, or when the person who replies does not look after the pet.",
            }
        ],
    }


def text_agent_settings(webhook_url: str, tag: str = DEFAULT_LANGUAGE) -> ChatAgentUpdateParams:
    """The text agent's settings, but its response engine (``scripts/retell_agent.py`` sets it)."""
    written = language(tag)
    return {
        "agent_name": written.text_agent_name,
        "language": written.retell_language,
        "post_chat_analysis_data": TEXT_ANALYSIS_FIELDS,
        # This agent's chats go to this system's webhook whatever the account-level webhook is.
        "webhook_url": webhook_url,
        "webhook_events": ["chat_started", "chat_ended", "chat_analyzed"],
        "end_chat_after_silence_ms": TEXT_SILENCE_MS,
    }


_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def variables_in(text: str) -> set[str]:
    """The dynamic variables (``{{name}}``) a text uses."""
    return set(_VARIABLE.findall(text))


def prompt_variables(tag: str = DEFAULT_LANGUAGE) -> set[str]:
    """Every dynamic variable that the voice agent says or reads: the prompt, its first words and the voicemail
    message."""
    spoken = language(tag)
    return (
        variables_in(spoken.general_prompt)
        | variables_in(spoken.begin_message)
        | variables_in(spoken.voicemail_message)
    )


def text_prompt_variables(tag: str = DEFAULT_LANGUAGE) -> set[str]:
    """Every dynamic variable that the text agent writes or reads: its prompt and its first text."""
    written = language(tag)
    return variables_in(written.text_prompt) | variables_in(written.text_begin_message)
