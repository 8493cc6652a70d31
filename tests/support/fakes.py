"""In-memory implementations of the ports in ``shared.logic.ports``, for unit tests of the services.

Each honours its port's contract as the real adapter does (``tests/integration/test_port_contracts.py`` runs the
same cases against both): conditional writes fail with ``StaleWrite`` carrying what is stored, a consultation lock
refuses a second active call, an idempotency key replays its first answer, lease pools fill up and expire.
Stored calls are copies, so a service cannot change what is "in the table" by mutating an object it holds.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence as Seq
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from shared.domain import lifecycle, retention
from shared.domain.answer_rates import AnswerTally, Cell, CellCounts
from shared.domain.calling_safety import dial_cap_frees_at, recent_dials
from shared.domain.dialing import DialSpec
from shared.domain.reconciliation import check_due
from shared.domain.retention import PurgeStage
from shared.domain.texts import ChatSpec
from shared.logic.ports import (
    CLOSED_BREAKER,
    BreakerState,
    CallSummary,
    ChannelFailed,
    CountersUnavailable,
    DialAccountBlocked,
    DialOutcomeUnknown,
    DialRateLimited,
    DialRejected,
    IdempotencyKeyUsed,
    IdempotencyRecord,
    LeaseLimits,
    Notice,
    NoticeState,
    PendingAttempt,
    RetellUnavailable,
    StaleWrite,
    StoredNotice,
    TextRefused,
)
from shared.models.call import Call
from shared.models.errors import DuplicateConsultation, InvalidNextToken
from shared.models.execution import ExecuteRequest
from shared.models.queries import CallQuery, CallRef
from shared.models.retell import RetellCall, RetellChat
from shared.models.safety import DoNotCallEntry
from shared.models.settings import ClinicSettings


class FakeClock:
    """A settable ``now`` (aware, UTC)."""

    def __init__(self, now: str = "2026-11-23T17:30:00+00:00"):
        self.now = datetime.fromisoformat(now).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Sequence:
    """Predictable ids and tokens: ``prefix-1``, ``prefix-2``, ..."""

    def __init__(self, prefix: str):
        self._prefix, self._count = prefix, 0

    def __call__(self) -> str:
        self._count += 1
        return f"{self._prefix}{self._count}"


class InMemoryCallStore:
    def __init__(self) -> None:
        self.calls: dict[str, Call] = {}
        self.locks: dict[tuple[str, str], str] = {}
        self.idempotency: dict[tuple[str, str], IdempotencyRecord] = {}
        self.writes = 0

    def get(self, clinic_id: str, call_id: str) -> Call | None:
        call = self.calls.get(call_id)
        return call.model_copy(deep=True) if call is not None and call.clinic_id == clinic_id else None

    def list_for_clinic(self, query: CallQuery) -> tuple[list[Call], str | None]:
        matching = sorted(
            (
                call
                for call in self.calls.values()
                if call.clinic_id == query.clinic_id
                and (not query.statuses or call.status in query.statuses)
                and (query.scheduled_from is None or call.scheduled_for >= query.scheduled_from)
                and (query.scheduled_to is None or call.scheduled_for <= query.scheduled_to)
            ),
            key=lambda call: (call.scheduled_for, call.call_id),
        )
        start = self._start(query)
        page = matching[start : start + query.limit]
        more = start + query.limit < len(matching)
        token = f"{start + query.limit}.{self._tag(query)}" if more else None
        return [call.model_copy(deep=True) for call in page], token

    def list_follow_ups(self, clinic_id: str, limit: int, next_token: str | None) -> tuple[list[Call], str | None]:
        flagged = sorted(
            (call for call in self.calls.values() if call.clinic_id == clinic_id and call.needs_follow_up),
            key=lambda call: (call.flagged_at or call.updated_at, call.call_id),
            reverse=True,
        )
        start = int(next_token) if next_token else 0
        page = flagged[start : start + limit]
        token = str(start + limit) if start + limit < len(flagged) else None
        return [call.model_copy(deep=True) for call in page], token

    def get_idempotency_record(self, clinic_id: str, key: str, now: datetime) -> IdempotencyRecord | None:
        record = self.idempotency.get((clinic_id, key))
        return record if record is not None and record.expires_at > now.timestamp() else None

    def create(self, call: Call, idempotency: IdempotencyRecord | None = None) -> None:
        if call.call_id in self.calls:
            raise RuntimeError(f"call {call.call_id} exists")  # ids are random: a collision is a bug
        if idempotency is not None:
            used = self.get_idempotency_record(idempotency.clinic_id, idempotency.key, call.created_at)
            if used is not None:
                raise IdempotencyKeyUsed(used)
        consultation = call.metadata.consultation_id
        if consultation:
            holder = self.locks.get((call.clinic_id, consultation))
            holding = self.calls.get(holder) if holder else None
            if holder is not None and holding is not None and not holding.status.is_terminal:
                raise DuplicateConsultation(holder, consultation)
            self.locks[(call.clinic_id, consultation)] = call.call_id
        if idempotency is not None:
            self.idempotency[(idempotency.clinic_id, idempotency.key)] = idempotency
        self.calls[call.call_id] = call.model_copy(deep=True)
        self.writes += 1

    def live_attempts(self, lease_attempts: dict[str, int | None]) -> set[str]:
        return {
            call_id
            for call_id, attempt in lease_attempts.items()
            if (call := self.calls.get(call_id)) is not None
            and lifecycle.holds_dialing_lease(call.status, call.attempt, attempt)
        }

    def consultation_is_free(self, clinic_id: str, consultation_id: str) -> bool:
        """Whether a new call of the consultation may be created: its lock names no call that is still open."""
        holding = self.calls.get(self.locks.get((clinic_id, consultation_id), ""))
        return holding is None or holding.status.is_terminal

    def replace(self, call: Call, *, expected: Call) -> None:
        current = self.calls.get(call.call_id)
        if (
            current is None
            or current.version != expected.version
            or current.status != expected.status
            or current.clinic_id != expected.clinic_id
        ):
            raise StaleWrite(current.model_copy(deep=True) if current is not None else None)
        self.calls[call.call_id] = call.model_copy(deep=True)
        self.writes += 1

    def due_for_check(self, now: datetime, limit: int) -> list[CallRef]:
        due = []
        for call in self.calls.values():
            check = check_due(call)
            if check is not None and check.at <= now:
                due.append((check.at, call.call_id, CallRef(call.clinic_id, call.call_id)))
        return [ref for _, _, ref in sorted(due, key=lambda entry: (entry[0], entry[1]))][:limit]

    @staticmethod
    def _tag(query: CallQuery) -> str:
        return hashlib.sha256(query.binding().encode()).hexdigest()[:16]

    def _start(self, query: CallQuery) -> int:
        if not query.next_token:
            return 0
        offset, _, tag = query.next_token.partition(".")
        if not offset.isdigit() or tag != self._tag(query):
            raise InvalidNextToken
        return int(offset)


class InMemoryCallSummaries:
    """``CallSummaries`` over an in-memory call store's calls."""

    def __init__(self, store: InMemoryCallStore):
        self._store = store

    def between(self, clinic_id: str, start: datetime, end: datetime, limit: int) -> tuple[list[CallSummary], bool]:
        calls = sorted(
            (c for c in self._store.calls.values() if c.clinic_id == clinic_id and start <= c.scheduled_for < end),
            key=lambda c: c.scheduled_for,
        )
        summaries = [
            CallSummary(
                call_id=c.call_id,
                pet_name=c.pet_name,
                owner_name=c.owner_name,
                scheduled_for=c.scheduled_for,
                status=c.status,
                outcome=c.outcome,
                status_reason=c.status_reason,
                attempt=c.attempt,
                max_attempts=c.max_attempts,
            )
            for c in calls[:limit]
        ]
        return summaries, len(calls) > limit


class InMemorySettingsStore:
    def __init__(self) -> None:
        self.settings: dict[str, ClinicSettings] = {}
        self.updated_by: dict[str, str] = {}

    def get(self, clinic_id: str) -> ClinicSettings | None:
        stored = self.settings.get(clinic_id)
        return stored.model_copy(deep=True) if stored is not None else None

    def put(self, clinic_id: str, settings: ClinicSettings, *, updated_by: str, now: datetime) -> None:
        self.settings[clinic_id] = settings.model_copy(deep=True)
        self.updated_by[clinic_id] = updated_by

    def clinics_with_recipients(self) -> list[str]:
        return sorted(
            clinic
            for clinic, settings in self.settings.items()
            if settings.notifications.emails or settings.notifications.webhook_url
        )


class InMemoryRetentionStore:
    """The retention purge's and an erasure's indexes, over the in-memory calls and settings."""

    def __init__(self, calls: InMemoryCallStore, settings: InMemorySettingsStore) -> None:
        self._calls = calls
        self._settings = settings
        self.removed: list[str] = []

    def clinics(self) -> list[str]:
        return sorted(self._settings.settings)

    def final_before(self, clinic_id: str, stage: PurgeStage, before: datetime, limit: int) -> list[CallRef]:
        due = []
        for call in self._calls.calls.values():
            final = retention.final_time(call)
            if call.clinic_id != clinic_id or final is None or retention.purge_stage(call) != stage:
                continue
            copies_left = stage == PurgeStage.TEXTS and call.texts_removed_at is not None
            at = datetime.min.replace(tzinfo=UTC) if copies_left else final  # copies left: due at once
            if at <= before:
                due.append((at, call.call_id))
        return [CallRef(clinic_id, call_id) for _, call_id in sorted(due)][:limit]

    def calls_to_number(self, clinic_id: str, number_digest: str) -> list[CallRef]:
        return [
            CallRef(clinic_id, call.call_id)
            for call in self._calls.calls.values()
            if call.clinic_id == clinic_id and call.number_digest == number_digest
        ]

    def remove(self, call: Call) -> bool:
        current = self._calls.calls.get(call.call_id)
        if current is None or current.version != call.version or current.clinic_id != call.clinic_id:
            return False
        del self._calls.calls[call.call_id]
        self.removed.append(call.call_id)
        return True


WORKSPACE = "*workspace*"


class InMemoryDialLeases:
    """``DialLeases`` in memory: a lease counts while it has not expired and ``live`` says its attempt holds it
    (``InMemoryCallStore.live_attempts``; by default every attempt does, until it is released)."""

    def __init__(self, live: Callable[[dict[str, int | None]], set[str]] | None = None) -> None:
        self.pools: dict[str, dict[str, tuple[int, int]]] = {}  # pool -> call id -> (expiry, attempt)
        self._live = live or (lambda attempts: set(attempts))

    def acquire(self, clinic_id: str, call_id: str, attempt: int, limits: LeaseLimits, now: datetime) -> bool:
        expires = int((now + limits.duration).timestamp())
        pools = ((clinic_id, limits.clinic), (WORKSPACE, limits.workspace))
        for name, _ in pools:  # expired leases (a lost webhook) and attempts that are over stop counting
            pool = self.pools.setdefault(name, {})
            self.pools[name] = {held: lease for held, lease in pool.items() if held in self._in_use(pool, now)}
        if not all(call_id in self.pools[name] or len(self.pools[name]) < limit for name, limit in pools):
            return False
        for name, _ in pools:
            self.pools[name][call_id] = (expires, attempt)
        return True

    def release(self, clinic_id: str, call_id: str) -> None:
        for name in (clinic_id, WORKSPACE):
            self.pools.get(name, {}).pop(call_id, None)

    def held(self, clinic_id: str) -> dict[str, int]:
        pool = self.pools.get(clinic_id, {})
        return {held: pool[held][0] for held in self._in_use(pool, None)}

    def _in_use(self, pool: dict[str, tuple[int, int]], now: datetime | None) -> set[str]:
        current = {held: attempt for held, (until, attempt) in pool.items() if now is None or until > now.timestamp()}
        return self._live(dict(current)) & set(current)


class InMemoryScheduler:
    def __init__(self) -> None:
        self.schedules: dict[str, PendingAttempt] = {}
        self.removed: list[str] = []

    def place(self, pending: PendingAttempt) -> None:
        self.schedules[pending.schedule_name] = pending

    def remove(self, name: str) -> None:
        self.schedules.pop(name, None)
        self.removed.append(name)

    def only(self) -> PendingAttempt:
        (pending,) = self.schedules.values()
        return pending


@dataclass
class FakeDialer:
    """Answers dials from a script: ``outcomes`` are taken in order (``"ok"``, ``429``, a 4xx status, or
    ``"unknown"``), then every dial succeeds. ``placed`` maps dial keys to Retell call ids; ``retell_calls`` is what
    get-call answers (``None`` for a call Retell does not know; ``unavailable`` makes every question fail)."""

    outcomes: list[str | int] = field(default_factory=list)
    placed: dict[str, str] = field(default_factory=dict)
    dials: list[DialSpec] = field(default_factory=list)
    find_unknown: bool = False
    retell_calls: dict[str, RetellCall] = field(default_factory=dict)
    unavailable: bool = False
    deleted: list[str] = field(default_factory=list)

    def dial(self, spec: DialSpec) -> str:
        self.dials.append(spec)
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if outcome == 429:
            raise DialRateLimited
        if outcome in {401, 402, 403}:
            raise DialAccountBlocked(int(outcome), "account")
        if isinstance(outcome, int):
            raise DialRejected(outcome, "refused")
        if outcome == "unknown":
            raise DialOutcomeUnknown
        if outcome == "placed-then-unknown":
            self.placed.setdefault(spec.idempotency_key, f"call_retell_{len(self.placed) + 1}")
            raise DialOutcomeUnknown
        return self.placed.setdefault(spec.idempotency_key, f"call_retell_{len(self.placed) + 1}")

    def find(self, dial_key: str) -> str | None:
        if self.find_unknown or self.unavailable:
            raise DialOutcomeUnknown
        return self.placed.get(dial_key)

    def get_call(self, retell_call_id: str) -> RetellCall | None:
        if self.unavailable:
            raise RetellUnavailable("down")
        return self.retell_calls.get(retell_call_id)

    def delete_call(self, retell_call_id: str) -> None:
        if self.unavailable:
            raise RetellUnavailable("down")
        self.retell_calls.pop(retell_call_id, None)
        self.deleted.append(retell_call_id)

    # Texts: ``chat_outcomes`` in order (``"ok"``, a 4xx status, ``"unknown"``, ``"started-then-unknown"``)
    chat_outcomes: list[str | int] = field(default_factory=list)
    chats: list[ChatSpec] = field(default_factory=list)
    retell_chats: dict[str, RetellChat] = field(default_factory=dict)

    def start_chat(self, spec: ChatSpec) -> str:
        self.chats.append(spec)
        outcome = self.chat_outcomes.pop(0) if self.chat_outcomes else "ok"
        if isinstance(outcome, int):
            raise TextRefused(outcome, "refused")
        if outcome == "unknown":
            raise RetellUnavailable("timed out")
        chat_id = f"chat_{len(self.retell_chats) + 1}"
        self.retell_chats[chat_id] = RetellChat(
            chat_id=chat_id, chat_status="ongoing", metadata=dict(spec.metadata), start_timestamp=None
        )
        if outcome == "started-then-unknown":
            raise RetellUnavailable("timed out after starting")
        return chat_id

    def get_chat(self, chat_id: str) -> RetellChat | None:
        if self.unavailable:
            raise RetellUnavailable("down")
        return self.retell_chats.get(chat_id)

    def find_chat(self, to_number: str, call_id: str, since: datetime) -> RetellChat | None:
        if self.unavailable:
            raise RetellUnavailable("down")
        return next(
            (chat for chat in self.retell_chats.values() if (chat.metadata or {}).get("call_id") == call_id), None
        )

    def delete_chat(self, chat_id: str) -> None:
        if self.unavailable:
            raise RetellUnavailable("down")
        self.retell_chats.pop(chat_id, None)
        self.deleted.append(chat_id)


class InMemoryAccountBreaker:
    def __init__(self) -> None:
        self.current: BreakerState = CLOSED_BREAKER
        self.trips = 0

    def state(self) -> BreakerState:
        return self.current

    def trip(self, reason: str, now: datetime, probe_at: datetime) -> bool:
        if self.current.open:
            return False
        self.current = BreakerState(open=True, reason=reason, opened_at=now, probe_at=probe_at)
        self.trips += 1
        return True

    def take_probe(self, now: datetime, next_probe_at: datetime) -> bool:
        if not self.current.open or self.current.probe_at is None or self.current.probe_at > now:
            return False
        self.current = BreakerState(True, self.current.reason, self.current.opened_at, next_probe_at)
        return True

    def reset(self) -> None:
        self.current = CLOSED_BREAKER


@dataclass
class RecordingInvoker:
    requests: list[ExecuteRequest] = field(default_factory=list)
    fail: bool = False

    def invoke(self, request: ExecuteRequest) -> None:
        if self.fail:
            raise RuntimeError("the invocation was lost")
        self.requests.append(request)


class InMemoryDoNotCallStore:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], DoNotCallEntry] = {}

    def get(self, clinic_id: str, phone_number: str) -> DoNotCallEntry | None:
        return self.entries.get((clinic_id, phone_number))

    def page(self, clinic_id: str, limit: int, next_token: str | None) -> tuple[list[DoNotCallEntry], str | None]:
        listed = sorted(
            (entry for (clinic, _), entry in self.entries.items() if clinic == clinic_id),
            key=lambda entry: entry.phone_number,
        )
        tag = hashlib.sha256(f"{clinic_id}\ndo-not-call".encode()).hexdigest()[:16]
        if next_token:  # the number to resume after, bound to the clinic's list (as the table's key is)
            after, _, given = next_token.rpartition(".")
            if given != tag or not after:
                raise InvalidNextToken
            listed = [entry for entry in listed if entry.phone_number > after]
        page = listed[:limit]
        return page, f"{page[-1].phone_number}.{tag}" if len(listed) > limit else None

    def add(self, clinic_id: str, entry: DoNotCallEntry, *, replace: bool) -> bool:
        if not replace and (clinic_id, entry.phone_number) in self.entries:
            return False
        self.entries[(clinic_id, entry.phone_number)] = entry
        return True

    def remove(self, clinic_id: str, phone_number: str) -> bool:
        return self.entries.pop((clinic_id, phone_number), None) is not None


class InMemoryTextTallies:
    def __init__(self) -> None:
        self.days: dict[tuple[str, date], tuple[int, int]] = {}

    def add(self, clinic_id: str, day: date, *, sent: int, replied: int) -> None:
        was_sent, was_replied = self.days.get((clinic_id, day), (0, 0))
        self.days[(clinic_id, day)] = (was_sent + sent, was_replied + replied)

    def totals(self, clinic_id: str, days: Seq[date]) -> tuple[int, int]:
        counts = [self.days.get((clinic_id, day), (0, 0)) for day in days]
        return sum(sent for sent, _ in counts), sum(replied for _, replied in counts)


class InMemoryClinicRequestCounters:
    """The counters' contract on a dict: (clinic, window start) -> requests counted; ``down`` plays an outage."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, datetime], int] = {}
        self.expiries: dict[tuple[str, datetime], datetime] = {}
        self.down = False

    def count(self, clinic_id: str, window_start: datetime, limit: int, expires_at: datetime) -> bool:
        if self.down:
            raise CountersUnavailable("the table is unavailable")
        key = (clinic_id, window_start)
        if self.counts.get(key, 0) >= limit:
            return False
        self.counts[key] = self.counts.get(key, 0) + 1
        self.expiries[key] = expires_at
        return True


class InMemoryAnswerCounters:
    """The answer counts' contract on a dict: (clinic or ``None`` for every clinic, UTC day, cell) -> counts;
    ``down`` plays an outage (an addition fails)."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str | None, date, Cell], CellCounts] = {}
        self.down = False

    def add(self, clinic_id: str, tallies: list[AnswerTally]) -> None:
        if self.down:
            raise RuntimeError("the table is unavailable")
        for tally in tallies:
            for owner in (clinic_id, None):
                key = (owner, tally.day, tally.cell)
                self.counts[key] = self.counts.get(key, CellCounts()) + CellCounts(tally.dials, tally.answered)

    def history(self, clinic_id: str | None, since: date) -> dict[Cell, CellCounts]:
        total: dict[Cell, CellCounts] = {}
        for (owner, day, cell), counts in self.counts.items():
            if owner == clinic_id and day >= since:
                total[cell] = total.get(cell, CellCounts()) + counts
        return {cell: counts for cell, counts in total.items() if counts.dials > 0}


class InMemoryDialCap:
    """The cap's contract on a dict: (clinic, number) -> {dial key: when}."""

    def __init__(self) -> None:
        self.dials: dict[tuple[str, str], dict[str, datetime]] = {}

    def take(self, clinic_id: str, phone_number: str, dial_key: str, limit: int, now: datetime) -> datetime | None:
        dials = self.dials.setdefault((clinic_id, phone_number), {})
        if dial_key in dials:
            return None
        kept = recent_dials(dials, now)
        frees_at = dial_cap_frees_at(kept.values(), now, limit)
        if frees_at is not None:
            return frees_at
        kept[dial_key] = now
        self.dials[(clinic_id, phone_number)] = kept
        return None

    def give_back(self, clinic_id: str, phone_number: str, dial_key: str) -> None:
        self.dials.get((clinic_id, phone_number), {}).pop(dial_key, None)

    def counted(self, clinic_id: str, phone_number: str) -> int:
        return len(self.dials.get((clinic_id, phone_number), {}))


def _notice_key(notice: Notice) -> tuple[str, str, str, str]:
    return (notice.subject_id, notice.event_key, notice.channel, notice.recipient_id)


class InMemoryNoticeStore:
    """``NoticeStore`` as the DynamoDB one behaves: record once, claim under a lease (counting the attempt), due by
    time and clinic, cursors."""

    def __init__(self) -> None:
        self.notices: dict[tuple[str, str, str, str], StoredNotice] = {}
        self.leases: dict[tuple[str, str, str, str], datetime] = {}
        self.cursors: dict[str, str] = {}

    def record(self, notice: Notice, now: datetime) -> bool:
        key = _notice_key(notice)
        if key in self.notices:
            return False
        self.notices[key] = StoredNotice(notice, NoticeState.PENDING, 0, now, None)
        return True

    def claim(self, notice: Notice, now: datetime, lease: timedelta) -> StoredNotice | None:
        key = _notice_key(notice)
        stored = self.notices.get(key)
        if stored is None or stored.state != NoticeState.PENDING or stored.next_attempt_at is None:
            return None
        if stored.next_attempt_at > now or self.leases.get(key, now) > now:
            return None
        self.leases[key] = now + lease
        self.notices[key] = replace(stored, attempts=stored.attempts + 1)
        return self.notices[key]

    def mark_sent(self, notice: Notice, now: datetime) -> None:
        key = _notice_key(notice)
        self.leases.pop(key, None)
        stored = self.notices[key]
        self.notices[key] = StoredNotice(notice, NoticeState.SENT, stored.attempts, None, now)

    def mark_failed(self, notice: Notice, now: datetime, next_attempt_at: datetime | None, error: str) -> None:
        key = _notice_key(notice)
        self.leases.pop(key, None)
        stored = self.notices[key]
        state = NoticeState.PENDING if next_attempt_at is not None else NoticeState.GAVE_UP
        self.notices[key] = StoredNotice(notice, state, stored.attempts, next_attempt_at, None)

    def hold(self, notice: Notice, until: datetime, reason: str) -> None:
        key = _notice_key(notice)
        self.leases.pop(key, None)
        stored = self.notices[key]
        self.notices[key] = replace(stored, attempts=stored.attempts - 1, next_attempt_at=until)

    def due(self, clinic_id: str | None, now: datetime, limit: int) -> list[StoredNotice]:
        pending = [
            stored
            for stored in self.notices.values()
            if stored.state == NoticeState.PENDING
            and stored.notice.clinic_id == clinic_id
            and stored.next_attempt_at is not None
            and stored.next_attempt_at <= now
        ]
        return sorted(pending, key=lambda stored: stored.next_attempt_at or now)[:limit]

    def cursor(self, name: str) -> str | None:
        return self.cursors.get(name)

    def save_cursor(self, name: str, position: str) -> None:
        self.cursors[name] = position


class InMemoryEmailRateLimits:
    """``EmailRateLimits`` as the DynamoDB one counts: per clinic and UTC hour, per recipient and UTC day."""

    def __init__(self, per_clinic_hour: int = 60, per_recipient_day: int = 30) -> None:
        self.per_clinic_hour = per_clinic_hour
        self.per_recipient_day = per_recipient_day
        self.counts: Counter[tuple[str, ...]] = Counter()

    def take(self, clinic_id: str, recipient_id: str, now: datetime) -> datetime | None:
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        hour = now.replace(minute=0, second=0, microsecond=0)
        recipient = (clinic_id, recipient_id, day.isoformat())
        if self.counts[recipient] >= self.per_recipient_day:
            return day + timedelta(days=1)
        self.counts[recipient] += 1
        clinic = (clinic_id, hour.isoformat())
        if self.counts[clinic] >= self.per_clinic_hour:
            return hour + timedelta(hours=1)
        self.counts[clinic] += 1
        return None


@dataclass
class FakeChannel:
    """A channel that takes every message (``sent``) unless ``down`` (or sent to an address in ``dead``); a message
    to an address in ``hanging`` blocks until ``release`` is set (or ``hang_for`` seconds pass) and is then taken
    late (``late``)."""

    down: bool = False
    dead: set[str] = field(default_factory=set)
    sent: list[Notice] = field(default_factory=list)
    hanging: set[str] = field(default_factory=set)
    hang_for: float = 5.0
    release: threading.Event = field(default_factory=threading.Event)
    late: list[Notice] = field(default_factory=list)

    def send(self, notice: Notice) -> None:
        if notice.to in self.hanging:
            self.release.wait(self.hang_for)
            self.late.append(notice)
            return
        if self.down or notice.to in self.dead:
            raise ChannelFailed("the channel is down")
        self.sent.append(notice)
