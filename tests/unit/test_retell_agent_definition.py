"""The agent that ``make retell-agent`` sets up agrees with the rest of the system: its prompt uses exactly the
dynamic variables execute sends, and the simulated Retell's analyses use exactly its post-call analysis fields."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scripts import retell_agent_definition as definition
from scripts.retell_agent import AgentSetupError, covers, default_webhook_url
from shared.domain.dialing import DialDefaults, dial_spec
from shared.models.call import Call, CallStatus
from shared.models.settings import ClinicSettings
from standins.retell_sim import scenarios

NOW = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)


def sent_variables() -> set[str]:
    """The dynamic variables execute sends with a dial (a call with every optional field missing)."""
    call = Call(
        call_id="c1",
        clinic_id="clinic-a",
        status=CallStatus.SCHEDULED,
        phone_number="+14155550100",
        pet_name="Luna",
        owner_name="Sarah",
        clinic_name="Paws & Claws",
        clinic_phone="+14155559876",
        requested_for=NOW,
        scheduled_for=NOW,
        timezone="America/Los_Angeles",
        rescheduled=False,
        max_attempts=4,
        created_at=NOW,
        updated_at=NOW,
        created_by="u",
        schedule_token="t1",
    )
    return set(dial_spec(call, ClinicSettings(), DialDefaults("agent_x", "+14155559000")).dynamic_variables)


def test_the_prompt_uses_exactly_the_dynamic_variables_execute_sends() -> None:
    assert sent_variables() == {
        "pet_name",
        "owner_name",
        "vet_name",
        "clinic_name",
        "clinic_phone",
        "discharge_summary_content",
    }
    assert definition.variables_in(definition.GENERAL_PROMPT) == sent_variables()
    assert definition.prompt_variables() == sent_variables()  # nothing else is said as a literal "{{name}}"
    assert definition.variables_in("{{ pet_name }} and {{x1}} but not {single}") == {"pet_name", "x1"}


def test_the_agent_sends_its_events_to_the_webhook_and_leaves_a_short_voicemail() -> None:
    settings = definition.agent_settings("https://api.example/webhooks/retell")
    assert settings["webhook_url"] == "https://api.example/webhooks/retell"
    assert settings["webhook_events"] == ["call_started", "call_ended", "call_analyzed"]
    voicemail: Any = settings["voicemail_option"]
    assert voicemail["action"]["text"] == definition.VOICEMAIL_MESSAGE
    assert len(definition.VOICEMAIL_MESSAGE) < 250
    assert "{{discharge_summary_content}}" not in definition.VOICEMAIL_MESSAGE  # anyone may play the message
    assert definition.llm_settings()["general_prompt"] == definition.GENERAL_PROMPT


def test_the_analysis_fields_are_the_ones_the_product_reads() -> None:
    fields: list[Any] = list(definition.ANALYSIS_FIELDS)
    assert [(field["name"], field["type"]) for field in fields] == [
        ("pet_condition", "enum"),
        ("owner_concerns", "string"),
        ("callback_requested", "boolean"),
        ("do_not_call_requested", "boolean"),
    ]
    assert fields[0]["choices"] == ["improving", "same", "worse", "unknown"]
    assert tuple(field["name"] for field in fields) == definition.ANALYSIS_FIELD_NAMES
    assert definition.agent_settings("https://x")["post_call_analysis_data"] == definition.ANALYSIS_FIELDS


def test_the_simulated_analyses_use_the_agents_fields() -> None:
    kinds = {"enum": str, "string": str, "boolean": bool}
    types = {field["name"]: kinds[field["type"]] for field in definition.ANALYSIS_FIELDS}
    numbers = [f"+1415555{suffix:04d}" for suffix in range(100, 117)]
    analyses = [
        script.custom_analysis
        for script in (scenarios.script_for(number, earlier) for number in numbers for earlier in (0, 1))
        if script.custom_analysis is not None
    ]
    assert len(analyses) > 10
    for analysis in analyses:
        assert set(analysis) == set(definition.ANALYSIS_FIELD_NAMES)
        assert all(isinstance(analysis[name], kind) for name, kind in types.items())
        assert analysis["pet_condition"] in definition.PET_CONDITIONS


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("+14155550101", "5550101"),
        ("+12125550101", "5550101"),
        ("+19075550116", "5550116"),
        ("+442071234567", "1234567"),
        ("+442075550101", "5550101"),
        ("+1415555010", "+1415555010"),
        ("+14155", "+14155"),
    ],
)
def test_the_scenario_is_the_last_seven_digits_of_a_number(number: str, key: str) -> None:
    assert scenarios.scenario_key(number) == key


def test_any_area_code_plays_the_same_script() -> None:
    assert scenarios.script_for("+12125550101", 0) == scenarios.script_for(scenarios.NO_ANSWER, 0)
    assert scenarios.script_for("+12125550101", 0).disconnection_reason == "dial_no_answer"
    assert scenarios.script_for("+442075550101", 0).disconnection_reason == "dial_no_answer"  # London, by day
    assert scenarios.script_for("+442071234567", 0).disconnection_reason == "agent_hangup"
    assert scenarios.refusal("+16465550107", 0) == scenarios.refusal(scenarios.RATE_LIMITED_ONCE, 0)
    assert scenarios.refusal("+16465550107", 1) is None
    assert scenarios.slow_dial("+13125550109")
    assert not scenarios.slow_dial("+13125550100")


def test_the_webhook_defaults_to_the_local_stack_for_the_sim_and_to_the_deployment_for_retell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PORT", raising=False)
    outputs = tmp_path / "cdk-outputs.json"
    assert default_webhook_url("http://127.0.0.1:3001", outputs) == "http://127.0.0.1:3000/webhooks/retell"
    monkeypatch.setenv("PORT", "3100")
    assert default_webhook_url("http://localhost:3001", outputs) == "http://127.0.0.1:3100/webhooks/retell"
    with pytest.raises(AgentSetupError, match="WEBHOOK_URL"):
        default_webhook_url("https://api.retellai.com", outputs)
    deployed = "https://abc.execute-api.us-east-1.amazonaws.com/webhooks/retell"
    outputs.write_text(json.dumps({"Calls": {"ApiUrl": "https://abc/", "RetellWebhookUrl": deployed}}))
    assert default_webhook_url("https://api.retellai.com", outputs) == deployed


def test_only_the_fields_we_set_are_compared() -> None:
    assert covers({"a": 1, "added": True}, {"a": 1})
    assert covers({"a": [{"x": 1, "default": None}]}, {"a": [{"x": 1}]})
    assert not covers({"a": [{"x": 1}, {"x": 2}]}, {"a": [{"x": 1}]})
    assert not covers({"a": 2}, {"a": 1})
    assert not covers(None, {"a": 1})
    assert not covers({"a": "1"}, {"a": ["1"]})
