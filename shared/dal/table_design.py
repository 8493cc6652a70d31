"""The one DynamoDB table's keys and indexes. The CDK stack builds the table from these names, and the tests build
moto's table from the synthesized template, so code, infrastructure and tests cannot drift apart.

Items (key patterns; ``gsi1`` lists a clinic's calls in time order):

* call: ``CALL#{callId}`` / ``CALL``: ``CALL_ATTRIBUTES`` as attributes, the other fields as compressed JSON in
  ``body`` (``shared.dal.call_repository``); gsi1 ``CLINIC#{clinicId}`` / ``{scheduledFor}#{callId}``; while the call is
  open work for the reconciler (``shared.domain.reconciliation``), gsi2 ``OPEN#{shard}`` / ``{checkDueAt}#{callId}``
  (sparse: a call that needs no check has no gsi2 keys, so the index holds only the open work, whatever the size
  of the table; ``shard`` spreads its writes over a few partitions)
* a final call, for the retention purge (``shared.logic.retention``), in the same gsi2 once it is no open work
  (it never is both): while its texts or Retell's copies are still to remove, ``TEXTS#{clinicId}`` /
  ``{finalAt}#{callId}``; after, until it is removed, ``KEPT#{clinicId}`` / ``{finalAt}#{callId}`` (sparse and per
  clinic, so the purge asks for exactly the calls past the clinic's *current* retention: one query each); its TTL is
  the far bound ``finalAt`` + the longest retention a clinic may choose
* a call to a number, by the number's digest (``shared.domain.retention``): gsi4 ``NUMBER#{clinicId}#{digest}``, no
  sort key (keys only: an erasure's one query for the clinic's calls to one number; the item holds the digest only
  there, and ``finalAt`` only as its TTL: an answered call's item stays near 1 KB)
* a call that needs follow-up (``shared.domain.follow_up``): gsi3 ``FOLLOWUP#{clinicId}`` / ``{flaggedAt}#{callId}``
  (sparse: only flagged calls not yet marked done, so the clinic's worklist is one query, newest first)
* notice (``shared.logic.notices``): ``NOTICE#{subject}#{event}`` / ``TO#{channel}#{digest of the recipient}``,
  one per event and recipient, written only if absent (a repeated event sends nothing twice); while it is still to
  be delivered, gsi3 ``NOTICES#PENDING#{clinicId}`` (the operators' own notices, and notices recorded before the
  partition was per clinic: ``NOTICES#PENDING``) / ``{nextAttemptAt}#{pk}#{sk}``, so the sweep reads each clinic's
  due notices apart and one clinic's backlog cannot hide another's; it expires through TTL
* where the sweep and the digest stopped: ``NOTICES#CURSOR`` / ``{name}`` (the next run resumes there)
* e-mails counted against the rate limits: ``EMAILS#{clinicId}`` / ``HOUR#{yyyymmddhh}`` (the clinic's) and
  ``TO#{digest of the recipient}#DAY#{yyyymmdd}`` (one recipient's), a ``count`` added to atomically, expiring
  through TTL
* the daily digest is a notice too (subject the clinic, event ``daily_digest-{yyyymmdd}``): once a day
* clinic settings: ``CLINIC#{clinicId}`` / ``SETTINGS``, in gsi2 ``CLINICS`` / ``{clinicId}`` (the clinics the
  retention purge goes through); while the clinic names a notice recipient, gsi3
  ``NOTIFY#CLINICS`` / ``{clinicId}`` (the clinics a daily digest may go to)
* consultation lock: ``CONSULT#{clinicId}#{consultationId}`` / ``LOCK``, naming the consultation's latest call; a
  new call of the consultation may take it over only once that call is terminal (or gone)
* idempotency record: ``IDEMPOTENCY#{clinicId}#{key}`` / ``IDEMPOTENCY``, expiring through TTL
* the Retell account's breaker: ``BREAKER#RETELL`` / ``BREAKER``, present while the account cannot place calls
* dialing leases: ``LEASES#CLINIC#{clinicId}`` and ``LEASES#WORKSPACE`` / ``LEASES``, a map of call id to the
  epoch second its lease expires (the calls in flight)
* do-not-call entry: ``DNC#{clinicId}`` / ``NUMBER#{digits}`` (the E.164 number without ``+``): one partition per
  clinic, so the list is one query and "is this number listed" one read
* dials to one number: ``DIALS#{clinicId}#{digits}`` / ``DIALS``, a map of dial key to the epoch second of the dial
  (the last 24 hours' dials, for the cap), a ``version`` for its conditional writes, expiring through TTL
* answer rates (``shared.domain.answer_rates``): ``ANSWERS#{clinicId}`` (one clinic's) and ``ANSWERS`` (every
  clinic's) / ``DAY#{yyyy-mm-dd}`` (a UTC day), a counter pair per owner-local cell added to atomically
  (``d{weekday}{hh}`` dials, ``a{weekday}{hh}`` answered), expiring through TTL a little over a year on: a period of
  days is one query of a partition
* a clinic's request budget (``shared.logic.request_budget``): ``BUDGET#{clinicId}#{windowStart}`` / ``BUDGET``, the
  count of the clinic's API requests in the fixed window that starts at ``windowStart`` (epoch seconds), expiring
  through TTL: one item per clinic and window, so no clinic's counting touches another's key

Every value put between delimiters is checked by ``_part``: no ``#``, nothing outside ``[A-Za-z0-9_.:-]``
(``shared.models.ids``), so no value can contain or imitate a delimiter and reach another tenant's item.
"""

import zlib

from shared.models.ids import is_key_part

PARTITION_KEY = "pk"
SORT_KEY = "sk"
CALL_SORT_KEY = "CALL"
CLINIC_CALLS_INDEX = "gsi1"
CLINIC_CALLS_PARTITION_KEY = "gsi1pk"
CLINIC_CALLS_SORT_KEY = "gsi1sk"
TTL_ATTRIBUTE = "expiresAt"
OPEN_WORK_INDEX = "gsi2"
OPEN_WORK_PARTITION_KEY = "gsi2pk"
OPEN_WORK_SORT_KEY = "gsi2sk"
FOLLOW_UP_INDEX = "gsi3"
FOLLOW_UP_PARTITION_KEY = "gsi3pk"
FOLLOW_UP_SORT_KEY = "gsi3sk"
PENDING_NOTICES_PARTITION = "NOTICES#PENDING"
"""The operators' pending notices (and those recorded before pending notices were partitioned per clinic)."""
NUMBER_INDEX = "gsi4"
NUMBER_PARTITION_KEY = "gsi4pk"
OPEN_WORK_SHARDS = 4
OPEN_WORK_ATTRIBUTES = ("clinicId", "callId")
"""What the open-work index projects besides the keys: enough to read the call, nothing personal."""
LIST_STATUS = "listStatus"
"""The status the clinic index holds: a terminal status as it is, ``open`` for the others (scheduled, claimed,
connected). Moving from one open status to another (a dial's claim, the owner picking up) thus changes no attribute
the index projects, and does not write the index: two write units an answered call."""
OPEN_LIST_STATUS = "open"
CLINIC_CALLS_ATTRIBUTES = (
    "callId",
    "petName",
    "ownerName",
    LIST_STATUS,
    "outcome",
    "statusReason",
    "attempt",
    "maxAttempts",
)
"""What the clinic index projects besides the keys: the overview's columns and the list's status filter. The list
reads the calls themselves by key (one ``BatchGetItem`` a page), so a write that changes none of these (a dial's
Retell id, an analysis, a claim) does not write the index. ``scheduledFor`` is not stored beside the index's sort
key that begins with it (``scheduled_for_of``): an item under 1 KB is one write unit a write."""
CALL_ATTRIBUTES = tuple(
    name
    for name in (*CLINIC_CALLS_ATTRIBUTES, "status", "clinicId", "version", "scheduleToken")
    if name not in ("callId", LIST_STATUS)
)
"""The call's fields stored as attributes (keys, conditions and projections name them); the others are stored in
``CALL_BODY``, compressed, except ``callId``, which the key holds (``call_id_of``), and ``LIST_STATUS``, which is
derived from the status."""
CALL_BODY = "body"


class UnsafeKeyPart(ValueError):
    """A value that could contain or imitate a key delimiter reached a key builder: the edge let it through."""


def _part(value: str) -> str:
    if not is_key_part(value):
        raise UnsafeKeyPart("a key part must be 1 to 128 characters of [A-Za-z0-9_.:-]")
    return value


def call_key(call_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"CALL#{_part(call_id)}", SORT_KEY: CALL_SORT_KEY}


def scheduled_for_of(entry: dict[str, str]) -> str:
    """A call's ``scheduledFor`` from its clinic index sort key (``{scheduledFor}#{callId}``)."""
    return entry[CLINIC_CALLS_SORT_KEY].split("#", 1)[0]


def call_id_of(key: dict[str, str]) -> str:
    """The call id in a call item's key (its index entries carry the table's key too)."""
    return key[PARTITION_KEY].removeprefix("CALL#")


def settings_key(clinic_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"CLINIC#{_part(clinic_id)}", SORT_KEY: "SETTINGS"}


def consultation_lock_key(clinic_id: str, consultation_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"CONSULT#{_part(clinic_id)}#{_part(consultation_id)}", SORT_KEY: "LOCK"}


def idempotency_key(clinic_id: str, key: str) -> dict[str, str]:
    return {PARTITION_KEY: f"IDEMPOTENCY#{_part(clinic_id)}#{_part(key)}", SORT_KEY: "IDEMPOTENCY"}


def clinic_calls_partition(clinic_id: str) -> str:
    return f"CLINIC#{_part(clinic_id)}"


def clinic_leases_key(clinic_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"LEASES#CLINIC#{_part(clinic_id)}", SORT_KEY: "LEASES"}


def workspace_leases_key(shard: int = 0) -> dict[str, str]:
    """One shard of the workspace's pool; shard 0 keeps the key the pool had when it was a single item."""
    if shard < 0:
        raise ValueError("a shard is a non-negative number")
    return {PARTITION_KEY: "LEASES#WORKSPACE" + (f"#{shard}" if shard else ""), SORT_KEY: "LEASES"}


def open_work_partition(call_id: str) -> str:
    return f"OPEN#{zlib.crc32(_part(call_id).encode()) % OPEN_WORK_SHARDS}"


def open_work_partitions() -> list[str]:
    return [f"OPEN#{shard}" for shard in range(OPEN_WORK_SHARDS)]


def account_breaker_key() -> dict[str, str]:
    return {PARTITION_KEY: "BREAKER#RETELL", SORT_KEY: "BREAKER"}


def notice_stream_filters() -> list[dict[str, object]]:
    """The stream records the notices function is given (Lambda's event filter patterns, any one matching): a call
    written, and the Retell account's breaker written. Everything else (request counters, leases, notices
    themselves) never invokes it."""
    breaker = account_breaker_key()
    written = ["INSERT", "MODIFY"]
    return [
        {"eventName": written, "dynamodb": {"Keys": {SORT_KEY: {"S": [CALL_SORT_KEY]}}}},
        {
            "eventName": written,
            "dynamodb": {
                "Keys": {PARTITION_KEY: {"S": [breaker[PARTITION_KEY]]}, SORT_KEY: {"S": [breaker[SORT_KEY]]}}
            },
        },
    ]


def _digits(phone_number: str) -> str:
    """An E.164 number as a key part: its digits (``+`` is not a key character)."""
    return _part(phone_number.removeprefix("+"))


def do_not_call_partition(clinic_id: str) -> str:
    return f"DNC#{_part(clinic_id)}"


def do_not_call_key(clinic_id: str, phone_number: str) -> dict[str, str]:
    return {PARTITION_KEY: do_not_call_partition(clinic_id), SORT_KEY: f"NUMBER#{_digits(phone_number)}"}


def number_dials_key(clinic_id: str, phone_number: str) -> dict[str, str]:
    return {PARTITION_KEY: f"DIALS#{_part(clinic_id)}#{_digits(phone_number)}", SORT_KEY: "DIALS"}


def text_tally_key(clinic_id: str, day: str) -> dict[str, str]:
    """The clinic's text tally of one clinic-local day (``YYYY-MM-DD``)."""
    return {PARTITION_KEY: f"TEXTS#{_part(clinic_id)}", SORT_KEY: f"DAY#{day}"}


def request_budget_key(clinic_id: str, window_start: int) -> dict[str, str]:
    """The counter of the clinic's requests in the window that starts at ``window_start`` (epoch seconds)."""
    if window_start < 0:
        raise ValueError("a window starts at a non-negative epoch second")
    return {PARTITION_KEY: f"BUDGET#{_part(clinic_id)}#{window_start}", SORT_KEY: "BUDGET"}


def answer_counts_partition(clinic_id: str | None) -> str:
    """One clinic's answer counts, or (``None``) every clinic's: ``#`` never occurs in a clinic id, so neither
    can be the other."""
    return "ANSWERS" if clinic_id is None else f"ANSWERS#{_part(clinic_id)}"


def answer_counts_day(day: str) -> str:
    return f"DAY#{_part(day)}"


def follow_up_partition(clinic_id: str) -> str:
    return f"FOLLOWUP#{_part(clinic_id)}"


def notice_key(subject: str, event: str, channel: str, recipient_digest: str) -> dict[str, str]:
    """One notice: ``subject`` is a call id, a clinic id or ``RETELL``, ``event`` its event (with the incident's
    id for events that may recur), the recipient as a digest (no address in a key)."""
    return {
        PARTITION_KEY: f"NOTICE#{_part(subject)}#{_part(event)}",
        SORT_KEY: f"TO#{_part(channel)}#{_part(recipient_digest)}",
    }


def pending_notices_partition(clinic_id: str | None) -> str:
    """The follow-up index's partition of one clinic's notices still to be delivered (``None``: the operators')."""
    return PENDING_NOTICES_PARTITION if clinic_id is None else f"{PENDING_NOTICES_PARTITION}#{_part(clinic_id)}"


def notice_cursor_key(name: str) -> dict[str, str]:
    """Where a run of the notices function (``sweep``, ``digest``) stopped."""
    return {PARTITION_KEY: "NOTICES#CURSOR", SORT_KEY: _part(name)}


def clinic_emails_key(clinic_id: str, hour: str) -> dict[str, str]:
    """The e-mails one clinic's notices sent in one UTC hour (``yyyymmddhh``)."""
    return {PARTITION_KEY: f"EMAILS#{_part(clinic_id)}", SORT_KEY: f"HOUR#{_part(hour)}"}


def recipient_emails_key(clinic_id: str, recipient_digest: str, day: str) -> dict[str, str]:
    """The e-mails one recipient of one clinic received on one UTC day (``yyyymmdd``)."""
    return {PARTITION_KEY: f"EMAILS#{_part(clinic_id)}", SORT_KEY: f"TO#{_part(recipient_digest)}#DAY#{_part(day)}"}


def clinics_with_recipients_partition() -> str:
    """The follow-up index's partition of the settings of clinics that name a notice recipient (a stored value:
    renaming it would drop every clinic already in it from the daily digest)."""
    return "NOTIFY#CLINICS"


def texts_due_partition(clinic_id: str) -> str:
    """The open-work index's partition of a clinic's final calls whose texts or Retell copies are still to remove."""
    return f"TEXTS#{_part(clinic_id)}"


def kept_partition(clinic_id: str) -> str:
    """The open-work index's partition of a clinic's final calls already without texts, until they are removed."""
    return f"KEPT#{_part(clinic_id)}"


def clinics_partition() -> str:
    """The open-work index's partition of every clinic's settings (a stored value: the purge's list of clinics)."""
    return "CLINICS"


def number_partition(clinic_id: str, number_digest: str) -> str:
    return f"NUMBER#{_part(clinic_id)}#{_part(number_digest)}"


def number_digest_of(partition: str) -> str:
    """The number's digest in a call's number index partition (``number_partition``)."""
    return partition.rsplit("#", 1)[1]
