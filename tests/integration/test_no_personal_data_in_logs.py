"""No personal data in logs: every lifecycle the contract's test numbers produce, plus the API's error paths, runs
with every logger at DEBUG (the functions' own) or INFO (everything else), and no captured line holds a phone
number, an owner's or pet's name, or a word of a transcript."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from aws_lambda_powertools.logging.filters import SuppressFilter

from shared.observability import logger
from standins.retell_sim.scenarios import CONVERSATION
from tests.support.lifecycle import Stand

OWNER = "Marguerite Okonkwo-Lindqvist"
PET = "Biscuitina"
TEST_NUMBERS = [f"+1415555010{digit}" for digit in range(8)]
NOTIFIED_NUMBERS = ["+14155550112", "+14155550113"]  # a pet doing worse, a callback request
TRANSCRIPT_WORDS = ["eating again and resting", "Keep the cone on", "Will do, thank you"]


class _Capture(logging.Handler):
    def __init__(self, lines: list[str], level: int) -> None:
        super().__init__(level)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Every line the functions' logger writes (formatted as in Lambda) and every other logger's, captured."""
    lines: list[str] = []
    functions, everything = _Capture(lines, logging.DEBUG), _Capture(lines, logging.INFO)
    functions.setFormatter(logger.registered_formatter)
    everything.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    # As on the handlers the Lambda runtime puts on the root logger: Powertools keeps its records off them.
    everything.addFilter(SuppressFilter(logger.service))
    previous = logger.log_level
    logger.setLevel("DEBUG")
    logger.addHandler(functions)
    logging.getLogger().addHandler(everything)
    try:
        yield lines
    finally:
        logging.getLogger().removeHandler(everything)
        logging.getLogger(logger.service).removeHandler(functions)
        logger.setLevel(previous)


def _personal_data_in(lines: list[str], phones: list[str]) -> list[str]:
    secrets = [OWNER, PET, *TRANSCRIPT_WORDS, *phones, *(phone.removeprefix("+1") for phone in phones)]
    return [f"{secret!r} in {line[:200]}" for line in lines for secret in secrets if secret in line]


def test_lifecycles_and_error_paths_log_no_personal_data(
    stand: Stand, log_lines: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert all(word in CONVERSATION for word in TRANSCRIPT_WORDS)  # the transcript the simulated owner speaks
    person = {"ownerName": OWNER, "petName": PET, "dischargeSummary": f"{PET} had surgery."}
    for number in TEST_NUMBERS:
        call = stand.schedule(phoneNumber=number, **person)  # the next open slot from the (moving) clock
        assert stand.run_to_the_end(call["callId"])["status"] in {"completed", "failed"}

    # The API's refusals and changes, each with personal data in the request.
    api = stand.api
    assert api.post("/calls/schedule", {**person, "phoneNumber": "+1 415 555 010"}).status == 422
    assert api.post("/calls/schedule", {**person, "phoneNumber": "+14155550100", "x": OWNER}).status == 422
    assert api.post("/calls/schedule", raw_body='{"ownerName": "' + OWNER + '", NaN}').status == 400
    moving = stand.schedule(phoneNumber="+14155550100", scheduledFor="2026-12-01T17:00:00Z", **person)
    assert api.patch(f"/calls/{moving['callId']}", {"ownerName": OWNER, "phoneNumber": "+14155550105"}).status == 200
    assert api.post(f"/calls/{moving['callId']}/cancel").status == 200
    preview = {"pageData": {"client": {"name": OWNER, "phone": "(415) 555-0104"}, "patient": {"name": PET}}}
    assert api.post("/integrations/idexx/preview", preview).status == 200

    # An unexpected failure whose exception text carries a phone number is logged masked.
    from shared.logic.calls import CallService

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("lost the connection while writing +14155550106")

    monkeypatch.setattr(CallService, "cancel", crash)
    assert api.post(f"/calls/{moving['callId']}/cancel").status == 500
    # A webhook that fails its signature check, carrying the owner's name.
    bad = httpx.post(f"{stand.gateway.url}/webhooks/retell", content=f'{{"owner": "{OWNER}"}}', timeout=10)
    assert bad.status_code == 401

    # Notices: flagged calls told by email and chat (the chat down, so its failures are logged too), the worklist.
    settings = api.get("/clinic/settings").data
    settings["notifications"] = {
        "emails": ["vet@clinic.example"],
        "webhookUrl": "https://hooks.slack.com/services/T0/B0/x",
    }
    assert api.put("/clinic/settings", settings).status == 200
    stand.functions.outbox.chat_down = True
    flagged = []
    for number in NOTIFIED_NUMBERS:
        call = stand.schedule(phoneNumber=number, **person)
        flagged.append(stand.run_to_the_end(call["callId"]))
    assert stand.feed_stream() > 0
    assert stand.invoke("notices", {"action": "sweep"})["failed"] >= 0
    told = {entry["callId"] for entry in stand.outbox() if entry["channel"] == "email"}
    assert told >= {call["callId"] for call in flagged}  # the emails went (the earlier failed calls' too)
    assert all(entry["channel"] == "email" for entry in stand.outbox())  # the chat messages wait
    done = api.post(f"/calls/{flagged[0]['callId']}/follow-up", {"note": f"called {OWNER} about {PET}"})
    assert done.status == 200

    lines = log_lines
    assert any("notice not delivered" in line for line in lines)
    assert len(lines) > 50, "the capture saw too little to prove anything"
    assert any("lost the connection while writing +[phone]" in line for line in lines)
    phones = [*TEST_NUMBERS, *NOTIFIED_NUMBERS, "+14155550104", "+14155550105", "+14155550106"]
    assert _personal_data_in(lines, phones) == []
