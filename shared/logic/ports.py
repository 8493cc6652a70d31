"""The ports the use cases depend on, and the values and errors that cross them.

Each ``Protocol`` is the whole of what the logic needs from one outside system. The adapters (DynamoDB in
``shared.dal``, Scheduler, Lambda and Retell in ``shared.adapters``) implement them; ``tests/support/fakes.py``
implements them in memory with the same contract (conditional writes fail with the same ``StaleWrite``), and a
shared contract test runs the same cases against both, so a fake cannot drift from the real thing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from shared.models.call import Call, CallOutcome, CallStatus
from shared.models.execution import ExecuteAction
from shared.models.queries import CallQuery, CallRef
from shared.models.retell import RetellCall
from shared.models.safety import DoNotCallEntry
from shared.models.settings import ClinicSettings

if TYPE_CHECKING:
    # Named in annotations only: importing them here would load the dialing rules and execute's request model into
    # every function that uses a port, the webhook too, which neither dials nor invokes execute.
    from shared.domain.answer_rates import AnswerTally, Cell, CellCounts
    from shared.domain.dialing import DialSpec
    from shared.domain.retention import PurgeStage
    from shared.domain.texts import ChatSpec
    from shared.models.execution import ExecuteRequest
    from shared.models.retell import RetellChat

Clock = Callable[[], datetime]
"""Now, as an aware UTC datetime."""
TokenSource = Callable[[], str]
"""A fresh random token (schedule tokens, call ids)."""


# -- calls -------------------------------------------------------------------------------------------------------


class StaleWrite(Exception):
    """The call changed since it was read (or vanished); ``current`` is what is stored now, if anything."""

    def __init__(self, current: Call | None):
        super().__init__("conditional write lost")
        self.current = current


@dataclass(frozen=True)
class IdempotencyRecord:
    """The first answer to a request made with an ``Idempotency-Key``, replayed to repeats of it."""

    clinic_id: str
    key: str
    request_hash: str
    status_code: int
    response_body: str
    expires_at: int  # epoch seconds; the store forgets the record some time after


class IdempotencyKeyUsed(Exception):
    def __init__(self, record: IdempotencyRecord):
        super().__init__("idempotency key already used")
        self.record = record


@dataclass(frozen=True)
class CallSummary:
    """The attributes of a call the overview reads."""

    call_id: str
    pet_name: str
    owner_name: str
    scheduled_for: datetime
    status: CallStatus
    outcome: CallOutcome | None
    status_reason: str | None
    attempt: int
    max_attempts: int


class CallSummaries(Protocol):
    def between(self, clinic_id: str, start: datetime, end: datetime, limit: int) -> tuple[list[CallSummary], bool]:
        """The clinic's calls with ``start <= scheduledFor < end``, at most ``limit``, and whether more were left."""


class TextTallies(Protocol):
    """How many of a clinic's texts went out, and how many of those the owner answered, per clinic-local day."""

    def add(self, clinic_id: str, day: date, *, sent: int, replied: int) -> None: ...

    def totals(self, clinic_id: str, days: Sequence[date]) -> tuple[int, int]:
        """Texts sent and replied to over ``days``."""


class CallStore(Protocol):
    def get(self, clinic_id: str, call_id: str) -> Call | None:
        """The call, if it exists *and* belongs to ``clinic_id``."""

    def list_for_clinic(self, query: CallQuery) -> tuple[list[Call], str | None]:
        """The clinic's calls by ``scheduledFor`` ascending, and a token for the next page (``InvalidNextToken``
        for a token this store did not issue for this query)."""

    def list_follow_ups(self, clinic_id: str, limit: int, next_token: str | None) -> tuple[list[Call], str | None]:
        """The clinic's calls that need follow-up, most recently flagged first, and a token for the next page."""

    def get_idempotency_record(self, clinic_id: str, key: str, now: datetime) -> IdempotencyRecord | None: ...

    def create(self, call: Call, idempotency: IdempotencyRecord | None = None) -> None:
        """Store a new call with its consultation lock and idempotency record, all or nothing.
        ``DuplicateConsultation`` if the consultation has an active call; ``IdempotencyKeyUsed`` if the key was
        used (with the first answer)."""

    def replace(self, call: Call, *, expected: Call) -> None:
        """Write ``call`` over ``expected`` if its version, status and clinic are unchanged, else ``StaleWrite``.
        A terminal status frees the consultation for a new call."""

    def live_attempts(self, lease_attempts: dict[str, int | None]) -> set[str]:
        """Of the calls in ``lease_attempts`` (call id -> the attempt that took a dialing lease; ``None``: any), those
        whose attempt is still claimed or connected (``lifecycle.holds_dialing_lease``)."""

    def due_for_check(self, now: datetime, limit: int) -> list[CallRef]:
        """Calls whose reconciliation check (``shared.domain.reconciliation.check_due``) is due at ``now``, at most
        about ``limit``, oldest first; read from an index of the open work only, never by scanning."""


class RetentionStore(Protocol):
    """What the retention purge and an erasure find and remove (``shared.dal.retention``): from indexes, never a
    scan."""

    def clinics(self) -> list[str]:
        """Every clinic with stored settings."""

    def final_before(self, clinic_id: str, stage: PurgeStage, before: datetime, limit: int) -> list[CallRef]:
        """The clinic's calls at ``stage`` that became final at or before ``before``, oldest first, at most
        ``limit``."""

    def calls_to_number(self, clinic_id: str, number_digest: str) -> list[CallRef]:
        """The clinic's calls to the number with this digest."""

    def remove(self, call: Call) -> bool:
        """Delete the call if it is still the version read; ``False`` if it changed or is gone."""


class RetellCopies(Protocol):
    def delete_call(self, retell_call_id: str) -> None:
        """Ask Retell to delete its copy of the call (the recording with it); a call Retell no longer has counts as
        deleted. ``RetellUnavailable`` if Retell could not be asked (asked again later)."""

    def delete_chat(self, chat_id: str) -> None:
        """The same for a text's chat."""


class SettingsStore(Protocol):
    def get(self, clinic_id: str) -> ClinicSettings | None: ...

    def put(self, clinic_id: str, settings: ClinicSettings, *, updated_by: str, now: datetime) -> None: ...


# -- dialing -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaseLimits:
    clinic: int
    workspace: int
    duration: timedelta


class DialLeases(Protocol):
    """At most ``limits.clinic`` calls of a clinic and ``limits.workspace`` overall in flight. A lease is in use while
    the attempt that took it is claimed or connected (``lifecycle.holds_dialing_lease``) and it has not expired: a
    call that ends frees its lease without a word to the lease pools."""

    def acquire(self, clinic_id: str, call_id: str, attempt: int, limits: LeaseLimits, now: datetime) -> bool:
        """Take a lease for the call's ``attempt`` (again, if the call holds one); ``False`` if a pool's every lease
        is in use."""

    def release(self, clinic_id: str, call_id: str) -> None:
        """Return the call's leases at once, before its attempt is over (a claim that dialed nothing); releasing one
        not held is fine."""


class DialRateLimited(Exception):
    """Retell said 429: no call was created; try the same attempt again later."""


class DialRejected(Exception):
    """Retell refused the dial for good (4xx): no call was created, and repeating it would not help."""

    def __init__(self, status: int, message: str):
        super().__init__(f"Retell answered {status}: {message}")
        self.status = status


class DialAccountBlocked(Exception):
    """Retell refused the dial because of the account (401 key revoked, 402 billing, 403 forbidden): no call was
    created, and no call will be until the account works again. Not the call's fault."""

    def __init__(self, status: int, message: str):
        super().__init__(f"Retell answered {status}: {message}")
        self.status = status


class DialOutcomeUnknown(Exception):
    """The dial may or may not have placed a call (timeout, dropped connection, 408, 409, 5xx)."""


class RetellUnavailable(Exception):
    """Retell could not answer a question about a call (an error, a timeout): try again later."""


class TextRefused(Exception):
    """Retell refused to start the chat (a 4xx): nothing was sent."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status}: {message}")
        self.status = status


class Texter(Protocol):
    """Retell's SMS chats: start one, read one, find one by the call it belongs to, delete one."""

    def start_chat(self, spec: ChatSpec) -> str:
        """Start the chat (Retell sends the first text); its chat id. ``TextRefused`` if Retell said no;
        ``RetellUnavailable`` if the outcome is unknown (it may have started: never resent)."""

    def get_chat(self, chat_id: str) -> RetellChat | None:
        """The chat as Retell has it; ``None`` if Retell has no such chat."""

    def find_chat(self, to_number: str, call_id: str, since: datetime) -> RetellChat | None:
        """The chat Retell started for ``call_id`` to ``to_number`` since ``since``, if any."""

    def delete_chat(self, chat_id: str) -> None:
        """Delete Retell's copy of the chat; one that is gone already is fine."""


class Dialer(Protocol):
    def dial(self, spec: DialSpec) -> str:
        """Place the call; Retell's call id. ``DialRateLimited``, ``DialRejected``, ``DialAccountBlocked`` or
        ``DialOutcomeUnknown``."""

    def find(self, dial_key: str) -> str | None:
        """The Retell call placed with this dial key (in our metadata), if Retell lists one; ``DialOutcomeUnknown``
        if it can't tell."""

    def get_call(self, retell_call_id: str) -> RetellCall | None:
        """Retell's record of the call as it is now (``None``: Retell does not know it); ``RetellUnavailable``."""


@dataclass(frozen=True)
class BreakerState:
    """The Retell account's breaker: open while the account cannot place calls (``probe_at``: when a dial may next
    try whether it can)."""

    open: bool
    reason: str | None = None
    opened_at: datetime | None = None
    probe_at: datetime | None = None


CLOSED_BREAKER = BreakerState(open=False)


class AccountBreaker(Protocol):
    """One per deployment (one Retell account): shared by every execute and webhook invocation."""

    def state(self) -> BreakerState: ...

    def trip(self, reason: str, now: datetime, probe_at: datetime) -> bool:
        """Open the breaker; ``True`` if this opened it (it was closed), ``False`` if it was open already."""

    def take_probe(self, now: datetime, next_probe_at: datetime) -> bool:
        """While open and the probe is due, claim it (one caller wins) and move the next probe on."""

    def reset(self) -> None:
        """Close it: the account placed a call again."""


# -- starting attempts -------------------------------------------------------------------------------------------


MAX_SCHEDULE_NAME_LENGTH = 64
"""Scheduler's limit on a schedule's name."""


@dataclass(frozen=True)
class PendingAttempt:
    """What a schedule hands to the execute function; its claim only succeeds if all of it is still current.
    ``action``: ``dial`` starts the attempt; ``text`` sends the call's text (``token`` is then the text's)."""

    call_id: str
    clinic_id: str
    attempt: int
    token: str
    fire_at: datetime
    action: ExecuteAction = ExecuteAction.DIAL

    @property
    def schedule_name(self) -> str:
        if self.action == ExecuteAction.TEXT:
            return text_schedule_name(self.call_id, self.token)
        return schedule_name(self.call_id, self.attempt, self.token)


def new_schedule_token() -> str:
    return secrets.token_hex(5)


def schedule_name(call_id: str, attempt: int, token: str) -> str:
    """The schedule's name: the call, the attempt and the call's token, so that a replaced schedule never shares a
    name with its successor."""
    name = f"call-{call_id}-a{attempt}-{token}"
    if len(name) > MAX_SCHEDULE_NAME_LENGTH:
        raise ValueError(f"schedule name {name!r} is longer than {MAX_SCHEDULE_NAME_LENGTH} characters")
    return name


def text_schedule_name(call_id: str, token: str) -> str:
    """The name of the schedule that sends the call's text."""
    return f"text-{call_id}-{token}"


class AttemptScheduler(Protocol):
    """One-shot schedules, each firing the execute function once with a ``PendingAttempt``."""

    def place(self, pending: PendingAttempt) -> None:
        """Create the schedule (placing the same one twice is fine)."""

    def remove(self, name: str) -> None:
        """Delete the schedule; removing one that is gone is fine."""


class ExecuteInvoker(Protocol):
    def invoke(self, request: ExecuteRequest) -> None:
        """Start the execute function on ``request`` now, asynchronously."""


# -- calling safety ----------------------------------------------------------------------------------------------


class DoNotCallStore(Protocol):
    """A clinic's do-not-call list, one entry per E.164 number."""

    def get(self, clinic_id: str, phone_number: str) -> DoNotCallEntry | None: ...

    def page(self, clinic_id: str, limit: int, next_token: str | None) -> tuple[list[DoNotCallEntry], str | None]:
        """At most ``limit`` entries of the clinic, by number, from where ``next_token`` left off, and a token for the
        next page (``None`` on the last; ``InvalidNextToken`` for a token this store did not issue for the clinic's
        list)."""

    def add(self, clinic_id: str, entry: DoNotCallEntry, *, replace: bool) -> bool:
        """Store the entry; ``replace=False`` keeps an entry already there. ``True`` if this wrote it."""

    def remove(self, clinic_id: str, phone_number: str) -> bool:
        """``True`` if the number was listed."""


class DialCap(Protocol):
    """At most ``limit`` dials to one number in any 24 hours across a clinic's calls, decided atomically."""

    def take(self, clinic_id: str, phone_number: str, dial_key: str, limit: int, now: datetime) -> datetime | None:
        """Count the dial ``dial_key`` (once, however often asked) and return ``None``; or, if it would make more
        than ``limit``, count nothing and return when the window frees."""

    def give_back(self, clinic_id: str, phone_number: str, dial_key: str) -> None:
        """Uncount a dial that placed no call (Retell refused it); one not counted is fine."""


# -- answer rates ------------------------------------------------------------------------------------------------


class AnswerCounters(Protocol):
    """Dials and answers counted per clinic (and for every clinic together), per UTC day and owner-local cell."""

    def add(self, clinic_id: str, tallies: list[AnswerTally]) -> None:
        """Add ``tallies`` to the clinic's counts and to every clinic's (atomic additions: no read first)."""

    def history(self, clinic_id: str | None, since: date) -> dict[Cell, CellCounts]:
        """The counts of UTC days ``since`` and after, summed by cell: one clinic's, or (``None``) every clinic's."""


# -- the API's request budget ------------------------------------------------------------------------------------


class CountersUnavailable(Exception):
    """The request counters could not be read or written (the table throttled, a network fault)."""


class ClinicRequestCounters(Protocol):
    """Each clinic's requests to the API, counted atomically per fixed window: one counter per clinic and window."""

    def count(self, clinic_id: str, window_start: datetime, limit: int, expires_at: datetime) -> bool:
        """Count one request in the clinic's window that starts at ``window_start`` if the window holds fewer than
        ``limit``; ``False`` (nothing counted) if it is full. The counter may be forgotten after ``expires_at``.
        ``CountersUnavailable`` if the count could not be made."""


# -- notices ---------------------------------------------------------------------------------------------------


class NoticeState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    GAVE_UP = "gave_up"


@dataclass(frozen=True)
class Notice:
    """One message for one recipient about one event. ``subject_id`` (a call, a clinic or ``RETELL``),
    ``event_key`` (the occurrence), ``channel`` and ``recipient_id`` (a digest of the address) make its key."""

    subject_id: str
    event_key: str
    event: str
    clinic_id: str | None
    call_id: str | None
    channel: str  # "email" | "chat"
    to: str
    recipient_id: str
    subject: str
    text: str
    html: str
    created_at: datetime


@dataclass(frozen=True)
class StoredNotice:
    notice: Notice
    state: NoticeState
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None


class NoticeStore(Protocol):
    def record(self, notice: Notice, now: datetime) -> bool:
        """Store the notice (pending, due now) unless it exists; ``False`` if it did."""

    def claim(self, notice: Notice, now: datetime, lease: timedelta) -> StoredNotice | None:
        """Lease the notice for delivery if it is pending, due and not leased (or its lease expired: the deliverer
        that held it hung or died), counting the attempt now, so an attempt that never ends is counted too;
        ``None`` otherwise."""

    def mark_sent(self, notice: Notice, now: datetime) -> None: ...

    def mark_failed(self, notice: Notice, now: datetime, next_attempt_at: datetime | None, error: str) -> None:
        """The claimed attempt failed: due again at ``next_attempt_at``, or given up (``None``)."""

    def hold(self, notice: Notice, until: datetime, reason: str) -> None:
        """Put a claimed notice back unsent, due at ``until``, its attempt uncounted (a rate limit held it)."""

    def due(self, clinic_id: str | None, now: datetime, limit: int) -> list[StoredNotice]:
        """One clinic's (``None``: the operators') pending notices due by ``now``, oldest first."""

    def cursor(self, name: str) -> str | None:
        """Where the last run named ``name`` stopped (``None``: never ran)."""

    def save_cursor(self, name: str, position: str) -> None: ...


class EmailRateLimits(Protocol):
    """At most ``per_clinic_hour`` e-mails of one clinic in a UTC hour and ``per_recipient_day`` to one recipient in
    a UTC day, counted atomically (concurrent deliverers never pass a limit together)."""

    def take(self, clinic_id: str, recipient_id: str, now: datetime) -> datetime | None:
        """Count one e-mail and return ``None``; or, over a limit, return when its window ends."""


class ChannelFailed(Exception):
    """A channel did not take the message (a timeout, a refusal): worth trying again later."""


class NoticeChannel(Protocol):
    def send(self, notice: Notice) -> None:
        """Hand the message over; ``ChannelFailed`` if it was not taken."""


class ClinicsWithRecipients(Protocol):
    def clinics_with_recipients(self) -> list[str]:
        """The clinics whose settings name a notice recipient."""


class ReadAhead(Protocol):
    """Reads a step is known to need, made in one request before it (the block serves them); a no-op is correct."""

    def for_schedule(
        self, clinic_id: str, phone_number: str, idempotency_key: str | None
    ) -> AbstractContextManager[None]:
        """The clinic's settings, the number's do-not-call entry and the request's idempotency record, if it has a
        key."""
        ...

    def for_dial(self, clinic_id: str, phone_number: str) -> AbstractContextManager[None]:
        """The settings, the do-not-call entry, the Retell account's breaker and the number's dial count."""
        ...

    def for_call_end(self, clinic_id: str, call_id: str) -> AbstractContextManager[None]:
        """The call and its clinic's settings (an end is judged by the clinic's retry rules)."""
        ...


class NoReadAhead:
    """Reads each item when it is needed (the in-memory stores, and anything that does not care)."""

    def for_schedule(
        self, clinic_id: str, phone_number: str, idempotency_key: str | None
    ) -> AbstractContextManager[None]:
        return nullcontext()

    def for_dial(self, clinic_id: str, phone_number: str) -> AbstractContextManager[None]:
        return nullcontext()

    def for_call_end(self, clinic_id: str, call_id: str) -> AbstractContextManager[None]:
        return nullcontext()
