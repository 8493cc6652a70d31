"""Notices in DynamoDB: one item per event and recipient, written only if absent (so an event seen twice, by a
repeated webhook, a second reconciler run or a stream batch delivered again, records nothing twice), then
delivered: claimed with a short lease (two deliverers never send at once; the claim counts the attempt, so one whose
deliverer hung or died counts as failed once), marked sent, put back with the time of its next attempt, or held
(a rate limit) without counting. A notice still to be delivered is in the sparse follow-up index under its clinic's
``NOTICES#PENDING#{clinicId}``, so the sweep reads only those, one clinic at a time. Sent notices expire through
TTL. Where the sweep and the digest stopped is kept here too (``cursor``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from shared.dal.items import from_item, put_if_absent, to_attribute, to_item
from shared.dal.table_design import (
    FOLLOW_UP_INDEX,
    FOLLOW_UP_PARTITION_KEY,
    FOLLOW_UP_SORT_KEY,
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
    notice_cursor_key,
    notice_key,
    pending_notices_partition,
)
from shared.logic.ports import Notice, NoticeState, StoredNotice
from shared.models.base import format_utc, parse_utc

KEEP_FOR = timedelta(days=30)
"""A notice's item (and with it the guard against sending it again) is kept this long."""


def _failed_condition(error: ClientError) -> bool:
    return bool(error.response["Error"]["Code"] == "ConditionalCheckFailedException")


def _stored(item: dict[str, Any]) -> StoredNotice:
    values = from_item(item)
    notice = Notice(
        subject_id=values["subjectId"],
        event_key=values["eventKey"],
        event=values["event"],
        clinic_id=values.get("clinicId"),
        call_id=values.get("callId"),
        channel=values["channel"],
        to=values["to"],
        recipient_id=values["recipientId"],
        subject=values["subject"],
        text=values["text"],
        html=values.get("html", ""),
        created_at=parse_utc(values["createdAt"]),
    )
    return StoredNotice(
        notice=notice,
        state=NoticeState(values["state"]),
        attempts=int(values.get("attempts", 0)),
        next_attempt_at=parse_utc(values["nextAttemptAt"]) if values.get("nextAttemptAt") else None,
        sent_at=parse_utc(values["sentAt"]) if values.get("sentAt") else None,
    )


def _key(notice: Notice) -> dict[str, Any]:
    return to_item(notice_key(notice.subject_id, notice.event_key, notice.channel, notice.recipient_id))


class NoticeRepository:
    def __init__(self, client: Any, table_name: str):
        self._client = client
        self._table = table_name

    def record(self, notice: Notice, now: datetime) -> bool:
        """Store the notice as pending, due now; ``False`` if it was recorded before (nothing is written)."""
        keys = notice_key(notice.subject_id, notice.event_key, notice.channel, notice.recipient_id)
        item = {
            **keys,
            "subjectId": notice.subject_id,
            "eventKey": notice.event_key,
            "event": notice.event,
            "clinicId": notice.clinic_id,
            "callId": notice.call_id,
            "channel": notice.channel,
            "to": notice.to,
            "recipientId": notice.recipient_id,
            "subject": notice.subject,
            "text": notice.text,
            "html": notice.html,
            "createdAt": format_utc(notice.created_at),
            "state": NoticeState.PENDING.value,
            "attempts": 0,
            "nextAttemptAt": format_utc(now),
            FOLLOW_UP_PARTITION_KEY: pending_notices_partition(notice.clinic_id),
            FOLLOW_UP_SORT_KEY: f"{format_utc(now)}#{keys[PARTITION_KEY]}#{keys[SORT_KEY]}",
            TTL_ATTRIBUTE: int((now + KEEP_FOR).timestamp()),
        }
        return put_if_absent(self._client, self._table, item)

    def claim(self, notice: Notice, now: datetime, lease: timedelta) -> StoredNotice | None:
        """The notice, leased to this deliverer until ``now + lease`` and its attempt counted, if it is still pending
        and due and nobody holds it (a lease that expired is nobody's: its attempt, counted, failed); ``None``
        otherwise."""
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=_key(notice),
                UpdateExpression="SET leaseUntil = :until, attempts = attempts + :one",
                ConditionExpression="#state = :pending AND nextAttemptAt <= :now "
                "AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":until": to_attribute(format_utc(now + lease)),
                    ":pending": to_attribute(NoticeState.PENDING.value),
                    ":now": to_attribute(format_utc(now)),
                    ":one": to_attribute(1),
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _failed_condition(error):
                return None
            raise
        return _stored(response["Attributes"])

    def mark_sent(self, notice: Notice, now: datetime) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=_key(notice),
            UpdateExpression="SET #state = :sent, sentAt = :now REMOVE leaseUntil, nextAttemptAt, #gpk, #gsk",
            ExpressionAttributeNames={"#state": "state", "#gpk": FOLLOW_UP_PARTITION_KEY, "#gsk": FOLLOW_UP_SORT_KEY},
            ExpressionAttributeValues={
                ":sent": to_attribute(NoticeState.SENT.value),
                ":now": to_attribute(format_utc(now)),
            },
        )

    def mark_failed(self, notice: Notice, now: datetime, next_attempt_at: datetime | None, error: str) -> None:
        """The claimed attempt (counted) failed: due again at ``next_attempt_at``, or given up (``None``)."""
        if next_attempt_at is None:
            self._client.update_item(
                TableName=self._table,
                Key=_key(notice),
                UpdateExpression="SET #state = :gave_up, lastError = :error "
                "REMOVE leaseUntil, nextAttemptAt, #gpk, #gsk",
                ExpressionAttributeNames={
                    "#state": "state",
                    "#gpk": FOLLOW_UP_PARTITION_KEY,
                    "#gsk": FOLLOW_UP_SORT_KEY,
                },
                ExpressionAttributeValues={
                    ":gave_up": to_attribute(NoticeState.GAVE_UP.value),
                    ":error": to_attribute(error[:300]),
                },
            )
            return
        self._put_back(notice, next_attempt_at, "SET lastError = :why", error)

    def hold(self, notice: Notice, until: datetime, reason: str) -> None:
        self._put_back(notice, until, "SET heldFor = :why, attempts = attempts - :one", reason)

    def _put_back(self, notice: Notice, next_attempt_at: datetime, update: str, why: str) -> None:
        keys = notice_key(notice.subject_id, notice.event_key, notice.channel, notice.recipient_id)
        values = {
            ":next": to_attribute(format_utc(next_attempt_at)),
            ":gsk": to_attribute(f"{format_utc(next_attempt_at)}#{keys[PARTITION_KEY]}#{keys[SORT_KEY]}"),
            ":why": to_attribute(why[:300]),
        }
        if ":one" in update:
            values[":one"] = to_attribute(1)
        self._client.update_item(
            TableName=self._table,
            Key=_key(notice),
            UpdateExpression=f"{update}, nextAttemptAt = :next, #gsk = :gsk REMOVE leaseUntil",
            ExpressionAttributeNames={"#gsk": FOLLOW_UP_SORT_KEY},
            ExpressionAttributeValues=values,
        )

    def due(self, clinic_id: str | None, now: datetime, limit: int) -> list[StoredNotice]:
        """One clinic's (``None``: the operators') pending notices due by ``now``, oldest first."""
        response = self._client.query(
            TableName=self._table,
            IndexName=FOLLOW_UP_INDEX,
            KeyConditionExpression="#pk = :pk AND #sk <= :now",
            ExpressionAttributeNames={"#pk": FOLLOW_UP_PARTITION_KEY, "#sk": FOLLOW_UP_SORT_KEY},
            ExpressionAttributeValues={
                ":pk": to_attribute(pending_notices_partition(clinic_id)),
                ":now": to_attribute(format_utc(now) + "#\uffff"),
            },
            Limit=limit,
        )
        return [_stored(item) for item in response.get("Items", [])]

    def cursor(self, name: str) -> str | None:
        item = self._client.get_item(TableName=self._table, Key=to_item(notice_cursor_key(name))).get("Item")
        return str(from_item(item)["position"]) if item else None

    def save_cursor(self, name: str, position: str) -> None:
        self._client.put_item(TableName=self._table, Item=to_item({**notice_cursor_key(name), "position": position}))

    def get(self, notice: Notice) -> StoredNotice | None:
        item = self._client.get_item(TableName=self._table, Key=_key(notice), ConsistentRead=True).get("Item")
        return _stored(item) if item else None
