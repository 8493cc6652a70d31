"""Telling the clinic: events from the table's stream become notices (one per event and recipient, recorded once),
delivered with retries; a sweep retries what is due; the daily digest goes at each clinic's hour.

Nothing here runs inside a call's own processing: the notices function reads the table's stream, so a channel that
is down (SES refusing, a chat webhook timing out) delays only its notices. A notice is recorded before it is
delivered, and delivered under a lease: a second sight of the same event records nothing, two deliverers never send
the same notice at once, and a failed delivery is retried (``RETRY_EVERY``) until ``GIVE_UP_AFTER``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared.domain import notices as messages
from shared.domain.notices import Digest, DigestCall, Message, Occurrence
from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.ports import (
    CallStore,
    ChannelFailed,
    ClinicsWithRecipients,
    Clock,
    Notice,
    NoticeChannel,
    NoticeStore,
)
from shared.models.queries import CallQuery
from shared.models.results import Delivery
from shared.models.settings import ClinicSettings, NotificationEvent
from shared.observability import logger

RETRY_EVERY = timedelta(minutes=1)
GIVE_UP_AFTER = timedelta(days=3)
LEASE = timedelta(seconds=60)
SWEEP_BATCH = 100
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


@dataclass(frozen=True)
class NoticeAudience:
    """Where a notice's links go (the dashboard), and who hears of the Retell account's faults besides the clinics."""

    dashboard_url: str
    operator_emails: tuple[str, ...] = ()


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
    ):
        self._store = stores.notices
        self._settings = settings
        self._channels = channels
        self._clinics = stores.clinics
        self._calls = stores.calls
        self._dashboard_url = audience.dashboard_url
        self._operators = audience.operator_emails
        self._clock = clock
        self._on_sent = on_sent or (lambda _notice, _at: None)
        self.given_up = 0

    # -- recording -----------------------------------------------------------------------------------------------

    def occurred(self, occurrence: Occurrence) -> Delivery:
        """Record the notices an event calls for (once, whoever sees it first), then try to deliver them."""
        now = self._clock()
        notices = self._notices(occurrence, now)
        recorded = [notice for notice in notices if self._store.record(notice, now)]
        sent = sum(self.deliver(notice) for notice in recorded)
        return Delivery(recorded=len(recorded), sent=sent, failed=len(recorded) - sent)

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
        """Send the notice if it is still to be sent and nobody else is sending it; ``True`` once it is sent here.
        ``given_up`` counts the notices this service gave up on (a channel down for ``GIVE_UP_AFTER``)."""
        now = self._clock()
        claimed = self._store.claim(notice, now, LEASE)
        if claimed is None:
            return False
        channel = self._channels.get(notice.channel)
        try:
            if channel is None:
                raise ChannelFailed(f"no {notice.channel} channel is configured")
            channel.send(notice)
        except ChannelFailed as error:
            retry_at = now + RETRY_EVERY
            give_up = retry_at > notice.created_at + GIVE_UP_AFTER
            self._store.mark_failed(notice, now, None if give_up else retry_at, str(error))
            self.given_up += int(give_up)
            log = logger.error if give_up else logger.warning
            log(
                "notice not delivered" + ("; given up" if give_up else "; retrying"),
                extra={
                    "event": notice.event,
                    "channel": notice.channel,
                    "call_id": notice.call_id,
                    "error": str(error),
                },
            )
            return False
        self._store.mark_sent(notice, now)
        self._on_sent(notice, now)
        logger.info("notice sent", extra={"event": notice.event, "channel": notice.channel, "call_id": notice.call_id})
        return True

    def sweep(self) -> Delivery:
        """Retry every pending notice that is due (the ones whose channel failed, or whose deliverer died)."""
        before = self.given_up
        due = self._store.due(self._clock(), SWEEP_BATCH)
        sent = sum(self.deliver(stored.notice) for stored in due)
        return Delivery(sent=sent, failed=len(due) - sent, given_up=self.given_up - before)

    # -- the daily digest ----------------------------------------------------------------------------------------

    def digests(self) -> Delivery:
        """For every clinic whose digest hour it is now (local time): yesterday's calls by outcome and every call
        still needing follow-up, once per clinic and day; nothing on a day without calls."""
        now = self._clock()
        recorded = sent = 0
        for clinic_id in self._clinics.clinics_with_recipients():
            settings = self._settings.current(clinic_id)
            notifications = settings.notifications
            hour, day = messages.local_hour(now, settings.timezone)
            if hour != notifications.digest_hour or not notifications.wants(NotificationEvent.DAILY_DIGEST):
                continue
            digest = self._digest(clinic_id, settings, day)
            if digest.total == 0:
                continue
            name = settings.clinic_name or clinic_id
            message = messages.compose_digest(digest, name, self._dashboard_url)
            key = messages.digest_day_key(day)
            for notice in self._addressed(
                NotificationEvent.DAILY_DIGEST, key, clinic_id, clinic_id, settings, message, now
            ):
                if self._store.record(notice, now):
                    recorded += 1
                    sent += int(self.deliver(notice))
        return Delivery(recorded=recorded, sent=sent, failed=recorded - sent)

    def _digest(self, clinic_id: str, settings: ClinicSettings, day: str) -> Digest:
        zone = ZoneInfo(settings.timezone)
        start = datetime.fromisoformat(day).replace(tzinfo=zone)
        end = start + timedelta(days=1) - timedelta(seconds=1)
        outcomes: Counter[str] = Counter()
        token: str | None = None
        for _ in range(50):
            query = CallQuery(clinic_id=clinic_id, scheduled_from=start, scheduled_to=end, limit=100, next_token=token)
            calls, token = self._calls.list_for_clinic(query)
            for call in calls:
                outcomes[call.outcome.value if call.outcome and call.status.is_terminal else call.status.value] += 1
            if token is None:
                break
        follow_ups, _ = self._calls.list_follow_ups(clinic_id, 100, None)
        items = [
            DigestCall(call.call_id, call.pet_name, call.owner_name, tuple(call.follow_up_reasons))
            for call in follow_ups
        ]
        return Digest(clinic_id=clinic_id, day=day, by_outcome=dict(outcomes), follow_ups=items)


def _clinic_name(settings: ClinicSettings, occurrence: Occurrence) -> str:
    if occurrence.call is not None and occurrence.call.clinic_name:
        return occurrence.call.clinic_name
    return settings.clinic_name or "Your clinic"
