"""The agents that ``make retell-agent`` sets up agree with the rest of the system: every language's voice and text
prompts use exactly the dynamic variables execute sends, and the simulated Retell's call and chat analyses use
exactly their analysis fields."""

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
from standins.retell_sim import chat_scenarios, scenarios

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


@pytest.mark.parametrize("tag", list(definition.LANGUAGES))
def test_every_languages_prompts_use_exactly_the_dynamic_variables_execute_sends(tag: str) -> None:
    written = definition.language(tag)
    assert definition.variables_in(written.general_prompt) == sent_variables()
    assert definition.prompt_variables(tag) == sent_variables()
    assert definition.variables_in(written.text_prompt) == sent_variables()
    assert definition.text_prompt_variables(tag) == sent_variables()
    assert definition.llm_settings(tag)["general_prompt"] == written.general_prompt
    assert definition.text_llm_settings(tag)["begin_message"] == written.text_begin_message
    assert "{{discharge_summary_content}}" not in written.voicemail_message + written.text_begin_message
    assert len(written.voicemail_message) < 250


def test_the_spanish_agents_are_written_in_spanish_not_translated() -> None:
    spanish = definition.language("es-US")
    assert spanish.retell_language == "es-419"  # Retell's Latin American Spanish
    for text in (spanish.general_prompt, spanish.begin_message, spanish.text_prompt, spanish.text_begin_message):
        assert "usted" in text.lower() or "le " in text
        assert "the clinic" not in text.lower()
    assert "STOP" in spanish.text_prompt
    assert "BAJA" in spanish.text_prompt
    assert "español" in spanish.general_prompt
    assert "español" in spanish.text_prompt
    assert spanish.agent_name != definition.AGENT_NAME
    assert spanish.text_agent_name != definition.TEXT_AGENT_NAME
    with pytest.raises(KeyError, match="en-US, es-US"):
        definition.language("fr-CA")


@pytest.mark.parametrize("tag", list(definition.LANGUAGES))
def test_the_text_agent_introduces_the_clinic_handles_stop_and_keeps_texts_short(tag: str) -> None:
    written = definition.language(tag)
    assert "{{clinic_name}}" in written.text_begin_message
    assert "{{pet_name}}" in written.text_begin_message
    assert "STOP" in written.text_begin_message
    assert len(written.text_begin_message) < 320  # two SMS segments at most, before the variables are filled
    assert "STOP" in written.text_prompt
    assert "300" in written.text_prompt
    settings = definition.text_agent_settings("https://api.example/webhooks/retell", tag)
    assert settings["webhook_url"] == "https://api.example/webhooks/retell"
    assert settings["webhook_events"] == ["chat_started", "chat_ended", "chat_analyzed"]
    assert settings["language"] == written.retell_language
    assert settings["agent_name"] == written.text_agent_name


def test_the_text_agents_analysis_fields_are_the_call_agents() -> None:
    def shape(fields: Any) -> list[tuple[str, str, Any]]:
        return [(field["name"], field["type"], field.get("choices")) for field in fields]

    assert shape(definition.TEXT_ANALYSIS_FIELDS) == shape(definition.ANALYSIS_FIELDS)
    settings = definition.text_agent_settings("https://x")
    assert settings["post_chat_analysis_data"] == definition.TEXT_ANALYSIS_FIELDS


def test_the_simulated_chat_analyses_use_the_text_agents_fields() -> None:
    kinds = {"enum": str, "string": str, "boolean": bool}
    types = {field["name"]: kinds[field["type"]] for field in definition.TEXT_ANALYSIS_FIELDS}
    numbers = [f"+1212555{suffix:04d}" for suffix in range(100, 120)]
    for number in numbers:
        analysis = chat_scenarios.chat_script_for(number).custom_analysis
        assert set(analysis) == set(definition.ANALYSIS_FIELD_NAMES)
        assert all(isinstance(analysis[name], kind) for name, kind in types.items())
        assert analysis["pet_condition"] in definition.PET_CONDITIONS
    assert chat_scenarios.chat_script_for("+13055550117").reply == "STOP"
    assert chat_scenarios.chat_script_for("+13055550118").reply is None


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
