"""The only code that reads and writes calls, consultation locks and idempotency records in DynamoDB.

Every write is conditional: a call is replaced only if its ``version`` and ``status`` are still the ones the
writer read, so two admins, or an admin and the scheduler, can never both win. Writes that must land together (a
new call, its consultation lock and its idempotency record) go in one transaction, so nothing is half-written. A
consultation's lock names its latest call and is never released: the next call of that consultation takes it over
in its own transaction once the named call is over (or gone). Releasing it when the call ends would cost every call
a write and a request for the rare consultation that is called about twice.
"""

from __future__ import annotations

import json
import time
import zlib
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.dal.items import batch_get, from_item, to_attribute, to_item
from shared.dal.pagination import FOLLOW_UP_KEY_FIELDS, KEY_FIELDS, PageTokens
from shared.dal.retention import stage_partition
from shared.dal.table_design import (
    CALL_ATTRIBUTES,
    CALL_BODY,
    CLINIC_CALLS_INDEX,
    CLINIC_CALLS_PARTITION_KEY,
    CLINIC_CALLS_SORT_KEY,
    FOLLOW_UP_INDEX,
    FOLLOW_UP_PARTITION_KEY,
    FOLLOW_UP_SORT_KEY,
    LIST_STATUS,
    NUMBER_PARTITION_KEY,
    OPEN_LIST_STATUS,
    OPEN_WORK_INDEX,
    OPEN_WORK_PARTITION_KEY,
    OPEN_WORK_SORT_KEY,
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
    call_id_of,
    call_key,
    clinic_calls_partition,
    consultation_lock_key,
    follow_up_partition,
    idempotency_key,
    number_digest_of,
    number_partition,
    open_work_partition,
    open_work_partitions,
)
from shared.domain import lifecycle, retention
from shared.domain.reconciliation import index_at
from shared.logic.ports import IdempotencyKeyUsed, IdempotencyRecord, StaleWrite
from shared.models.base import format_utc
from shared.models.call import STORED_CONTEXT, TERMINAL_STATUSES, Call, CallStatus
from shared.models.errors import ConcurrentUpdate, DuplicateConsultation, InvalidNextToken
from shared.models.queries import CallQuery, CallRef

COMPRESSION_LEVEL = 9
BODY_DICTIONARY = (
    b'"clinicName":"","clinicPhone":"+1","vetName":"Dr. ","notes":"","dischargeSummary":"",'
    b'"metadata":{"source":"idexx","consultation_id":"","provider_id":""},"requestedFor":"T00:00:00Z",'
    b'"timezone":"America/","rescheduled":false,"nextRetryAt":"","retellCallId":"call_",'
    b'"disconnectionReason":"agent_hangup","user_hangup","analysis":{"summary":"The owner ",'
    b'"sentiment":"Positive","Neutral","successful":true,"inVoicemail":false},'
    b'"transcript":"Agent: User: ","hasRecording":true,"attempts":[{"number":1,"retellCallId":"call_",'
    b'"claimedAt":"","dialedAt":"","startedAt":"","endedAt":"","disconnectionReason":"",'
    b'"outcome":"answered","analysis":{"summary":"createdAt":"","updatedAt":"","createdBy":"",'
    b'"consent":{"given":true,"method":"verbal_at_discharge","recordedBy":"","recordedAt":"2030-"},'
    b'"requeues":"checkedAt":"2026-"'
)
"""zlib's preset dictionary for call bodies: the field names and common values every body repeats, so a small body
compresses to about three quarters of what it would alone (an answered call's item stays under 1 KB: one write unit
a write). Never change it: a body names its dictionary (zlib's FDICT id), so a new one would be added beside it."""
RESPONSE_BODY = "responseBodyZ"
"""The idempotency record's first answer, compressed (records written before it hold ``responseBody`` as text)."""
_ATTEMPT_STATE = ("status", "attempt")
"""A call's attributes that say whether a dialing lease it took is still in use."""
CONFLICT_PAUSES = (0.05, 0.1, 0.2, 0.4)
"""Seconds to wait before each new try of a create DynamoDB cancelled for a ``TransactionConflict``: the other
transaction commits within milliseconds in DynamoDB; 0.75 s in all, well inside the API's time."""
MAX_QUERY_PAGES = 10
"""A filtered list reads at most this many DynamoDB pages per request, then hands back a ``nextToken``."""


def _call_document(call: Call) -> dict[str, Any]:
    """The call as stored: the attributes that keys, conditions and index projections name, as attributes; the rest
    of the call (discharge summary, notes, metadata, consent, attempts, analysis, transcript) as one compressed JSON
    attribute (``CALL_BODY``), so that each of the several writes of a call's life costs as few write units as it can
    (DynamoDB bills every write by the whole item's size, per started KB)."""
    values = call.model_dump(mode="json", by_alias=True, exclude_none=True)
    document = {name: values[name] for name in CALL_ATTRIBUTES if name in values}
    # The body leaves out what reading it back restores anyway: defaults, and the attributes stored beside it.
    body = call.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    body = {name: value for name, value in body.items() if name not in document and name not in _RESTORED}
    document[CALL_BODY] = _compressed(json.dumps(body, separators=(",", ":")))
    document[LIST_STATUS] = list_status(call.status)
    document.update(call_key(call.call_id))
    document.update(_index_keys(call))
    expires = retention.expires_at(call)
    if expires is not None:
        document[TTL_ATTRIBUTE] = int(expires.timestamp())
    return document


RETELL_COPIES_DUE = "0"
"""The retention index's sort key prefix of a call whose Retell copies are still to delete: before every time."""


TERMINAL_VALUES = frozenset(status.value for status in TERMINAL_STATUSES)
_RESTORED = ("callId", "numberDigest", "finalAt")
"""Fields the body leaves out because reading restores them from the item's other attributes: the key, the number
index's partition, the TTL (``call_from_values``)."""


def _compressed(text: str) -> bytes:
    compressor = zlib.compressobj(COMPRESSION_LEVEL, zdict=BODY_DICTIONARY)
    return compressor.compress(text.encode()) + compressor.flush()


def _decompressed(blob: Any) -> str:
    return zlib.decompressobj(zdict=BODY_DICTIONARY).decompress(bytes(blob)).decode()


def list_status(status: CallStatus) -> str:
    """The status as the clinic index holds it (``LIST_STATUS``)."""
    return status.value if status.is_terminal else OPEN_LIST_STATUS


def _index_keys(call: Call) -> dict[str, str]:
    """The call's keys in the clinic index (gsi1); while it is open work, the open-work index (gsi2), and once final,
    its retention stage there; while it needs follow-up, the follow-up worklist (gsi3); by its number's digest, the
    number index (gsi4)."""
    keys: dict[str, str] = {
        CLINIC_CALLS_PARTITION_KEY: clinic_calls_partition(call.clinic_id),
        CLINIC_CALLS_SORT_KEY: f"{format_utc(call.scheduled_for)}#{call.call_id}",
    }
    due_at = index_at(call)
    stage, final = retention.purge_stage(call), retention.final_time(call)
    if due_at is not None:
        keys[OPEN_WORK_PARTITION_KEY] = open_work_partition(call.call_id)
        keys[OPEN_WORK_SORT_KEY] = f"{format_utc(due_at)}#{call.call_id}"
    elif stage is not None and final is not None:
        # No open work left: the same index holds it for the retention purge (``shared.dal.retention``).
        keys[OPEN_WORK_PARTITION_KEY] = stage_partition(call.clinic_id, stage)
        # Texts removed, Retell copies left (Retell could not delete them): due at once, whatever the setting.
        copies_left = stage == retention.PurgeStage.TEXTS and call.texts_removed_at is not None
        due = RETELL_COPIES_DUE if copies_left else format_utc(final)
        keys[OPEN_WORK_SORT_KEY] = f"{due}#{call.call_id}"
    if call.number_digest:
        keys[NUMBER_PARTITION_KEY] = number_partition(call.clinic_id, call.number_digest)
    if call.needs_follow_up:
        flagged = call.flagged_at or call.updated_at
        keys[FOLLOW_UP_PARTITION_KEY] = follow_up_partition(call.clinic_id)
        keys[FOLLOW_UP_SORT_KEY] = f"{format_utc(flagged)}#{call.call_id}"
    return keys


def call_from_item(item: dict[str, Any]) -> Call:
    """A stored call item (DynamoDB-typed, as boto3 reads it) as the call."""
    return call_from_values(from_item(item))


def call_from_values(values: dict[str, Any]) -> Call:
    """A call item's attributes as plain values (the body as bytes) as the call: also a stream image, once
    deserialised."""
    values = dict(values)
    values.setdefault("callId", call_id_of(values))
    values.pop(LIST_STATUS, None)
    body = values.pop(CALL_BODY, None)
    if body is not None:  # items written before the body was compressed hold every field as an attribute
        values.update(json.loads(_decompressed(body)))
    if NUMBER_PARTITION_KEY in values:
        values.setdefault("numberDigest", number_digest_of(values[NUMBER_PARTITION_KEY]))
    if TTL_ATTRIBUTE in values and values.get("status") in TERMINAL_VALUES:
        values.setdefault("finalAt", retention.final_at_of(int(values[TTL_ATTRIBUTE])))
    return Call.model_validate(values, context=STORED_CONTEXT)


_call_from_item = call_from_item


def _is_condition_failure(error: ClientError) -> bool:
    return bool(error.response["Error"]["Code"] == "ConditionalCheckFailedException")


class CallRepository:
    def __init__(self, client: Any, table_name: str, page_tokens: PageTokens):
        self._client = client
        self._table = table_name
        self._page_tokens = page_tokens

    # -- reads ---------------------------------------------------------------------------------------------------

    def get(self, clinic_id: str, call_id: str) -> Call | None:
        """The call, if it exists *and* belongs to ``clinic_id``: another clinic's call is as good as absent."""
        response = self._client.get_item(TableName=self._table, Key=to_item(call_key(call_id)), ConsistentRead=True)
        item = response.get("Item")
        if item is None:
            return None
        call = _call_from_item(item)
        return call if call.clinic_id == clinic_id else None

    def list_for_clinic(self, query: CallQuery) -> tuple[list[Call], str | None]:
        """The clinic's calls by ``scheduledFor`` ascending: a query on the clinic index, never a scan."""
        low = format_utc(query.scheduled_from) if query.scheduled_from else "0"
        high = (format_utc(query.scheduled_to) + "#\uffff") if query.scheduled_to else "\uffff"
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": CLINIC_CALLS_INDEX,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :low AND :high",
            "ExpressionAttributeNames": {"#pk": CLINIC_CALLS_PARTITION_KEY, "#sk": CLINIC_CALLS_SORT_KEY},
            "ExpressionAttributeValues": {
                ":pk": to_attribute(clinic_calls_partition(query.clinic_id)),
                ":low": to_attribute(low),
                ":high": to_attribute(high),
            },
            "Limit": query.limit,
        }
        if query.statuses:
            listed = sorted({list_status(status) for status in query.statuses})
            names = {f":s{i}": to_attribute(value) for i, value in enumerate(listed)}
            request["FilterExpression"] = f"#status IN ({', '.join(names)})"
            request["ExpressionAttributeNames"]["#status"] = LIST_STATUS
            request["ExpressionAttributeValues"].update(names)
        # The index tells the open statuses apart from none of each other: the calls read tell them.
        wanted = set(query.statuses) or set(CallStatus)
        binding = query.binding()
        if query.next_token:
            start = self._page_tokens.decode(query.next_token, binding)
            if start[CLINIC_CALLS_PARTITION_KEY] != clinic_calls_partition(query.clinic_id):
                raise InvalidNextToken  # cannot happen while the tag binds the clinic; kept as a second lock
            request["ExclusiveStartKey"] = to_item(start)

        calls: list[Call] = []
        last_key: dict[str, Any] | None = None
        for _ in range(MAX_QUERY_PAGES):
            response = self._client.query(**request)
            for entry, call in self._calls_of(query.clinic_id, response.get("Items", [])):
                if call is None or call.status not in wanted:
                    continue
                calls.append(call)
                if len(calls) == query.limit:
                    # Resume after the last item handed out, even if DynamoDB read further in this page.
                    return calls, self._page_tokens.encode(from_item({k: entry[k] for k in KEY_FIELDS}), binding)
            last_key = response.get("LastEvaluatedKey")
            if last_key is None:
                return calls, None
            request["ExclusiveStartKey"] = last_key
        return calls, self._page_tokens.encode(from_item(last_key), binding) if last_key else None

    def list_follow_ups(self, clinic_id: str, limit: int, next_token: str | None) -> tuple[list[Call], str | None]:
        """The clinic's calls that need follow-up, most recently flagged first: a query of the sparse follow-up
        index, which holds only flagged calls not yet marked done."""
        binding = f"{clinic_id}\nfollow-up"
        partition = follow_up_partition(clinic_id)
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": FOLLOW_UP_INDEX,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": FOLLOW_UP_PARTITION_KEY},
            "ExpressionAttributeValues": {":pk": to_attribute(partition)},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if next_token:
            start = self._page_tokens.decode(next_token, binding, FOLLOW_UP_KEY_FIELDS)
            if start[FOLLOW_UP_PARTITION_KEY] != partition:
                raise InvalidNextToken
            request["ExclusiveStartKey"] = to_item(start)
        response = self._client.query(**request)
        calls = [_call_from_item(item) for item in response.get("Items", [])]
        last_key = response.get("LastEvaluatedKey")
        token = self._page_tokens.encode(from_item(last_key), binding, FOLLOW_UP_KEY_FIELDS) if last_key else None
        return calls, token

    def _calls_of(self, clinic_id: str, entries: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Call | None]]:
        """Each of the clinic index's entries with the call it names (``None`` if it is gone or not the clinic's),
        in their order: one ``BatchGetItem`` (the index projects only what the overview and the filter need)."""
        if not entries:
            return []
        keys = [{PARTITION_KEY: entry[PARTITION_KEY], SORT_KEY: entry[SORT_KEY]} for entry in entries]
        items = batch_get(self._client, self._table, keys, consistent=False)
        found = {item[PARTITION_KEY]["S"]: call_from_item(item) for item in items}
        pairs: list[tuple[dict[str, Any], Call | None]] = []
        for entry in entries:
            call = found.get(entry[PARTITION_KEY]["S"])
            pairs.append((entry, call if call is not None and call.clinic_id == clinic_id else None))
        return pairs

    def live_attempts(self, lease_attempts: dict[str, int | None]) -> set[str]:
        """Of the calls in ``lease_attempts`` (call id -> the attempt that took a dialing lease), those whose attempt is
        still claimed or connected (``lifecycle.holds_dialing_lease``): one consistent read of their status and
        attempt, 100 calls a request."""
        keys = [to_item(call_key(call_id)) for call_id in lease_attempts]
        live: set[str] = set()
        for item in batch_get(
            self._client, self._table, keys, consistent=True, projection=(PARTITION_KEY, *_ATTEMPT_STATE)
        ):
            call_id = call_id_of({PARTITION_KEY: item[PARTITION_KEY]["S"]})
            status, attempt = (from_item(item)[name] for name in _ATTEMPT_STATE)
            if lifecycle.holds_dialing_lease(CallStatus(status), int(attempt), lease_attempts[call_id]):
                live.add(call_id)
        return live

    def due_for_check(self, now: datetime, limit: int) -> list[CallRef]:
        """Calls whose reconciliation check is due, oldest first, at most ``limit`` per shard: a query of each shard
        of the sparse open-work index, which holds only the calls that may need it (reads do not grow with the
        table)."""
        refs: list[CallRef] = []
        for partition in open_work_partitions():
            request: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": OPEN_WORK_INDEX,
                "KeyConditionExpression": "#pk = :pk AND #sk <= :now",
                "ExpressionAttributeNames": {"#pk": OPEN_WORK_PARTITION_KEY, "#sk": OPEN_WORK_SORT_KEY},
                "ExpressionAttributeValues": {
                    ":pk": to_attribute(partition),
                    ":now": to_attribute(format_utc(now) + "#\uffff"),
                },
                "Limit": limit,
            }
            for item in self._client.query(**request).get("Items", []):
                values = from_item(item)
                refs.append(
                    CallRef(clinic_id=str(values["clinicId"]), call_id=values.get("callId") or call_id_of(values))
                )
        return refs

    def get_idempotency_record(self, clinic_id: str, key: str, now: datetime) -> IdempotencyRecord | None:
        response = self._client.get_item(
            TableName=self._table, Key=to_item(idempotency_key(clinic_id, key)), ConsistentRead=True
        )
        if "Item" not in response:
            return None
        item = from_item(response["Item"])
        if item[TTL_ATTRIBUTE] <= now.timestamp():
            return None  # TTL deletion lags; an expired record no longer counts
        return IdempotencyRecord(
            clinic_id=clinic_id,
            key=key,
            request_hash=item["requestHash"],
            status_code=item["statusCode"],
            # Compressed as a call's body is (a call's JSON repeats the same names), so the record is one write unit.
            response_body=_decompressed(item[RESPONSE_BODY]) if RESPONSE_BODY in item else item["responseBody"],
            expires_at=item[TTL_ATTRIBUTE],
        )

    # -- writes --------------------------------------------------------------------------------------------------

    def create(self, call: Call, idempotency: IdempotencyRecord | None = None) -> None:
        """Store a new call, its consultation lock and its idempotency record, all or nothing.

        Raises ``DuplicateConsultation`` if the consultation already has an active call, ``IdempotencyKeyUsed`` if
        the key was used before (with the first answer). A transaction DynamoDB cancels because another is writing
        the same lock or record (``TransactionConflict``: two requests creating the same call at once) is tried again
        after a pause, when the other has committed, and so ends as the duplicate it is.
        """
        for pause in (*CONFLICT_PAUSES, None):
            try:
                self._create(call, idempotency)
                return
            except _Conflicted:
                if pause is None:
                    break
                time.sleep(pause)
        self._raise_duplicate(call, idempotency)

    def _create(self, call: Call, idempotency: IdempotencyRecord | None) -> None:
        try:
            self._create_once(call, idempotency)
        except _LockHeld as held:
            holding_call = self.get(call.clinic_id, held.holder)
            if holding_call is not None and not holding_call.status.is_terminal:
                raise DuplicateConsultation(held.holder, call.metadata.consultation_id or "") from None
            # The consultation's last call is over: take its lock over, unless another request did meanwhile.
            try:
                self._create_once(call, idempotency, taking_over=held.holder)
            except _LockHeld as taken:
                raise DuplicateConsultation(taken.holder, call.metadata.consultation_id or "") from None

    def _raise_duplicate(self, call: Call, idempotency: IdempotencyRecord | None) -> None:
        """Still in conflict after every pause: answer from what the other request stored, a duplicate either way."""
        if idempotency:
            record = self.get_idempotency_record(idempotency.clinic_id, idempotency.key, call.created_at)
            if record is not None:
                raise IdempotencyKeyUsed(record)
        consultation = call.metadata.consultation_id
        holder = self._lock_holder(call.clinic_id, consultation) if consultation else None
        if holder is not None and holder != call.call_id:
            raise DuplicateConsultation(holder, consultation or "")
        raise ConcurrentUpdate(call.call_id)

    def replace(self, call: Call, *, expected: Call) -> None:
        """Write ``call`` over ``expected`` if nobody changed it meanwhile; otherwise raise ``StaleWrite``."""
        condition = {
            "ConditionExpression": "#version = :version AND #status = :status AND #clinic = :clinic",
            "ExpressionAttributeNames": {"#version": "version", "#status": "status", "#clinic": "clinicId"},
            "ExpressionAttributeValues": {
                ":version": to_attribute(expected.version),
                ":status": to_attribute(expected.status.value),
                ":clinic": to_attribute(expected.clinic_id),
            },
        }
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_item(_call_document(call)),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **condition,
            )
        except ClientError as error:
            if _is_condition_failure(error):
                old = error.response.get("Item")
                raise StaleWrite(_call_from_item(old) if old else None) from None
            raise

    # -- internals -----------------------------------------------------------------------------------------------

    def _create_once(
        self, call: Call, idempotency: IdempotencyRecord | None, *, taking_over: str | None = None
    ) -> None:
        """One transaction: the call, its consultation's lock (new, or taken over from the call ``taking_over``,
        which is over) and its idempotency record."""
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(_call_document(call)),
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
                }
            }
        ]
        consultation = call.metadata.consultation_id
        if consultation:
            lock = {
                **consultation_lock_key(call.clinic_id, consultation),
                "callId": call.call_id,
                "clinicId": call.clinic_id,
                "createdAt": format_utc(call.created_at),
            }
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_item(lock),
                        **_lock_condition(taking_over),
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
            )
        if idempotency:
            record = {
                **idempotency_key(idempotency.clinic_id, idempotency.key),
                "requestHash": idempotency.request_hash,
                "statusCode": idempotency.status_code,
                RESPONSE_BODY: _compressed(idempotency.response_body),
                TTL_ATTRIBUTE: idempotency.expires_at,
            }
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_item(record),
                        # An expired record (TTL deletion lags) may be overwritten.
                        "ConditionExpression": "attribute_not_exists(#pk) OR #ttl <= :now",
                        "ExpressionAttributeNames": {"#pk": PARTITION_KEY, "#ttl": TTL_ATTRIBUTE},
                        "ExpressionAttributeValues": {":now": to_attribute(int(call.created_at.timestamp()))},
                    }
                }
            )
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]
            failed = {index for index, code in enumerate(reasons) if code == "ConditionalCheckFailed"}
            if "TransactionConflict" in reasons and not failed:
                raise _Conflicted from None
            if idempotency and (len(items) - 1) in failed:
                record_now = self.get_idempotency_record(idempotency.clinic_id, idempotency.key, call.created_at)
                if record_now is not None:
                    raise IdempotencyKeyUsed(record_now) from None
            if consultation and 1 in failed:
                holder = self._lock_holder(call.clinic_id, consultation)
                if holder is not None:
                    raise _LockHeld(holder) from None
            raise

    def _lock_holder(self, clinic_id: str, consultation_id: str) -> str | None:
        response = self._client.get_item(
            TableName=self._table, Key=to_item(consultation_lock_key(clinic_id, consultation_id)), ConsistentRead=True
        )
        item = response.get("Item")
        return str(from_item(item)["callId"]) if item else None


def _lock_condition(taking_over: str | None) -> dict[str, Any]:
    """A consultation's lock is written if there is none, or if it still names the call being taken over."""
    if taking_over is None:
        return {"ConditionExpression": "attribute_not_exists(#pk)", "ExpressionAttributeNames": {"#pk": PARTITION_KEY}}
    return {
        "ConditionExpression": "attribute_not_exists(#pk) OR callId = :holder",
        "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
        "ExpressionAttributeValues": {":holder": to_attribute(taking_over)},
    }


class _Conflicted(Exception):
    """DynamoDB cancelled the transaction because another was writing one of its items (``TransactionConflict``)."""


class _LockHeld(Exception):
    def __init__(self, holder: str):
        super().__init__(holder)
        self.holder = holder
