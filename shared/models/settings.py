"""Clinic settings: timezone, weekly business hours, closed dates, retry policy and dialing identity."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from shared.models.base import E164Phone, IanaTimezone, StrictApiModel, empty_list
from shared.models.call import Name
from shared.models.chat_webhooks import chat_service
from shared.models.texts import DEFAULT_LANGUAGE, LanguageTag, TextTrigger

# -- follow-up rules (which reasons flag a call: ``shared.domain.follow_up`` applies them) ----------------------


class FollowUpReason(StrEnum):
    CALL_FAILED = "call_failed"  # the call ended failed: retries used up, refused, unreachable number
    CALL_UNRESOLVED = "call_unresolved"  # nobody could find out what became of the dial (the reconciler gave up)
    CALLBACK_REQUESTED = "callback_requested"  # the owner asked the clinic to call back
    PET_WORSE = "pet_worse"  # the agent's analysis says the pet is doing worse
    OWNER_CONCERN = "owner_concern"  # the owner raised a concern
    CALL_UNSUCCESSFUL = "call_unsuccessful"  # Retell judged the call unsuccessful
    DO_NOT_CALL_REQUESTED = "do_not_call_requested"  # the owner asked not to be called again


ALL_REASONS: tuple[FollowUpReason, ...] = tuple(FollowUpReason)


class FollowUpRules(StrictApiModel):
    """Which reasons put a call on the clinic's follow-up worklist (and send a ``needs_follow_up`` notice). All of
    them by default: each is something a person at the clinic should see."""

    flag: list[FollowUpReason] = Field(
        default_factory=lambda: list(ALL_REASONS),
        max_length=len(ALL_REASONS),
        description="The reasons that flag a call for follow-up",
    )


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d|24:00")


def _check_hhmm(value: str) -> str:
    if not _HHMM.fullmatch(value):
        raise ValueError(f"{value!r} is not a time of day as HH:MM (00:00 to 24:00)")
    return value


ClockTime = Annotated[str, AfterValidator(_check_hhmm)]


def minutes_of(clock: str) -> int:
    """Minutes since local midnight of an ``HH:MM`` string; ``24:00`` is 1440."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _check_windows(windows: list[tuple[ClockTime, ClockTime]]) -> list[tuple[ClockTime, ClockTime]]:
    ordered = sorted(windows, key=lambda window: minutes_of(window[0]))
    for start, end in ordered:
        if minutes_of(start) >= minutes_of(end):
            raise ValueError(f"window [{start}, {end}) must start before it ends")
    for (_, previous_end), (next_start, _) in pairwise(ordered):
        if minutes_of(next_start) < minutes_of(previous_end):
            raise ValueError(f"windows overlap: one ends at {previous_end}, the next starts at {next_start}")
    return ordered


DayWindows = Annotated[list[tuple[ClockTime, ClockTime]], Field(max_length=12), AfterValidator(_check_windows)]


def _weekday_hours(start: str, end: str, days: tuple[Weekday, ...]) -> dict[Weekday, list[tuple[str, str]]]:
    return {day: ([(start, end)] if day in days else []) for day in WEEKDAYS}


class RetryPolicy(StrictApiModel):
    """How unanswered calls are retried: ``backoffSeconds[i]`` is the wait before retry ``i + 1``."""

    max_retries: int = Field(default=3, ge=0, le=10)
    backoff_seconds: list[Annotated[int, Field(ge=60, le=86_400)]] = Field(
        default_factory=lambda: [300, 600, 1200], min_length=1, max_length=10
    )
    retry_on_voicemail: bool = False
    move_to_best_hour: bool = Field(
        default=False,
        description="A retry after no answer may move to a later hour where owners answer more (at most a day later)",
    )

    def delay_before_retry(self, retry_number: int) -> int:
        """Seconds to wait before retry ``retry_number`` (1-based); the last step repeats if the list is short."""
        return self.backoff_seconds[min(retry_number, len(self.backoff_seconds)) - 1]


OWNER_HOURS_EARLIEST = "08:00"
OWNER_HOURS_LATEST = "20:00"
"""The widest calling hours in the owner's own local time (see ``shared.domain.calling_safety``)."""
MAX_DIALS_PER_NUMBER = 3
"""The most dials to one number in any 24 hours, across a clinic's calls."""


class OwnerCallingHours(StrictApiModel):
    """When the owner may be called, ``[start, end)`` in the owner's local time: 08:00-20:00 at the widest; a
    clinic may narrow it, never widen it."""

    start: ClockTime = OWNER_HOURS_EARLIEST
    end: ClockTime = OWNER_HOURS_LATEST

    @model_validator(mode="after")
    def _within_the_default(self) -> OwnerCallingHours:
        if minutes_of(self.start) < minutes_of(OWNER_HOURS_EARLIEST) or minutes_of(self.end) > minutes_of(
            OWNER_HOURS_LATEST
        ):
            raise ValueError(
                f"owner calling hours may be narrowed within {OWNER_HOURS_EARLIEST}-{OWNER_HOURS_LATEST}, not widened"
            )
        if minutes_of(self.start) >= minutes_of(self.end):
            raise ValueError(f"owner calling hours [{self.start}, {self.end}) must start before they end")
        return self


_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


def _check_email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an email address")
    return value.lower()


def _check_webhook_url(value: str) -> str:
    chat_service(value)  # a masked URL passes too: the service keeps the saved one it stands for
    return value


EmailAddress = Annotated[str, Field(max_length=254), AfterValidator(_check_email)]
WebhookUrl = Annotated[str, Field(max_length=2048), AfterValidator(_check_webhook_url)]


class NotificationEvent(StrEnum):
    """What the clinic can be told about."""

    CALL_FAILED = "call_failed"
    CALL_UNRESOLVED = "call_unresolved"
    NEEDS_FOLLOW_UP = "needs_follow_up"
    RETELL_ACCOUNT_UNAVAILABLE = "retell_account_unavailable"
    DAILY_DIGEST = "daily_digest"


class NotificationSettings(StrictApiModel):
    """Who is told, about what, and when the daily digest goes (the clinic's local hour)."""

    emails: list[EmailAddress] = Field(default_factory=empty_list, max_length=10, description="Up to 10 addresses")
    webhook_url: WebhookUrl | None = Field(
        default=None, description="A Slack or Teams incoming-webhook URL (https only)"
    )
    events: list[NotificationEvent] = Field(
        default_factory=lambda: list(NotificationEvent), max_length=len(NotificationEvent)
    )
    digest_hour: int = Field(default=7, ge=0, le=23, description="The local hour the daily digest is sent at")

    @field_validator("emails")
    @classmethod
    def _unique_emails(cls, emails: list[str]) -> list[str]:
        return list(dict.fromkeys(emails))

    def wants(self, event: NotificationEvent) -> bool:
        return event in self.events


TRANSCRIPT_DAYS = 90
CALL_DAYS = 730
RETENTION_MIN_DAYS = 7
RETENTION_MAX_DAYS = 3650
"""The bounds of both retention periods: a week at least (time to read a call's transcript), ten years at most."""


class RetentionSettings(StrictApiModel):
    """How long owners' personal data is kept, counted from the day a call is final (``shared.domain.retention``)."""

    transcript_days: int = Field(
        default=TRANSCRIPT_DAYS,
        ge=RETENTION_MIN_DAYS,
        le=RETENTION_MAX_DAYS,
        description="Days a final call keeps its transcript, analysis text, notes and discharge summary (and Retell "
        "its copy and recording)",
    )
    call_days: int = Field(
        default=CALL_DAYS,
        ge=RETENTION_MIN_DAYS,
        le=RETENTION_MAX_DAYS,
        description="Days a final call is kept at all; then it is removed",
    )


AGENT_ID_PATTERN = r"^[A-Za-z0-9_\-]{1,128}$"
TEXT_DELAY_MAX_MINUTES = 1440


class TextFollowUpSettings(StrictApiModel):
    """Whether, when and how soon a call the phone could not reach gets one text (Retell's SMS chat)."""

    enabled: bool = Field(default=False, description="Text the owner when the phone went unanswered")
    when: list[TextTrigger] = Field(
        default_factory=lambda: [TextTrigger.NO_ANSWER, TextTrigger.VOICEMAIL],
        max_length=len(TextTrigger),
        description="`no_answer`: failed with its attempts used up on no answer or busy; `voicemail`: completed "
        "as voicemail",
    )
    delay_minutes: int = Field(
        default=10,
        ge=0,
        le=TEXT_DELAY_MAX_MINUTES,
        description="Minutes after the call ends (then inside the owner's hours)",
    )

    @field_validator("when")
    @classmethod
    def _unique(cls, when: list[TextTrigger]) -> list[TextTrigger]:
        return list(dict.fromkeys(when))


class LanguageAgents(StrictApiModel):
    """The clinic's Retell agents for one language (``make retell-agent LANGUAGES=...`` prints them)."""

    agent_id: str | None = Field(default=None, pattern=AGENT_ID_PATTERN, description="The voice agent")
    text_agent_id: str | None = Field(default=None, pattern=AGENT_ID_PATTERN, description="The text (chat) agent")


class ClinicSettings(StrictApiModel):
    """A clinic's settings. Business hours are ``[start, end)`` windows in the clinic's local time."""

    timezone: IanaTimezone = "America/Los_Angeles"
    business_hours: dict[Weekday, DayWindows] = Field(
        default_factory=lambda: _weekday_hours("09:00", "17:00", ("mon", "tue", "wed", "thu", "fri"))
    )
    closed_dates: list[Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]] = Field(
        default_factory=empty_list, max_length=400
    )
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    agent_id: str | None = Field(default=None, pattern=AGENT_ID_PATTERN)
    from_number: E164Phone | None = None
    max_concurrent_calls: int = Field(default=20, ge=1, le=500)
    # Calling safety: consent, the owner's own hours, a cap on dials, and who the agent says is calling.
    require_consent: bool = Field(
        default=True, description="A call needs the owner's recorded consent (`consent.given`) to be scheduled"
    )
    owner_calling_hours: OwnerCallingHours = Field(
        default_factory=OwnerCallingHours,
        description="When owners may be called, in each owner's own local time (08:00-20:00 at the widest)",
    )
    max_dials_per_number: int = Field(
        default=MAX_DIALS_PER_NUMBER,
        ge=1,
        le=MAX_DIALS_PER_NUMBER,
        description="At most this many dials to one number in any 24 hours, across the clinic's calls",
    )
    clinic_name: Name | None = Field(default=None, description="What the agent calls the clinic, if a call has none")
    clinic_phone: E164Phone | None = Field(
        default=None, description="The callback number the agent gives, if a call has none"
    )

    # Notices and the follow-up worklist
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    follow_up_rules: FollowUpRules = Field(default_factory=FollowUpRules)
    retention: RetentionSettings = Field(
        default_factory=RetentionSettings,
        description="How long owners' personal data is kept (changes apply to calls already stored)",
    )

    # Texts and languages
    text_follow_up: TextFollowUpSettings = Field(default_factory=TextFollowUpSettings)
    default_language: LanguageTag = Field(
        default=DEFAULT_LANGUAGE, description="The language of a call that names none (BCP 47)"
    )
    agents: dict[LanguageTag, LanguageAgents] = Field(
        default_factory=dict,
        max_length=20,
        description="The clinic's voice and text agents per language; `agentId` above serves the default language "
        "when it has no entry here",
    )

    def speaks(self, language: str) -> bool:
        """A call can be placed in ``language``: the default one (``agentId`` or the deployment's agent), or one with
        a voice agent of its own."""
        agents = self.agents.get(language)
        return language == self.default_language or (agents is not None and agents.agent_id is not None)

    def languages(self) -> list[str]:
        return [
            self.default_language,
            *sorted(lang for lang in self.agents if lang != self.default_language and self.speaks(lang)),
        ]

    @field_validator("business_hours")
    @classmethod
    def _all_weekdays(cls, hours: dict[Weekday, list[tuple[str, str]]]) -> dict[Weekday, list[tuple[str, str]]]:
        return {day: hours.get(day, []) for day in WEEKDAYS}

    @field_validator("closed_dates")
    @classmethod
    def _sorted_unique(cls, dates: list[date]) -> list[date]:
        return sorted(set(dates))

    @model_validator(mode="after")
    def _open_at_some_time(self) -> ClinicSettings:
        if not any(self.business_hours.values()):
            raise ValueError("businessHours must have at least one open window, or no call could ever be placed")
        return self
