"""IDEXX Neo consultation ``page-data`` as the API accepts it (read loosely: only what the preview maps, numbers
taken as text), and the preview it answers with."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from shared.models.base import ApiModel, empty_list


def _numbers_read_as_text(schema: dict[str, Any]) -> None:
    """``coerce_numbers_to_str`` takes a number where text is expected as its text, so the API's document says a
    number is accepted there too."""
    for prop in schema.get("properties", {}).values():
        options = prop.get("anyOf", [])  # every field here is optional: text or null
        if any(option.get("type") == "string" for option in options):
            options.append({"type": "number"})


class _Loose(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
        hide_input_in_errors=True,
        json_schema_extra=_numbers_read_as_text,
    )


class IdexxProvider(_Loose):
    id: StrictInt | str | None = None  # a JSON true or false is no id
    name: str | None = None


class IdexxPatient(_Loose):
    name: str | None = None
    species: str | None = None
    breed: str | None = None


class IdexxClient(_Loose):
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    # The owner's language as the client record keeps it: a name ("Spanish") or a code ("es", "es-MX"). Practice
    # software names it either way; the preview reads ``preferredLanguage`` first.
    preferred_language: str | None = Field(default=None, alias="preferredLanguage")
    language: str | None = None


class IdexxConsultation(_Loose):
    id: StrictInt | str | None = None  # a JSON true or false is no id
    reason: str | None = None
    notes: str | None = None
    discharge_summary: str | None = Field(default=None, alias="dischargeSummary")


class IdexxClinic(_Loose):
    name: str | None = None
    phone: str | None = None


class IdexxPageData(_Loose):
    providers: list[IdexxProvider] = Field(default_factory=empty_list)
    patient: IdexxPatient = Field(default_factory=IdexxPatient)
    client: IdexxClient = Field(default_factory=IdexxClient)
    consultation: IdexxConsultation = Field(default_factory=IdexxConsultation)
    clinic: IdexxClinic = Field(default_factory=IdexxClinic)
    company_id: StrictInt | str | None = Field(default=None, alias="companyId")


class IdexxDocument(_Loose):
    """The body of ``GET /consultations/{id}/page-data``."""

    page_data: IdexxPageData = Field(alias="pageData")


class PreviewWarning(ApiModel):
    field: str
    code: str
    message: str


class IdexxPreview(ApiModel):
    """What the extension shows for review: a schedule body without ``scheduledFor``, and what to check."""

    call_request: dict[str, Any]
    warnings: list[PreviewWarning]
