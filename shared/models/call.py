"""A scheduled discharge follow-up call: what the API returns and what is stored (what only the API takes and pages
is in ``requests``)."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from shared.models.base import ApiModel, E164Phone, IanaTimezone, StrictApiModel, UtcDatetime, empty_list
from shared.models.ids import ConsultationId
from shared.models.phone import normalise_phone, phone_time_zones
from shared.models.safety import CallConsent
from shared.models.texts import DEFAULT_LANGUAGE, CallText


class CallStatus(StrEnum):
    SCHEDULED = "scheduled"  # waiting for its time, also between retries
    INITIATED = "initiated"  # claimed and dialed
    IN_PROGRESS = "in_progress"  # owner connected
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset({CallStatus.COMPLETED, CallStatus.FAILED, CallStatus.CANCELLED})

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(text: str) -> str:
    # Text is read aloud by the voice agent and shown in pages: a NUL or an escape sequence is never meant.
    if _CONTROL.search(text):
        raise ValueError("must not contain control characters (other than tabs and line breaks)")
    return text


Printable = AfterValidator(_no_control_characters)

STORED = "stored"
STORED_CONTEXT = {STORED: True}
"""The validation context of a model read back from the table, not received."""

# A name goes into e-mail subjects, chat messages and the agent's first sentence: a line break there can add a header
# or a fake line, so single-line text refuses every line and paragraph separator, and the C1 controls, too.
_LINE_BREAK_OR_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _single_line(text: str, info: ValidationInfo) -> str:
    # What was stored before this rule is still read: only new input is refused.
    if not (info.context or {}).get(STORED) and _LINE_BREAK_OR_CONTROL.search(text):
        raise ValueError("must be one line, with no control characters")
    return text


SingleLine = AfterValidator(_single_line)

ERASED_NUMBER_PREFIX = "erased:"
"""An erased call's ``phoneNumber``: this, then the number's digest (``shared.domain.retention``)."""
ERASED_NAME = "(erased)"
"""An erased call's owner and pet names."""


def _phone_or_erased(value: str, info: ValidationInfo) -> str:
    # An erased number is only ever read back from the table: new input is a number, normalised.
    if (info.context or {}).get(STORED) and value.startswith(ERASED_NUMBER_PREFIX):
        return value
    return normalise_phone(value)


CallPhone = Annotated[str, AfterValidator(_phone_or_erased)]
"""A call's number: E.164, or, once erased, ``ERASED_NUMBER_PREFIX`` and its digest."""


def is_erased_number(value: str) -> bool:
    return value.startswith(ERASED_NUMBER_PREFIX)


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000), Printable]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000), Printable]

METADATA_MAX_BYTES = 2_048
METADATA_KEY = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
SAFE_INTEGER = 2**53 - 1
"""The largest integer every JSON reader (and DynamoDB, which keeps 38 digits) holds exactly."""
SafeInteger = Annotated[int, Field(ge=-SAFE_INTEGER, le=SAFE_INTEGER)]


def _id_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class CallMetadata(BaseModel):
    """Where a call came from. Keys are snake_case as Retell metadata; small extra keys are kept as given."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True, hide_input_in_errors=True)

    source: str | None = Field(default=None, max_length=64)
    consultation_id: Annotated[ConsultationId | None, BeforeValidator(_id_as_text)] = None
    provider_id: SafeInteger | Annotated[str, Field(max_length=64)] | None = None

    @model_validator(mode="after")
    def _small(self) -> CallMetadata:
        for key, value in (self.model_extra or {}).items():
            if not METADATA_KEY.fullmatch(key):
                raise ValueError("metadata keys must be 1 to 64 characters of A-Z, a-z, 0-9, _ . -")
            if isinstance(value, dict | list):
                raise ValueError("metadata values must be strings, numbers, booleans or null")
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > SAFE_INTEGER:
                raise ValueError(f"metadata.{key}: integers must be within ±{SAFE_INTEGER}")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"metadata.{key}: numbers must be finite")
        size = len(json.dumps(self.model_dump(mode="json"), separators=(",", ":")))
        if size > METADATA_MAX_BYTES:
            raise ValueError(f"metadata is {size} bytes as JSON; at most {METADATA_MAX_BYTES} are kept")
        return self


class CallDetails(StrictApiModel):
    """Who is called about which pet, and what the voice agent is told."""

    phone_number: E164Phone
    pet_name: Name
    owner_name: Name
    vet_name: Name | None = None
    clinic_name: Name | None = None
    clinic_phone: E164Phone | None = None
    discharge_summary: LongText | None = None
    notes: ShortText | None = None
    metadata: CallMetadata = Field(default_factory=CallMetadata)


class CallOutcome(StrEnum):
    """How an attempt ended, in the clinic's terms (Retell's ``disconnection_reason`` says it in telephony terms)."""

    ANSWERED = "answered"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    CONCURRENCY_LIMITED = "concurrency_limited"
    NOT_CONNECTED = "not_connected"
    ERROR = "error"
    DIAL_REJECTED = "dial_rejected"
    CALLBACK_REQUESTED = "callback_requested"  # reached; the owner asked the clinic to call back
    DO_NOT_CALL_REQUESTED = "do_not_call_requested"  # reached; the owner asked not to be called again
    DECLINED = "declined"  # the owner rejected the incoming call
    IVR = "ivr"  # a phone menu answered, not the owner
    ACCOUNT_UNAVAILABLE = "account_unavailable"  # the Retell account could not place calls (billing, key)
    STOPPED = "stopped"  # stopped by hand in Retell's dashboard
    LOST = "lost"  # Retell has no trace of the dial, or could not say, long after it


REACHED_OUTCOMES = frozenset({CallOutcome.ANSWERED, CallOutcome.CALLBACK_REQUESTED, CallOutcome.DO_NOT_CALL_REQUESTED})
"""The outcomes of a call in which the owner spoke with the agent (what an answer rate counts)."""


OWNER_CONCERNS_MAX_CHARS = 500
"""The owner's concerns as the agent's analysis words them, kept up to this (the item stays small)."""


class CallAnalysis(ApiModel):
    summary: str | None = None
    sentiment: str | None = None
    successful: bool | None = None
    in_voicemail: bool | None = None
    # From the agent's post-call analysis (``custom_analysis_data``), what decides a follow-up (``followUpReasons``)
    pet_condition: str | None = Field(default=None, description="How the owner says the pet is doing, e.g. `worse`")
    owner_concerns: str | None = Field(default=None, description="What the owner is worried about, if anything")
    callback_requested: bool | None = None
    do_not_call_requested: bool | None = None


class ChosenTime(ApiModel):
    """What the best-time choice says about itself (a call scheduled with a ``window``)."""

    reason: Literal["best_answer_rate", "earliest_open"] = Field(
        description="`best_answer_rate`: the hour where owners answer most; `earliest_open`: nothing told the hours "
        "apart (or the window had no open time), so the earliest open time"
    )
    expected_answer_rate: float = Field(ge=0, le=1, description="The chosen hour's expected answer rate")


class FollowUpDone(ApiModel):
    """A staff member marked the call's follow-up done: who, when, and what they did."""

    resolved_at: UtcDatetime
    resolved_by: str
    note: str | None = None
    reasons: list[str] = Field(
        default_factory=empty_list, description="The reasons the call had when it was marked done"
    )


class CallAttempt(ApiModel):
    """One dial of a call (a re-queue because of concurrency is the same attempt, dialed later)."""

    number: int
    retell_call_id: str | None = None
    claimed_at: UtcDatetime | None = None
    dialed_at: UtcDatetime | None = None
    started_at: UtcDatetime | None = None
    ended_at: UtcDatetime | None = None
    disconnection_reason: str | None = None
    outcome: CallOutcome | None = None
    analysis: CallAnalysis | None = None


class CallView(CallDetails):
    """A call as the API returns it."""

    model_config = ConfigDict(extra="ignore")

    phone_number: CallPhone  # an erased call's number is its digest
    call_id: str
    clinic_id: str
    status: CallStatus
    requested_for: UtcDatetime
    scheduled_for: UtcDatetime
    timezone: IanaTimezone
    rescheduled: bool
    attempt: int = 1
    max_attempts: int
    next_retry_at: UtcDatetime | None = None
    retell_call_id: str | None = None
    outcome: CallOutcome | None = None
    disconnection_reason: str | None = None
    status_reason: str | None = Field(default=None, description="Why the call is in its status, in plain words")
    analysis: CallAnalysis | None = None
    transcript: str | None = None
    has_recording: bool = Field(
        default=False, description="Retell recorded the call: GET /calls/{callId}/recording plays it"
    )
    attempts: list[CallAttempt] = Field(default_factory=empty_list)
    created_at: UtcDatetime
    updated_at: UtcDatetime
    created_by: str
    consent: CallConsent | None = Field(default=None, description="The owner's consent, as recorded")
    owner_timezone: str | None = Field(
        default=None,
        description="The owner's time zone (from the number) when its clock differs from the call's `timezone` "
        "at `scheduledFor`",
    )
    owner_local_time: str | None = Field(
        default=None,
        description="`scheduledFor` on the owner's clock (ISO 8601 with the owner's offset), when it differs",
    )
    needs_follow_up: bool = Field(
        default=False, description="Flagged for the clinic's attention and not yet marked done (the worklist)"
    )
    follow_up_reasons: list[str] = Field(
        default_factory=empty_list,
        description="Why the call was flagged: `call_failed`, `call_unresolved`, `callback_requested`, `pet_worse`, "
        "`owner_concern`, `call_unsuccessful`, `do_not_call_requested`",
    )
    flagged_at: UtcDatetime | None = Field(default=None, description="When the call was last flagged for follow-up")
    follow_up: FollowUpDone | None = Field(default=None, description="Once marked done: who, when, and the note")
    version: int = Field(
        default=1,
        description="Goes up on every change of the call; send it back as `If-Match` so that a change made by "
        "someone else meanwhile is refused (`409 changed_meanwhile`) instead of overwritten",
    )
    final_at: UtcDatetime | None = Field(
        default=None, description="When the call became final (retention counts from here)"
    )
    texts_removed_at: UtcDatetime | None = Field(
        default=None,
        description="When its transcript, analysis text, notes and discharge summary were removed (retention or "
        "erasure)",
    )
    erased_at: UtcDatetime | None = Field(
        default=None, description="When the owner's data was erased: names and number are gone"
    )
    language: str = Field(default=DEFAULT_LANGUAGE, description="The language the owner is called (and texted) in")
    text: CallText | None = Field(
        default=None, description="The text follow-up after the phone went unanswered; null until one is due"
    )
    chosen: ChosenTime | None = Field(
        default=None, description="Best time: how `scheduledFor` was chosen in the window"
    )


class Call(CallView):
    """A call as stored: the view plus the bookkeeping that guards concurrent writes.

    ``version`` goes up on every write (optimistic locking). ``schedule_token`` names the one-shot schedule that
    may start the current attempt; every new schedule gets a fresh random token, so a schedule that fires after
    being replaced is recognisably stale, and two writers racing to move a call never share a schedule name.
    ``requeues`` counts how often the current attempt was put back because no dialing lease was free.
    ``checked_at`` is when the reconciler last asked Retell about the call and found nothing to change: it waits a
    while before asking again (``shared.domain.reconciliation``).
    ``number_digest`` is the number's one-way digest (``shared.domain.retention``), the erasure index's key; it stays
    when the number is erased. ``retell_copies_left`` are the Retell call ids whose deletion Retell has still to
    confirm once the texts are removed (asked again on each purge run).
    ``unplaced_dial_key`` is the idempotency key of a dial of the current attempt that the reconciler found Retell
    had not placed (list-calls showed nothing), and ``unplaced_dial_at`` when that key was first sent (its claim):
    the attempt's next dial reuses the key while Retell still honours it (``shared.domain.dialing.dial_key``).
    ``text_token`` names the one-shot schedule that may send the call's text (as ``schedule_token`` an attempt's), and
    ``text_claimed_at`` is when execute claimed the text to send it: a text is sent at most once, so a claim whose
    chat id never came is looked for in Retell, never sent again (``shared.domain.texts``).
    """

    schedule_token: str = ""
    requeues: int = 0
    checked_at: UtcDatetime | None = None
    unplaced_dial_key: str | None = None
    unplaced_dial_at: UtcDatetime | None = None
    number_digest: str | None = None
    retell_copies_left: list[str] = Field(default_factory=empty_list)
    text_token: str | None = None
    text_claimed_at: UtcDatetime | None = None

    def current_attempt(self) -> CallAttempt | None:
        """The latest history entry of the current attempt (a re-queued attempt may have several)."""
        return self.attempt_entry_latest(self.attempt)

    def attempt_entry_latest(self, number: int) -> CallAttempt | None:
        return next((entry for entry in reversed(self.attempts) if entry.number == number), None)

    def view(self) -> CallView:
        view = CallView.model_validate(self.model_dump(), context=STORED_CONTEXT)
        owner = owner_clock(view)
        if owner is not None:
            view.owner_timezone, local = owner
            view.owner_local_time = local.isoformat(timespec="seconds")
        return view


def owner_clock(call: CallView) -> tuple[str, datetime] | None:
    """``scheduledFor`` on the owner's clock, when that differs from the call's (another UTC offset then): the zone
    and the local time. For a number in several zones, the first that differs."""
    if is_erased_number(call.phone_number):
        return None
    call_offset = call.scheduled_for.astimezone(ZoneInfo(call.timezone)).utcoffset()
    for zone in phone_time_zones(call.phone_number):
        local = call.scheduled_for.astimezone(ZoneInfo(zone))
        if local.utcoffset() != call_offset:
            return zone, local
    return None
