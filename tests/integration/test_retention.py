"""Retention and erasure against moto (the table built from the stack, its retention partitions and number index) and
the simulated Retell over real HTTP: texts and Retell's copies go after ``transcriptDays``, the call after
``callDays``, a changed setting reaches stored calls, Retell down is asked again, and an erasure takes one owner's
data from every call of the clinic to the number, and nothing else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from shared.dal.call_repository import call_from_values
from standins.aws_stand_ins import RETELL_TEST_KEY
from standins.retell_sim.server import Fault
from tests.support.graph import SPAY_FOLLOW_UP
from tests.support.lifecycle import Stand

MONDAY_0930_LA = "2026-11-23T17:30:00Z"
SHORT = {"transcriptDays": 7, "callDays": 9}


def _retain(stand: Stand, retention: dict[str, int], api: Any = None) -> None:
    client = api or stand.api
    settings = client.get("/clinic/settings").data
    saved = client.put("/clinic/settings", {**settings, "retention": retention})
    assert saved.status == 200, saved.text
    assert saved.data["retention"] == retention


def _answered(stand: Stand, **overrides: Any) -> dict[str, Any]:
    call = stand.schedule(scheduledFor=MONDAY_0930_LA, **overrides)
    final = stand.run_to_the_end(call["callId"])
    assert final["status"] == "completed"
    assert final["transcript"]
    return final


def _purge(stand: Stand) -> None:
    stand.invoke("reconcile", {"source": "aws.events", "detail-type": "Scheduled Event"})


def _retell_has(stand: Stand, retell_call_id: str) -> bool:
    response = httpx.get(
        f"{stand.sim.url}/v2/get-call/{retell_call_id}", headers={"Authorization": f"Bearer {RETELL_TEST_KEY}"}
    )
    return response.status_code == 200


def test_texts_and_retells_copy_go_after_transcript_days_and_the_call_after_call_days(stand: Stand) -> None:
    _retain(stand, SHORT)
    call = _answered(stand)
    retell_id = call["retellCallId"]
    stand.clock.now += timedelta(days=6)
    _purge(stand)
    assert stand.call(call["callId"])["transcript"]
    assert _retell_has(stand, retell_id)

    stand.clock.now += timedelta(days=2)
    _purge(stand)
    kept = stand.call(call["callId"])
    assert kept["transcript"] is None
    assert kept["dischargeSummary"] is None
    assert kept["notes"] is None
    assert kept["analysis"]["summary"] is None
    assert kept["textsRemovedAt"]
    assert (kept["status"], kept["outcome"], len(kept["attempts"])) == ("completed", "answered", 1)
    assert not _retell_has(stand, retell_id)
    expires = next(item["expiresAt"] for item in stand.aws.items() if item["pk"] == f"CALL#{call['callId']}")
    assert expires > stand.clock.now.timestamp() + 3000 * 86_400  # the far bound; the purge removes it sooner

    stand.clock.now += timedelta(days=2)
    _purge(stand)
    assert stand.api.get(f"/calls/{call['callId']}").status == 404


def test_a_changed_setting_applies_to_calls_already_stored(stand: Stand) -> None:
    _retain(stand, {"transcriptDays": 90, "callDays": 730})
    call = _answered(stand)
    stand.clock.now += timedelta(days=10)
    _purge(stand)
    assert stand.call(call["callId"])["transcript"]
    _retain(stand, SHORT)
    _purge(stand)
    assert stand.api.get(f"/calls/{call['callId']}").status == 404


def test_retell_down_then_up_is_asked_again(stand: Stand) -> None:
    _retain(stand, SHORT)
    call = _answered(stand)
    stand.clock.now += timedelta(days=8)
    stand.sim.inject(Fault("fail_delete", times=2, status=500))  # the first try and the SDK's retry
    _purge(stand)
    assert stand.call(call["callId"])["transcript"] is None
    assert _retell_has(stand, call["retellCallId"])
    stand.clock.now += timedelta(minutes=5)
    _purge(stand)
    assert not _retell_has(stand, call["retellCallId"])
    assert stand.sim.deleted == [call["retellCallId"]]


def test_erasure_of_a_number_across_calls_and_nothing_else(stand: Stand) -> None:
    _retain(stand, SHORT)
    first = _answered(stand)
    second = _answered(stand, metadata={"source": "idexx_neo", "consultation_id": "other"})
    elsewhere = _answered(stand, phoneNumber="+14155550105", metadata={})
    theirs = stand.api.as_("clinic-b").post("/calls/schedule", SPAY_FOLLOW_UP)
    assert theirs.status == 201, theirs.text

    erased = stand.api.post("/clinic/erasure", {"phoneNumber": "(415) 555-0100"})

    assert erased.status == 200, erased.text
    assert erased.data == {"calls": 2, "retellDeleted": 2}
    for call in (first, second):
        now = stand.call(call["callId"])
        assert now["phoneNumber"].startswith("erased:")
        assert "4155550100" not in now["phoneNumber"]
        assert (now["ownerName"], now["petName"], now["transcript"]) == ("(erased)", "(erased)", None)
        assert not _retell_has(stand, call["retellCallId"])
    assert stand.call(elsewhere["callId"])["ownerName"] == "Sarah Johnson"
    assert stand.api.as_("clinic-b").get(f"/calls/{theirs.data['callId']}").data["phoneNumber"] == "+14155550100"
    assert stand.api.post("/clinic/erasure", {"phoneNumber": "+14155550100"}).data == {"calls": 2, "retellDeleted": 0}
    assert (
        stand.api.as_("clinic-a", role="staff").post("/clinic/erasure", {"phoneNumber": "+14155550100"}).status == 403
    )
    # The dial cap still counts the number's dials: one more dial is allowed today, not a fresh three.
    (dials,) = [item for item in stand.aws.items() if item["pk"] == "DIALS#clinic-a#14155550100"]
    assert len(dials["dials"]) == 2
    # No call item holds the number any more but the other clinic's call
    stored = [call_from_values(item) for item in stand.aws.items() if item["sk"] == "CALL"]
    held = [call.call_id for call in stored if call.phone_number == "+14155550100"]
    assert held == [theirs.data["callId"]]


def test_the_upgrade_backfill_makes_calls_stored_before_it_erasable_and_purged(stand: Stand) -> None:
    import os

    import boto3

    from scripts.retention_backfill import backfill
    from shared.bootstrap.common import number_digests

    _retain(stand, SHORT)
    call = _answered(stand)
    # As a stack deployed before retention and erasure stored them: no digest, no TTL, no retention keys
    legacy = ("gsi4pk", "expiresAt", "gsi2pk", "gsi2sk")
    for item in stand.aws.items():
        if item["pk"] in (f"CALL#{call['callId']}", "CLINIC#clinic-a"):
            stand.aws.dynamodb.update_item(
                TableName=os.environ["TABLE_NAME"],
                Key={"pk": {"S": item["pk"]}, "sk": {"S": item["sk"]}},
                UpdateExpression="REMOVE " + ", ".join(legacy),
            )
    assert stand.api.post("/clinic/erasure", {"phoneNumber": call["phoneNumber"]}).data["calls"] == 0
    secrets = boto3.client("secretsmanager")
    key = secrets.get_secret_value(SecretId=os.environ["PAGE_TOKEN_SECRET_NAME"])["SecretString"]
    done = backfill(stand.aws.dynamodb, os.environ["TABLE_NAME"], number_digests(lambda: key.encode()), stand.clock())
    assert done == {"calls rewritten": 1, "clinics registered": 1}
    assert (
        backfill(stand.aws.dynamodb, os.environ["TABLE_NAME"], number_digests(lambda: key.encode()), stand.clock())
        == {}
    )

    stand.clock.now += timedelta(days=8)
    _purge(stand)
    assert stand.call(call["callId"])["transcript"] is None
    assert stand.api.post("/clinic/erasure", {"phoneNumber": call["phoneNumber"]}).data["calls"] == 1
