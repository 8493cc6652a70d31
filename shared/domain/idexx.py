"""IDEXX Neo consultation ``page-data`` -> a schedule request the vet reviews before sending.

Mapping (seed design): client -> owner, phone and the owner's language, patient -> pet, first provider -> vet,
clinic -> clinic, consultation -> discharge summary, notes and metadata. Everything the vet should look at is
reported as a warning next to the field it concerns rather than failing the whole preview.
"""

from __future__ import annotations

import re
from typing import Any

from shared.models.idexx import IdexxDocument, IdexxPreview, PreviewWarning
from shared.models.ids import CONSULTATION_ID_PATTERN
from shared.models.phone import normalise_phone, phone_time_zones

# The languages the calls can be placed in, as the clinic's agents are keyed (settings ``agents``): a US practice's
# owners, so a language is its US variant whatever region the record names ("es-MX" is called in es-US).
_LANGUAGE_OF_SUBTAG = {"en": "en-US", "eng": "en-US", "es": "es-US", "spa": "es-US"}
_LANGUAGE_OF_NAME = {
    "english": "en-US",
    "american english": "en-US",
    "inglés": "en-US",
    "ingles": "en-US",
    "spanish": "es-US",
    "español": "es-US",
    "espanol": "es-US",
    "castellano": "es-US",
}
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_SHOWN_AT_MOST = 40  # characters of an unknown language quoted back in its warning


def owner_language(raw: str) -> str | None:
    """The BCP 47 tag (``en-US``, ``es-US``) of a client record's language, given as a name ("Spanish",
    "Español", "Spanish (Mexico)") or a code ("es", "es_MX", "spa"); None when it is none the calls speak."""
    text = " ".join(raw.casefold().split())
    name = text.split("(")[0].strip()  # "Spanish (Mexico)": the language, whatever the region
    if name in _LANGUAGE_OF_NAME:
        return _LANGUAGE_OF_NAME[name]
    code = text.replace("_", "-")
    if _LANGUAGE_CODE.fullmatch(code):
        return _LANGUAGE_OF_SUBTAG.get(code.split("-")[0])
    return None


def preview_call_request(
    document: IdexxDocument, clinic_timezone: str | None = None, owner_hours: tuple[str, str] = ("08:00", "20:00")
) -> IdexxPreview:
    """The call request and its warnings. With the clinic's zone, an owner whose number is in another zone is
    pointed out: the call reaches them only inside their own calling hours (``owner_hours``, their clock)."""
    data = document.page_data
    warnings: list[PreviewWarning] = []

    def warn(field: str, code: str, message: str) -> None:
        warnings.append(PreviewWarning(field=field, code=code, message=message))

    def phone(raw: str | None, field: str, label: str) -> str | None:
        if not raw:
            return None
        try:
            return normalise_phone(raw)
        except ValueError as error:
            warn(field, "invalid_phone", f"The {label} {raw!r} could not be used: {error}. Please correct it.")
            return raw

    request: dict[str, Any] = {}
    request["phoneNumber"] = phone(data.client.phone, "phoneNumber", "owner's phone")
    zones = phone_time_zones(request["phoneNumber"]) if request["phoneNumber"] and not warnings else ()
    if clinic_timezone and zones and any(zone != clinic_timezone for zone in zones):
        start, end = owner_hours
        warn(
            "phoneNumber",
            "owner_time_zone",
            f"The owner's number is in {' / '.join(zones)}: the call is placed only between {start} and {end} "
            "their time, and a time outside that moves to the next one.",
        )
    if not data.client.phone:
        warn("phoneNumber", "missing", "The consultation has no phone number for the owner. Please enter one.")
    request["petName"] = data.patient.name
    if not data.patient.name:
        warn("petName", "missing", "The consultation has no patient name. Please enter the pet's name.")
    request["ownerName"] = data.client.name
    if not data.client.name:
        warn("ownerName", "missing", "The consultation has no client name. Please enter the owner's name.")
    spoken = data.client.preferred_language or data.client.language
    if spoken:
        request["language"] = owner_language(spoken)
        if not request["language"]:
            shown = spoken if len(spoken) <= _SHOWN_AT_MOST else f"{spoken[:_SHOWN_AT_MOST]}…"
            warn(
                "language",
                "unknown_language",
                f"The client's preferred language {shown!r} is not one the calls can be placed in; "
                "the clinic's default language is used unless you pick another.",
            )

    provider = data.providers[0] if data.providers else None
    request["vetName"] = provider.name if provider else None
    if not request["vetName"]:
        warn("vetName", "missing", "No veterinarian is listed on the consultation.")
    request["clinicName"] = data.clinic.name
    if not data.clinic.name:
        warn("clinicName", "missing", "The clinic's name is missing; the agent will not be able to introduce itself.")
    request["clinicPhone"] = phone(data.clinic.phone, "clinicPhone", "clinic's phone")

    consultation = data.consultation
    summary = consultation.discharge_summary or consultation.notes
    request["dischargeSummary"] = summary
    if not consultation.discharge_summary:
        if consultation.notes:
            warn("dischargeSummary", "fallback", "No discharge summary; the consultation notes are used instead.")
        else:
            warn("dischargeSummary", "missing", "The consultation has no discharge summary or notes.")

    label = f"Consultation #{consultation.id}" if consultation.id else "IDEXX Neo consultation"
    request["notes"] = f"{label} - {consultation.reason}" if consultation.reason else label
    metadata: dict[str, Any] = {"source": "idexx_neo"}
    if consultation.id is not None and re.fullmatch(CONSULTATION_ID_PATTERN, str(consultation.id)):
        metadata["consultation_id"] = str(consultation.id)
    elif consultation.id is not None:
        warn(
            "metadata.consultation_id", "invalid", "The consultation id cannot be used; duplicates cannot be detected."
        )
    else:
        warn("metadata.consultation_id", "missing", "The consultation has no id; duplicates cannot be detected.")
    if provider and provider.id is not None:
        metadata["provider_id"] = provider.id
    if data.company_id is not None:
        metadata["company_id"] = data.company_id
    request["metadata"] = metadata
    return IdexxPreview(call_request={k: v for k, v in request.items() if v is not None}, warnings=warnings)
