"""The Retell webhook: signatures on the raw body, and events that repeat, arrive out of order, or concern calls
that are cancelled or unknown. State only moves forward and an attempt's outcome is applied once."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import pytest

from standins.apigw import http_event
from standins.aws_stand_ins import RETELL_TEST_KEY
from standins.retell_sim.server import sign
from tests.support.lifecycle import Stand

MONDAY_0930_LA = "2026-11-23T17:30:00Z"


def dialed_call(stand: Stand, number: str = "+14155550100") -> dict[str, Any]:
    call = stand.schedule(phoneNumber=number, scheduledFor=MONDAY_0930_LA)
    stand.advance_and_fire()
    return call


def webhook(stand: Stand, body: str, signature: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["x-retell-signature"] = signature
    return httpx.post(f"{stand.gateway.url}/webhooks/retell", content=body.encode(), headers=headers)


def signed_webhook(stand: Stand, body: str) -> httpx.Response:
    return webhook(stand, body, sign(body, RETELL_TEST_KEY))


def forged_end(call_id: str, clinic_id: str, reason: str) -> str:
    """A ``call_ended`` for one of our calls that Retell never placed (correctly signed: the key could leak)."""
    metadata = {"call_id": call_id, "clinic_id": clinic_id, "attempt": 1}
    return json.dumps(
        {
            "event": "call_ended",
            "call": {"call_id": "call_forged", "disconnection_reason": reason, "metadata": metadata},
        }
    )


class TestSignatures:
    def test_a_valid_signature_is_accepted(self, stand: Stand) -> None:
        call = dialed_call(stand)
        ended = stand.sim.pending()[1].body
        assert webhook(stand, ended, sign(ended, RETELL_TEST_KEY)).status_code == 204
        assert stand.call(call["callId"])["status"] == "completed"

    @pytest.mark.parametrize(
        "case",
        [
            "missing",
            "garbage",
            "wrong_key",
            "stale",
            "future",
            "tampered",
            "reserialised",
            "upper_hex",
            "huge_timestamp",
        ],
    )
    def test_anything_else_is_401_and_changes_nothing(self, stand: Stand, case: str) -> None:
        call = dialed_call(stand)
        body = stand.sim.pending()[1].body  # call_ended
        now_ms = int(time.time() * 1000)
        signature: str | None = sign(body, RETELL_TEST_KEY, now_ms)
        sent = body
        if case == "missing":
            signature = None
        elif case == "garbage":
            signature = "v=1,d=zz"
        elif case == "wrong_key":
            signature = sign(body, "key_someone_else", now_ms)
        elif case == "stale":
            signature = sign(body, RETELL_TEST_KEY, now_ms - 6 * 60 * 1000)
        elif case == "future":
            signature = sign(body, RETELL_TEST_KEY, now_ms + 6 * 60 * 1000)
        elif case == "tampered":
            sent = body.replace("agent_hangup", "dial_no_answer")
        elif case == "reserialised":
            sent = json.dumps(json.loads(body), indent=1)
        elif case == "huge_timestamp":  # more digits than int() reads: a 500 and an alarm, once
            signature = "v=" + "9" * 5_000 + ",d=" + "0" * 64
        elif case == "upper_hex":
            assert signature is not None
            signature = signature.upper().replace("V=", "v=").replace(",D=", ",d=")
        response = webhook(stand, sent, signature)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_signature"
        assert stand.call(call["callId"])["status"] == "initiated"

    def test_a_base64_body_is_verified_on_its_decoded_bytes(self, stand: Stand) -> None:
        call = dialed_call(stand)
        body = stand.sim.pending()[1].body.replace("Luna", "Luna 🐾 Zoë")
        event = http_event(
            "POST",
            "/webhooks/retell",
            raw_body=body,
            base64_body=True,
            headers={"x-retell-signature": sign(body, RETELL_TEST_KEY)},
        )
        assert base64.b64decode(event["body"]).decode() == body
        assert stand.invoke("retell_webhook", event)["statusCode"] == 204
        assert "Zoë" in stand.call(call["callId"])["transcript"]

    @pytest.mark.parametrize(
        "body",
        [
            '{"event": "call_ended"}',
            '{"event": "call_started", "call": {"call_id": "x", "start_timestamp": false}}',
            '{"event": "call_analyzed", "call": {"call_id": "x", "call_analysis": {"in_voicemail": 0}}}',
        ],
    )
    def test_a_signed_body_that_is_not_an_event_is_400(self, stand: Stand, body: str) -> None:
        response = webhook(stand, body, sign(body, RETELL_TEST_KEY))
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_payload"

    def test_the_previous_key_still_verifies_during_a_rotation(self, stand: Stand) -> None:
        import boto3

        from shared.config import RetellConfig, from_environment

        secrets = boto3.client("secretsmanager", region_name="us-east-1")
        name = from_environment(RetellConfig).retell_secret_name
        secrets.put_secret_value(
            SecretId=name, SecretString=json.dumps({"apiKey": "key_new", "previousApiKey": RETELL_TEST_KEY})
        )
        stand.rebuild()  # new containers: the secret is read afresh
        call = dialed_call(stand)  # dials with the new key, which the simulated Retell does not know
        assert stand.dials() == 0
        waiting = stand.call(call["callId"])  # 401 from Retell: the account's problem, so the call waits
        assert (waiting["status"], waiting["attempt"]) == ("scheduled", 1)
        assert "Retell account" in waiting["statusReason"]
        body = json.dumps({"event": "call_started", "call": {"call_id": "x", "metadata": {}}})
        assert webhook(stand, body, sign(body, RETELL_TEST_KEY)).status_code == 204
        assert webhook(stand, body, sign(body, "key_new")).status_code == 204
        assert webhook(stand, body, sign(body, "key_other")).status_code == 401


class TestDeliveries:
    def test_every_event_delivered_twice_changes_nothing_the_second_time(self, stand: Stand) -> None:
        call = dialed_call(stand, "+14155550101")  # no answer: the end schedules a retry
        for hook in stand.sim.take_pending():
            assert stand.sim.deliver(hook.body) == 204
            after_first = stand.call(call["callId"])
            assert stand.sim.deliver(hook.body) == 204
            assert stand.call(call["callId"]) == after_first
        retry = stand.call(call["callId"])
        assert (retry["status"], retry["attempt"]) == ("scheduled", 2)
        assert len(stand.aws.schedules()) == 1
        assert len(retry["attempts"]) == 1

    def test_events_in_reverse_order_end_in_the_same_state(self, stand: Stand) -> None:
        call = dialed_call(stand)
        for hook in reversed(stand.sim.take_pending()):  # analyzed, ended, started
            assert stand.sim.deliver(hook.body) == 204
        final = stand.call(call["callId"])
        assert final["status"] == "completed"
        assert final["analysis"]["successful"] is True
        assert final["transcript"]
        assert final["attempts"][0]["startedAt"] is not None

    def test_call_analyzed_alone_ends_the_attempt_if_call_ended_is_lost(self, stand: Stand) -> None:
        call = dialed_call(stand, "+14155550101")
        analyzed = [hook for hook in stand.sim.take_pending() if hook.event == "call_analyzed"]
        assert stand.sim.deliver(analyzed[0].body) == 204
        retry = stand.call(call["callId"])
        assert (retry["status"], retry["attempt"]) == ("scheduled", 2)
        assert retry["attempts"][0]["analysis"]["summary"] == "The call was not answered."

    def test_a_late_event_for_an_earlier_attempt_does_not_touch_the_current_one(self, stand: Stand) -> None:
        call = dialed_call(stand, "+14155550106")  # no answer first, then answers
        first = stand.sim.take_pending()
        assert stand.sim.deliver(first[0].body) == 204  # call_ended of attempt 1: retry scheduled
        stand.advance_and_fire()  # attempt 2 dialed
        assert stand.sim.flush() == [204, 204, 204]
        done = stand.call(call["callId"])
        assert done["status"] == "completed"
        assert stand.sim.deliver(first[0].body) == 204  # attempt 1's end, again, late
        assert stand.sim.deliver(first[1].body) == 204  # attempt 1's analysis, late
        after = stand.call(call["callId"])
        assert (after["status"], after["attempt"], after["outcome"]) == ("completed", 2, "answered")
        assert after["attempts"][0]["analysis"]["summary"] == "The call was not answered."
        assert after["analysis"]["successful"] is True
        assert stand.dials() == 2

    def test_events_for_a_cancelled_call_change_nothing(self, stand: Stand) -> None:
        call = stand.schedule(scheduledFor=MONDAY_0930_LA)
        assert stand.api.post(f"/calls/{call['callId']}/cancel").status == 200
        assert signed_webhook(stand, forged_end(call["callId"], "clinic-a", "agent_hangup")).status_code == 204
        assert stand.call(call["callId"])["status"] == "cancelled"

    @pytest.mark.parametrize(
        "metadata",
        [
            {"call_id": "0" * 32, "clinic_id": "clinic-a", "attempt": 1},  # no such call
            None,  # not placed by this system
            {"call_id": "x", "clinic_id": "clinic-a"},  # no attempt
        ],
    )
    def test_events_for_unknown_calls_are_acknowledged(self, stand: Stand, metadata: Any) -> None:
        call: dict[str, Any] = {"call_id": "call_other", "disconnection_reason": "agent_hangup"}
        if metadata is not None:
            call["metadata"] = metadata
        body = json.dumps({"event": "call_ended", "call": call})
        assert webhook(stand, body, sign(body, RETELL_TEST_KEY)).status_code == 204

    def test_another_clinics_metadata_cannot_reach_a_call(self, stand: Stand) -> None:
        call = dialed_call(stand)
        assert signed_webhook(stand, forged_end(call["callId"], "clinic-b", "dial_failed")).status_code == 204
        assert stand.call(call["callId"])["status"] == "initiated"

    def test_transcript_updates_and_other_events_are_ignored(self, stand: Stand) -> None:
        call = dialed_call(stand)
        placed = stand.sim.call(stand.sim.placed_call_ids()[0])
        body = json.dumps({"event": "transcript_updated", "call": placed})
        assert webhook(stand, body, sign(body, RETELL_TEST_KEY)).status_code == 204
        assert stand.call(call["callId"])["status"] == "initiated"

    @pytest.mark.parametrize(
        "body",
        [
            '{"event": "chat_started", "chat": {"chat_id": "chat_1", "chat_status": "ongoing"}}',
            '{"event": "chat_ended", "chat": {"chat_id": "chat_1"}}',
            '{"event": "a_kind_retell_adds_next_year", "call": {"something": ["new"]}}',
        ],
    )
    def test_chat_and_unknown_event_kinds_are_acknowledged_and_ignored(self, stand: Stand, body: str) -> None:
        assert webhook(stand, body, sign(body, RETELL_TEST_KEY)).status_code == 204


class TestRealPayloadSizes:
    def test_a_long_call_with_word_timings_and_a_long_signed_link_is_accepted(self, stand: Stand) -> None:
        call = dialed_call(stand)
        ended = json.loads(stand.sim.pending()[1].body)
        line = "User: she is eating again and the wound looks clean, thank you so much for calling.\n"
        words = [{"word": "eating", "start": i * 0.1, "end": i * 0.1 + 0.05} for i in range(20_000)]
        ended["call"]["transcript"] = line * 3_000  # about 250 KB of text: an hour-long call
        ended["call"]["transcript_object"] = [{"role": "user", "content": line, "words": words}]
        ended["call"]["recording_url"] = "https://retell.example/rec.wav?X-Amz-Signature=" + "a" * 4_000
        body = json.dumps(ended)
        assert len(body) > 1_000_000  # over the old limit, so Retell would have retried and dropped it
        assert signed_webhook(stand, body).status_code == 204
        stored = stand.call(call["callId"])
        assert stored["status"] == "completed"
        assert stored["hasRecording"] is True
        assert stored["transcript"].startswith(line)
        assert len(stored["transcript"]) < 70_000  # kept within the item's size, marked as shortened
        assert stored["transcript"].endswith("[... shortened; Retell keeps the whole transcript]")
