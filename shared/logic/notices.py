"""Telling the clinic: events from the table's stream become notices (one per event and recipient, recorded once),
delivered with retries; a sweep retries what is due; the daily digest goes at each clinic's hour.

Nothing here runs inside a call's own processing: the notices function reads the table's stream, so a channel that
is down (SES refusing, a chat webhook timing out) delays only its notices. A notice is recorded before it is
delivered, and delivered under a lease: a second sight of the same event records nothing, two deliverers never send
the same notice at once, and a failed delivery is retried (``RETRY_EVERY``) until ``GIVE_UP_AFTER``.

No clinic can hold up another's notices: sends run a few at once, each within its deadline (a send past it is
marked failed, its attempt counted, and retried by a later sweep); a run takes no new work once its time is nearly
spent (``RunBudget``), leaving the rest pending for the next; the sweep takes each clinic's due notices in turn, a
few per clinic a round, starting after the clinic where the last sweep stopped; the digest walks the clinics hour by
hour, a run resuming where the last one stopped. E-mails are rate-limited per clinic and recipient
(``EmailRateLimits``): one over a limit is held, pending, until its window ends, then sent like any other.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared.domain import notices as messages
from shared.domain.notices import Digest, DigestCall, Message, Occurrence
from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.notice_delivery import DELIVERY_DEADLINE_SECONDS, UNBOUNDED, ConcurrentSends, RunBudget, SendResult
from shared.logic.ports import (
    CallStore,
    ClinicsWithRecipients,
    Clock,
    EmailRateLimits,
    Notice,
    NoticeChannel,
    NoticeStore,
)
from shared.models.base import format_utc, parse_utc
from shared.models.queries import CallQuery
from shared.models.results import Delivery
from shared.models.settings import ClinicSettings, NotificationEvent
from shared.models.texts import TextStatus
from shared.observability import logger

RETRY_EVERY = timedelta(minutes=1)
GIVE_UP_AFTER = timedelta(days=3)
LEASE = timedelta(seconds=60)
"""A claimed notice's lease: longer than a send's deadline (the deliverer marks it failed while it still holds it),
so only a deliverer that died (the run killed at its timeout) leaves one to expire; the notice is then due again, its
attempt counted as failed."""
SWEEP_BATCH = 100
"""The most notices one sweep takes (the run's time may stop it sooner)."""
SWEEP_PER_CLINIC = 20
"""The most due notices the sweep reads of one clinic a run."""
SWEEP_PER_ROUND = 2
"""The notices the sweep takes of one clinic before taking the next clinic's."""
DIGEST_CATCH_UP = timedelta(hours=24)
"""A digest walk further behind than this (the function disabled for a day) restarts at the current hour."""
DIGEST_SAVE_EVERY = 10
"""The digest saves where it is after this many clinics (a run killed at its timeout redoes at most these)."""
SWEEP_CURSOR, DIGEST_CURSOR = "sweep", "digest"
EMAIL, CHAT = "email", "chat"
RETELL_SUBJECT = "RETELL"


def recipient_id(address: str) -> str:
    """A recipient as a key part: a digest, so no address is ever in a key."""
    return hashlib.sha256(address.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class NoticeStores:
    """What the notice service reads and writes: the notices, the clinics that have recipients, and the calls a
    digest lists."""

    notices: NoticeStore
    clinics: ClinicsWithRecipients
    calls: CallStore
    email_limits: EmailRateLimits


@dataclass(frozen=True)
class NoticeAudience:
    """Where a notice's links go (the dashboard), who hears of the Retell account's faults besides the clinics, and
    the only e-mail domains a clinic's notices may go to (the deployment's ``noticeEmailDomains``; empty: any)."""

    dashboard_url: str
    operator_emails: tuple[str, ...] = ()
    email_domains: tuple[str, ...] = ()

    def may_email(self, address: str) -> bool:
        """Whether a clinic's notice may be e-mailed to ``address``: its domain (or a parent of it) is allowed."""
        if not self.email_domains:
            return True
        domain = address.rpartition("@")[2].lower()
        return any(domain == allowed or domain.endswith(f".{allowed}") for allowed in self.email_domains)


class NoticeService:
    def __init__(
        self,
        stores: NoticeStores,
        settings: ClinicSettingsService,
        channels: dict[str, NoticeChannel],
        *,
        audience: NoticeAudience,
        clock: Clock,
        on_sent: Callable[[Notice, datetime], None] | None = None,
        delivery_deadline: float = DELIVERY_DEADLINE_SECONDS,
    ):
        self._store = stores.notices
        self._email_limits = stores.email_limits
        self._delivery_deadline = delivery_deadline
        self._settings = settings
        self._channels = channels
        self._clinics = stores.clinics
        self._calls = stores.calls
        self._dashboard_url = audience.dashboard_url
        self._operators = audience.operator_emails
        self._audience = audience
        self._clock = clock
        self._on_sent = on_sent or (lambda _notice, _at: None)
        self.given_up = 0

    # -- recording -----------------------------------------------------------------------------------------------

    def occurred(self, occurrence: Occurrence, budget: RunBudget = UNBOUNDED) -> Delivery:
        """Record the notices an event calls for (once, whoever sees it first), then try to deliver them (within the
        run's time: what is not tried stays pending for the sweep)."""
        now = self._clock()
        notices = self._notices(occurrence, now)
        recorded = [notice for notice in notices if self._store.record(notice, now)]
        tally = self._deliver_all(recorded, budget)
        return Delivery(recorded=len(recorded), sent=tally.sent, failed=tally.failed, held=tally.held)

    def _notices(self, occurrence: Occurrence, now: datetime) -> list[Notice]:
        if occurrence.clinic_id is None:  # the Retell account: every clinic that wants it, and the operators
            notices = [
                notice
                for clinic_id in self._clinics.clinics_with_recipients()
                for notice in self._for_clinic(occurrence, clinic_id, now)
            ]
            message = messages.compose(occurrence, "Operators", self._dashboard_url)
            notices += [
                self._notice(occurrence, RETELL_SUBJECT, None, EMAIL, address, message, now)
                for address in self._operators
            ]
            return notices
        return self._for_clinic(occurrence, occurrence.clinic_id, now)

    def _for_clinic(self, occurrence: Occurrence, clinic_id: str, now: datetime) -> list[Notice]:
        settings = self._settings.current(clinic_id)
        if not settings.notifications.wants(occurrence.event):
            return []
        message = messages.compose(occurrence, _clinic_name(settings, occurrence), self._dashboard_url)
        subject_id = occurrence.call.call_id if occurrence.call is not None else clinic_id
        return self._addressed(occurrence.event, occurrence.key, subject_id, clinic_id, settings, message, now)

    def _addressed(
        self,
        event: str,
        key: str,
        subject_id: str,
        clinic_id: str,
        settings: ClinicSettings,
        message: Message,
        now: datetime,
    ) -> list[Notice]:
        call_id = subject_id if subject_id != clinic_id else None
        occurrence = Occurrence(NotificationEvent(event), key, clinic_id)
        emails = settings.notifications.emails if EMAIL in self._channels else []  # no sender: no email
        allowed = [address for address in emails if self._audience.may_email(address)]
        if len(allowed) < len(emails):  # the platform's sender relays to nobody outside the allowed domains
            logger.warning(
                "notice not e-mailed to recipients outside the allowed domains",
                extra={"event": event, "clinic_id": clinic_id, "refused": len(emails) - len(allowed)},
            )
        emails = allowed
        notices = [self._notice(occurrence, subject_id, call_id, EMAIL, address, message, now) for address in emails]
        if settings.notifications.webhook_url and CHAT in self._channels:
            url = settings.notifications.webhook_url
            notices.append(self._notice(occurrence, subject_id, call_id, CHAT, url, message, now))
        return notices

    @staticmethod
    def _notice(
        occurrence: Occurrence,
        subject_id: str,
        call_id: str | None,
        channel: str,
        to: str,
        message: Message,
        now: datetime,
    ) -> Notice:
        return Notice(
            subject_id=subject_id,
            event_key=occurrence.key,
            event=occurrence.event.value,
            clinic_id=occurrence.clinic_id,
            call_id=call_id,
            channel=channel,
            to=to,
            recipient_id=recipient_id(f"{channel}:{to}"),
            subject=message.subject,
            text=message.chat if channel == CHAT else message.text,
            html=message.html if channel == EMAIL else "",
            created_at=now,
        )

    # -- delivering ----------------------------------------------------------------------------------------------

    def deliver(self, notice: Notice) -> bool:
        """Send the notice if it is still to be sent and nobody else is sending it; ``True`` once it is sent here."""
        return self._deliver_all([notice], UNBOUNDED).sent == 1

    def _deliver_all(self, notices: Iterable[Notice], budget: RunBudget) -> _Tally:
        """Claim and send ``notices`` in their order, a few at once, until the run's time is nearly spent (the rest
        stays pending). ``given_up`` counts the notices this service gave up on (a channel down for
        ``GIVE_UP_AFTER``)."""
        tally = _Tally()
        sends = ConcurrentSends(self._channels, deadline=self._delivery_deadline)
        for notice in notices:
            for result in sends.wait(for_all=False):
                tally.count(self._settle(result))
            if budget.spent(sends.deadline):
                logger.info("notices: the run's time is nearly spent; the rest waits for the next run")
                break
            if self._store.claim(notice, self._clock(), LEASE) is None:
                continue
            if self._held(notice):
                tally.held += 1
                continue
            sends.start(notice)
        for result in sends.wait(for_all=True):
            tally.count(self._settle(result))
        return tally

    def _held(self, notice: Notice) -> bool:
        """Whether a rate limit holds the (claimed) e-mail: it is put back, due when the limit's window ends. The
        operators' e-mails (no clinic) are the deployment's own and not limited."""
        if notice.channel != EMAIL or notice.clinic_id is None:
            return False
        until = self._email_limits.take(notice.clinic_id, notice.recipient_id, self._clock())
        if until is None:
            return False
        self._store.hold(notice, until, "the e-mail rate limit")
        logger.warning(
            "notice held by the e-mail rate limit",
            extra={"event": notice.event, "call_id": notice.call_id, "until": format_utc(until)},
        )
        return True

    def _settle(self, result: SendResult) -> bool:
        """Mark one send's outcome; ``True`` if it was sent."""
        notice, now = result.notice, self._clock()
        if result.error is None:
            self._store.mark_sent(notice, now)
            self._on_sent(notice, now)
            logger.info(
                "notice sent", extra={"event": notice.event, "channel": notice.channel, "call_id": notice.call_id}
            )
            return True
        retry_at = now + RETRY_EVERY
        give_up = retry_at > notice.created_at + GIVE_UP_AFTER
        self._store.mark_failed(notice, now, None if give_up else retry_at, result.error)
        self.given_up += int(give_up)
        log = logger.error if give_up else logger.warning
        log(
            "notice not delivered" + ("; given up" if give_up else "; retrying"),
            extra={"event": notice.event, "channel": notice.channel, "call_id": notice.call_id, "error": result.error},
        )
        return False

    def sweep(self, budget: RunBudget = UNBOUNDED) -> Delivery:
        """Retry the pending notices that are due (the ones whose channel failed or was too slow, whose deliverer
        died, or that a rate limit held), a few of each clinic in turn, within the run's time."""
        before = self.given_up
        now = self._clock()
        order = _FairOrder(self._store, self._clinics_in_turn(), now, budget, self._delivery_deadline)
        tally = self._deliver_all(order, budget)
        if order.resume_after:  # a run that read no clinic leaves the cursor where it was
            self._store.save_cursor(SWEEP_CURSOR, order.resume_after)
        return Delivery(sent=tally.sent, failed=tally.failed, given_up=self.given_up - before, held=tally.held)

    def _clinics_in_turn(self) -> list[str | None]:
        """The operators' notices first (few), then every clinic with recipients, from the one after where the last
        sweep stopped, round to the start."""
        clinics = sorted(self._clinics.clinics_with_recipients())
        after = self._store.cursor(SWEEP_CURSOR) or ""
        start = next((index for index, clinic in enumerate(clinics) if clinic > after), 0)
        return [None, *clinics[start:], *clinics[:start]]

    # -- the daily digest ----------------------------------------------------------------------------------------

    def digests(self, budget: RunBudget = UNBOUNDED) -> Delivery:
        """For every clinic whose digest hour it is (local time): yesterday's calls by outcome and every call still
        needing follow-up, once per clinic and day; nothing on a day without calls.

        The clinics are walked hour by hour (UTC), each hour's walk in clinic order, a run resuming where the last
        stopped, so a run's time bounds how many clinics it does, never which: an hour's walk not done when the
        next hour begins is finished first, and a clinic's digest hour is read at the hour walked."""
        now = self._clock()
        current = now.replace(minute=0, second=0, microsecond=0)
        hour, after = self._digest_position(current)
        tally, done = _Tally(), 0
        while hour <= current:
            for clinic_id in sorted(self._clinics.clinics_with_recipients()):
                if clinic_id <= after:
                    continue
                if budget.spent(self._delivery_deadline):
                    self._store.save_cursor(DIGEST_CURSOR, f"{format_utc(hour)}|{after}")
                    logger.info("digest: the run's time is nearly spent; the next run resumes here")
                    return tally.delivery()
                tally.add(self._digest_for(clinic_id, hour, now, budget))
                after, done = clinic_id, done + 1
                if done % DIGEST_SAVE_EVERY == 0:
                    self._store.save_cursor(DIGEST_CURSOR, f"{format_utc(hour)}|{after}")
            hour, after = hour + timedelta(hours=1), ""
        self._store.save_cursor(DIGEST_CURSOR, f"{format_utc(hour)}|")
        return tally.delivery()

    def _digest_position(self, current: datetime) -> tuple[datetime, str]:
        """The hour to walk and the last clinic done in it: the current hour if none was walked yet (or the walk is
        more than ``DIGEST_CATCH_UP`` behind)."""
        position = self._store.cursor(DIGEST_CURSOR)
        if position is None:
            return current, ""
        stamp, _, after = position.partition("|")
        hour = parse_utc(stamp)
        if hour < current - DIGEST_CATCH_UP:
            logger.warning("digest: the walk was more than a day behind; it restarts at the current hour")
            return current, ""
        return hour, after

    def _digest_for(self, clinic_id: str, hour: datetime, now: datetime, budget: RunBudget) -> _Tally:
        settings = self._settings.current(clinic_id)
        notifications = settings.notifications
        local_hour, day = messages.local_hour(hour, settings.timezone)
        if local_hour != notifications.digest_hour or not notifications.wants(NotificationEvent.DAILY_DIGEST):
            return _Tally()
        digest = self._digest(clinic_id, settings, day)
        if digest.total == 0:
            return _Tally()
        name = settings.clinic_name or clinic_id
        message = messages.compose_digest(digest, name, self._dashboard_url)
        key = messages.digest_day_key(day)
        addressed = self._addressed(NotificationEvent.DAILY_DIGEST, key, clinic_id, clinic_id, settings, message, now)
        recorded = [notice for notice in addressed if self._store.record(notice, now)]
        tally = self._deliver_all(recorded, budget)
        tally.recorded = len(recorded)
        return tally

    def _digest(self, clinic_id: str, settings: ClinicSettings, day: str) -> Digest:
        zone = ZoneInfo(settings.timezone)
        start = datetime.fromisoformat(day).replace(tzinfo=zone)
        end = start + timedelta(days=1) - timedelta(seconds=1)
        outcomes: Counter[str] = Counter()
        texted = reached_by_text = 0
        token: str | None = None
        for _ in range(50):
            query = CallQuery(clinic_id=clinic_id, scheduled_from=start, scheduled_to=end, limit=100, next_token=token)
            calls, token = self._calls.list_for_clinic(query)
            for call in calls:
                outcomes[call.outcome.value if call.outcome and call.status.is_terminal else call.status.value] += 1
                texted += int(call.text is not None and call.text.chat_id is not None)
                reached_by_text += int(call.text is not None and call.text.status == TextStatus.REPLIED)
            if token is None:
                break
        follow_ups, _ = self._calls.list_follow_ups(clinic_id, 100, None)
        items = [
            DigestCall(call.call_id, call.pet_name, call.owner_name, tuple(call.follow_up_reasons))
            for call in follow_ups
        ]
        return Digest(
            clinic_id=clinic_id,
            day=day,
            by_outcome=dict(outcomes),
            follow_ups=items,
            texts_sent=texted,
            reached_by_text=reached_by_text,
        )


def _clinic_name(settings: ClinicSettings, occurrence: Occurrence) -> str:
    if occurrence.call is not None and occurrence.call.clinic_name:
        return occurrence.call.clinic_name
    return settings.clinic_name or "Your clinic"


@dataclass
class _Tally:
    recorded: int = 0
    sent: int = 0
    failed: int = 0
    held: int = 0

    def count(self, sent: bool) -> None:
        self.sent += int(sent)
        self.failed += int(not sent)

    def add(self, other: _Tally) -> None:
        self.recorded += other.recorded
        self.sent += other.sent
        self.failed += other.failed
        self.held += other.held

    def delivery(self) -> Delivery:
        return Delivery(recorded=self.recorded, sent=self.sent, failed=self.failed, held=self.held)


class _FairOrder:
    """The sweep's due notices, clinic by clinic in turn: up to ``SWEEP_PER_ROUND`` of one clinic, then the next
    clinic's, round after round, ``SWEEP_BATCH`` in all. A clinic's due notices are read when its turn first comes
    (``SWEEP_PER_CLINIC`` of them, oldest first), so a clinic with thousands waiting takes its few a round and no
    more. ``resume_after`` is the last clinic whose first turn came: the next sweep starts after it."""

    def __init__(
        self, store: NoticeStore, clinics: list[str | None], now: datetime, budget: RunBudget, deadline: float
    ):
        self._store = store
        self._clinics = clinics
        self._now = now
        self._budget = budget
        self._deadline = deadline
        self.resume_after = ""

    def __iter__(self) -> Iterator[Notice]:
        waiting: dict[str | None, list[Notice]] = {}
        taken = 0
        turns = list(self._clinics)
        first_round = True
        while turns and taken < SWEEP_BATCH:
            for clinic_id in list(turns):
                if clinic_id not in waiting:
                    if self._budget.spent(self._deadline):  # many clinics, none with much due: reading them all
                        return
                    due = self._store.due(clinic_id, self._now, SWEEP_PER_CLINIC)
                    waiting[clinic_id] = [stored.notice for stored in due]
                    if first_round and clinic_id is not None:
                        self.resume_after = clinic_id
                ahead = waiting[clinic_id]
                for notice in ahead[:SWEEP_PER_ROUND]:
                    if taken >= SWEEP_BATCH:
                        return
                    taken += 1
                    yield notice
                del ahead[:SWEEP_PER_ROUND]
                if not ahead:
                    turns.remove(clinic_id)
            first_round = False
