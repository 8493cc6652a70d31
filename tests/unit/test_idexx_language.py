"""The owner's language in the IDEXX preview: a client record's preferred language, a name or a code, becomes the
BCP 47 tag the clinic's agents are keyed by, or is left out with a warning the vet sees next to the language."""

from __future__ import annotations

from typing import Any

import pytest

from shared.domain.idexx import owner_language, preview_call_request
from shared.models.idexx import IdexxDocument


def preview_of(client: dict[str, Any]) -> tuple[dict[str, Any], set[tuple[str, str]]]:
    document = IdexxDocument.model_validate(
        {
            "pageData": {
                "client": {"name": "Sarah Johnson", "phone": "+14155550100", **client},
                "patient": {"name": "Luna"},
                "providers": [{"id": 1004, "name": "Dr. K Chaudhary"}],
                "clinic": {"name": "Paws & Claws", "phone": "+14155559876"},
                "consultation": {"id": 12345, "reason": "Post-surgery follow-up", "dischargeSummary": "Rest."},
            }
        }
    )
    preview = preview_call_request(document)
    return preview.call_request, {(warning.field, warning.code) for warning in preview.warnings}


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("Spanish", "es-US"),
        ("spanish", "es-US"),
        ("Español", "es-US"),
        ("ESPANOL", "es-US"),
        ("Castellano", "es-US"),
        ("Spanish (Mexico)", "es-US"),
        ("es", "es-US"),
        ("es-MX", "es-US"),
        ("es_US", "es-US"),
        ("spa", "es-US"),
        ("English", "en-US"),
        ("  american   English ", "en-US"),
        ("en", "en-US"),
        ("en-GB", "en-US"),
        ("EN-us", "en-US"),
        ("eng", "en-US"),
        ("Inglés", "en-US"),
    ],
)
def test_a_name_or_a_code_becomes_the_language_of_the_clinics_agents(raw: str, tag: str) -> None:
    assert owner_language(raw) == tag


@pytest.mark.parametrize("raw", ["French", "fr", "fr-CA", "Klingon", "e", "español!", "es-", "", "12"])
def test_a_language_the_calls_do_not_speak_is_none(raw: str) -> None:
    assert owner_language(raw) is None


def test_the_preferred_language_is_in_the_call_request() -> None:
    request, warnings = preview_of({"preferredLanguage": "Spanish"})
    assert request["language"] == "es-US"
    assert warnings == set()


def test_the_preferred_language_comes_before_the_language() -> None:
    request, _ = preview_of({"preferredLanguage": "es", "language": "English"})
    assert request["language"] == "es-US"
    request, _ = preview_of({"language": "English"})
    assert request["language"] == "en-US"


def test_a_record_without_a_language_leaves_it_to_the_clinic_without_a_warning() -> None:
    request, warnings = preview_of({})
    assert "language" not in request
    assert warnings == set()
    request, warnings = preview_of({"preferredLanguage": "  "})  # read as blank
    assert "language" not in request
    assert warnings == set()


def test_an_unknown_language_is_left_out_with_a_warning_on_the_language() -> None:
    document = IdexxDocument.model_validate({"pageData": {"client": {"preferredLanguage": "French"}}})
    preview = preview_call_request(document)
    assert "language" not in preview.call_request
    [warning] = [warning for warning in preview.warnings if warning.field == "language"]
    assert warning.code == "unknown_language"
    assert warning.message == (
        "The client's preferred language 'French' is not one the calls can be placed in; the clinic's default "
        "language is used unless you pick another."
    )


def test_a_long_unknown_language_is_quoted_short() -> None:
    document = IdexxDocument.model_validate({"pageData": {"client": {"language": "x" * 10_000}}})
    [warning] = [warning for warning in preview_call_request(document).warnings if warning.field == "language"]
    assert len(warning.message) < 250
    assert "x" * 40 + "…" in warning.message


def test_a_number_for_a_language_is_read_as_text_and_unknown() -> None:
    request, warnings = preview_of({"language": 7})
    assert "language" not in request
    assert ("language", "unknown_language") in warnings
