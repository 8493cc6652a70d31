"""Names reach e-mail subjects, chat messages and the agent's first sentence, so a line break or a control character
in one could add a header, fake a line or garble a page: a new name carrying one is refused, while what was stored
before the rule is still read back."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.models.call import STORED_CONTEXT, CallDetails
from shared.models.settings import ClinicSettings

HOSTILE = ["Luna\r\nBcc: everyone@example.com", "Luna\nMax", "\x1b[31mLuna", "Luna\u2028Max", "Ring\x07", "Lu\x85na"]
NAME_FIELDS = ["petName", "ownerName", "vetName", "clinicName"]


def _details(**names: str) -> dict[str, Any]:
    return {"phoneNumber": "+14155550100", "petName": "Luna", "ownerName": "Sam Lee", **names}


@pytest.mark.parametrize("field", NAME_FIELDS)
@pytest.mark.parametrize("name", HOSTILE)
def test_a_new_call_with_a_line_break_or_control_in_a_name_is_refused(field: str, name: str) -> None:
    with pytest.raises(ValidationError, match="must be one line"):
        CallDetails.model_validate(_details(**{field: name}))


@pytest.mark.parametrize("name", HOSTILE)
def test_settings_refuse_a_clinic_name_with_a_line_break_or_control(name: str) -> None:
    with pytest.raises(ValidationError, match="must be one line"):
        ClinicSettings.model_validate({"timezone": "America/New_York", "clinicName": name})


@pytest.mark.parametrize("name", HOSTILE)
def test_what_was_stored_before_the_rule_is_still_read(name: str) -> None:
    assert CallDetails.model_validate(_details(petName=name), context=STORED_CONTEXT).pet_name == name
    stored = ClinicSettings.model_validate({"timezone": "UTC", "clinicName": name}, context=STORED_CONTEXT)
    assert stored.clinic_name == name


@given(st.text(alphabet=st.characters(blacklist_categories=["Cc", "Zl", "Zp", "Cs"]), min_size=1, max_size=60))
def test_any_one_line_printable_name_is_kept(name: str) -> None:
    if not name.strip():
        return
    assert CallDetails.model_validate(_details(petName=name)).pet_name == name.strip()


def test_a_discharge_summary_keeps_its_line_breaks() -> None:
    details = CallDetails.model_validate(_details(dischargeSummary="Rest.\nNo stairs for a week.\r\nRecheck Friday."))
    assert details.discharge_summary is not None
    assert "\n" in details.discharge_summary


@pytest.mark.parametrize("reason", ["Owner asked\nnot to be called", "x\u2028y", " " + "a" * 500, "a" * 501])
def test_a_do_not_call_reason_is_one_line_of_at_most_500_characters_as_sent(reason: str) -> None:
    from shared.models.requests import DoNotCallRequest

    with pytest.raises(ValidationError):
        DoNotCallRequest.model_validate({"reason": reason})


def test_a_do_not_call_reason_of_500_characters_is_taken() -> None:
    from shared.models.requests import DoNotCallRequest

    assert len(DoNotCallRequest.model_validate({"reason": "a" * 500}).reason) == 500
