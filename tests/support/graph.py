"""The services wired on the in-memory fakes, as ``shared.bootstrap`` wires them on AWS: one ``Graph`` per test.

The services are built by the composition root (``shared.bootstrap``'s ``build_*``), the fakes passed in as its
stores, so the tests exercise the wiring the functions run. Everything is explicit and deterministic: a
``FakeClock`` (Monday 2026-11-23 09:30 in Los Angeles, inside the default clinic's hours), ``Sequence`` call ids
(``call1``, ...) and schedule tokens (``t1``, ...) shared by every service, seeded randomness for the re-queue
jitter. No moto, no monkeypatching.

The helpers play the outside world: ``fire`` is EventBridge Scheduler delivering a schedule's input to execute,
``retell_events``/``deliver`` are Retell calling the webhook. Assertions go to the fakes' state: ``graph.calls``,
``graph.scheduler.schedules``, ``graph.dialer.dials``, ``graph.leases``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.bootstrap.api import build_api
from shared.bootstrap.common import Stores, build_common, number_digests
from shared.bootstrap.execute import build_execute
from shared.bootstrap.reconcile import build_reconciler
from shared.bootstrap.retell_webhook import build_webhook
from shared.config import ApiConfig, RetellConfig
from shared.domain.dialing import DialDefaults
from shared.logic.answer_rates import AnswerRateService
from shared.logic.call_events import CallEventService, EventOutcome
from shared.logic.call_writes import CallWriter
from shared.logic.calls import CallService
from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.do_not_call import DoNotCallService
from shared.logic.execution import CallExecutor, Execution
from shared.logic.overview import OverviewService
from shared.logic.ports import Dialer, IdempotencyRecord, PendingAttempt
from shared.logic.reconciliation import Reconciler
from shared.logic.recordings import RecordingService
from shared.logic.request_budget import ClinicRequestBudget
from shared.logic.retention import ErasureService, RetentionPurge
from shared.logic.texts import TextEventService, TextSender, TextSent
from shared.models.call import Call
from shared.models.execution import ExecuteRequest, ExecuteTrigger
from shared.models.principal import Principal
from shared.models.requests import ScheduleCallRequest
from shared.models.retell import RetellChat, RetellWebhook
from shared.models.settings import ClinicSettings
from tests.support.fakes import (
    FakeClock,
    FakeDialer,
    InMemoryAccountBreaker,
    InMemoryAnswerCounters,
    InMemoryCallStore,
    InMemoryCallSummaries,
    InMemoryClinicRequestCounters,
    InMemoryDialCap,
    InMemoryDialLeases,
    InMemoryDoNotCallStore,
    InMemoryRetentionStore,
    InMemoryScheduler,
    InMemorySettingsStore,
    InMemoryTextTallies,
    RecordingInvoker,
    Sequence,
)

MONDAY_0930_LA = "2026-11-23T17:30:00+00:00"
CLINIC = "clinic-a"
ADMIN = Principal(user_id="admin-1", clinic_id=CLINIC, is_admin=True)
OTHER_ADMIN = Principal(user_id="admin-2", clinic_id=CLINIC, is_admin=True)
STAFF = Principal(user_id="staff-1", clinic_id=CLINIC, is_admin=False)
OTHER_CLINIC = Principal(user_id="admin-b", clinic_id="clinic-b", is_admin=True)
DEFAULTS = DialDefaults(agent_id="agent_default", from_number="+14155550000")
LEASE = timedelta(minutes=20)
CONFIG = ApiConfig(
    table_name="calls",
    schedule_group_name="calls",
    execute_function_arn="arn:aws:lambda:us-east-1:123456789012:function:execute",
    scheduler_role_arn="arn:aws:iam::123456789012:role/scheduler",
    scheduler_dlq_arn="arn:aws:sqs:us-east-1:123456789012:scheduler-dlq",
    page_token_secret_name="page-token-key",
    scheduler_min_lead_seconds=60,  # as deployed
)
"""The functions' configuration as the graphs read it (the names are not used: the stores are in memory)."""

SPAY_FOLLOW_UP: dict[str, Any] = {
    "phoneNumber": "+14155550100",
    "petName": "Luna",
    "ownerName": "Sarah Johnson",
    "vetName": "Dr. Smith",
    "clinicName": "Paws & Claws",
    "clinicPhone": "+14155559876",
    "dischargeSummary": "Spay surgery; keep the cone on for 10 days.",
    "consent": {"given": True, "method": "verbal_at_discharge"},
}
"""A schedule body with no consultation id (any number of these may be active at once)."""
LUNA: dict[str, Any] = {**SPAY_FOLLOW_UP, "metadata": {"source": "idexx_neo", "consultation_id": "12345"}}

# What Retell's ``disconnection_reason`` implies for ``call_started`` (the owner picked up, or a machine did).
CONNECTING_REASONS = frozenset({"agent_hangup", "user_hangup", "voicemail_reached", "concurrency_limit_reached"})


class InterleavingCallStore(InMemoryCallStore):
    """The in-memory store, plus a way to let another writer act between a service's read and its write.

    ``before_write(action, skip=n)`` runs ``action`` just before the (n+1)-th write (``create`` or ``replace``)
    from now on, counting every writer's writes; ``action`` may itself write through a service (a second admin, a
    webhook), change ``calls`` directly, or raise (the table being unavailable)."""

    def __init__(self) -> None:
        super().__init__()
        self.write_attempts = 0
        self._actions: dict[int, list[Callable[[], object]]] = {}

    def before_write(self, action: Callable[[], object], *, skip: int = 0) -> None:
        self._actions.setdefault(self.write_attempts + skip + 1, []).append(action)

    def create(self, call: Call, idempotency: IdempotencyRecord | None = None) -> None:
        self._interleave()
        super().create(call, idempotency)

    def replace(self, call: Call, *, expected: Call) -> None:
        self._interleave()
        super().replace(call, expected=expected)

    def bump(self, call_id: str, **changes: Any) -> Call:
        """Another writer's change, written straight into the table (version + 1)."""
        current = self.calls[call_id]
        self.calls[call_id] = current.model_copy(update={"version": current.version + 1, **changes})
        return self.calls[call_id]

    def _interleave(self) -> None:
        self.write_attempts += 1
        for action in self._actions.pop(self.write_attempts, []):
            action()


@dataclass
class Graph:
    clock: FakeClock
    stores: Stores
    retell_config: RetellConfig
    calls: InterleavingCallStore
    settings_store: InMemorySettingsStore
    leases: InMemoryDialLeases
    scheduler: InMemoryScheduler
    dialer: FakeDialer
    invoker: RecordingInvoker
    tokens: Sequence
    settings: ClinicSettingsService
    writer: CallWriter
    service: CallService
    executor: CallExecutor
    events: CallEventService
    breaker: InMemoryAccountBreaker
    reconciler: Reconciler
    recordings: RecordingService
    workspace_limit: int
    do_not_call_store: InMemoryDoNotCallStore
    do_not_call: DoNotCallService
    dial_cap: InMemoryDialCap
    overview: OverviewService
    request_counters: InMemoryClinicRequestCounters
    budget: ClinicRequestBudget
    retention: InMemoryRetentionStore
    purge: RetentionPurge
    erasure: ErasureService
    texts: TextSender
    text_events: TextEventService
    text_tallies: InMemoryTextTallies
    answer_counters: InMemoryAnswerCounters
    answer_rates: AnswerRateService

    # -- the clinic ----------------------------------------------------------------------------------------------

    def configure(self, clinic_id: str = CLINIC, **changes: Any) -> ClinicSettings:
        """Store the clinic's settings: what it has (or the defaults) with ``changes``, named in camelCase."""
        base = self.settings.current(clinic_id).model_dump()
        settings = ClinicSettings.model_validate({**base, **changes})
        self.settings_store.put(clinic_id, settings, updated_by="test", now=self.clock())
        return settings

    # -- calls ---------------------------------------------------------------------------------------------------

    def schedule(self, principal: Principal = ADMIN, key: str | None = None, **overrides: Any) -> Call:
        """Schedule a call for Luna (``overrides`` in the API's camelCase) and return it as stored."""
        body = {**LUNA, **overrides}  # no scheduledFor: the next open slot from now
        result = self.service.schedule(principal, ScheduleCallRequest.model_validate(body), key)
        return self.stored(result.call.call_id)

    def stored(self, call_id: str) -> Call:
        return self.calls.calls[call_id].model_copy(deep=True)

    def schedules_of(self, call_id: str) -> list[str]:
        return sorted(name for name, pending in self.scheduler.schedules.items() if pending.call_id == call_id)

    def live_schedule_name(self, call: Call) -> str:
        return f"call-{call.call_id}-a{call.attempt}-{call.schedule_token}"

    # -- Scheduler -----------------------------------------------------------------------------------------------

    def request_for(self, call: Call, trigger: ExecuteTrigger = ExecuteTrigger.SCHEDULE) -> ExecuteRequest:
        """What the call's current schedule would deliver."""
        return ExecuteRequest(
            call_id=call.call_id,
            clinic_id=call.clinic_id,
            attempt=call.attempt,
            token=call.schedule_token,
            scheduled_time=call.scheduled_for,
            trigger=trigger,
        )

    def fire(self, call_id: str) -> Execution:
        """Scheduler fires the call's one pending schedule: the clock moves to its time (if later), the schedule
        deletes itself (``ActionAfterCompletion=DELETE``) and execute receives its input."""
        (name,) = self.schedules_of(call_id)
        return self.executor.execute(self._fired(self.scheduler.schedules[name]))

    def _fired(self, pending: PendingAttempt) -> ExecuteRequest:
        """The schedule fires: it deletes itself, the clock moves to its time (if later), and this is its input."""
        del self.scheduler.schedules[pending.schedule_name]
        self.clock.now = max(self.clock.now, pending.fire_at)
        return ExecuteRequest(
            call_id=pending.call_id,
            clinic_id=pending.clinic_id,
            attempt=pending.attempt,
            token=pending.token,
            scheduled_time=pending.fire_at,
            action=pending.action,
        )

    def executor_dying_before_the_dial(self) -> CallExecutor:
        """The execute function's service, over the same fakes, in a container that dies between claim and dial."""

        def crash() -> Dialer:
            raise RuntimeError("the function died between claim and dial")

        execute = build_execute(
            CONFIG,
            self.retell_config,
            stores=self.stores,
            dialer=crash,
            texter=lambda: self.dialer,
            clock=self.clock,
            new_token=self.tokens,
        )
        return execute.executor

    def dialed_call(self, **overrides: Any) -> Call:
        """A call scheduled for now and dialed by its schedule."""
        call = self.schedule(**overrides)
        execution = self.fire(call.call_id)
        assert execution.result == "dialed", execution
        return self.stored(call.call_id)

    # -- Retell --------------------------------------------------------------------------------------------------

    def webhook(
        self,
        event: str,
        call: Call,
        reason: str | None = None,
        *,
        attempt: int | None = None,
        retell_call_id: str | None = None,
        analysis: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> RetellWebhook:
        """A Retell event about the call's latest dial (or the one named), stamped with the clock's time."""
        now_ms = int(self.clock().timestamp() * 1000)
        latest = call.current_attempt()
        retell_id = retell_call_id or (latest.retell_call_id if latest else None) or call.retell_call_id
        assert retell_id is not None, "the call was never dialed"
        body: dict[str, Any] = {
            "call_id": retell_id,
            "metadata": metadata
            if metadata is not None
            else {"call_id": call.call_id, "clinic_id": call.clinic_id, "attempt": attempt or call.attempt},
            "start_timestamp": now_ms - 60_000,
        }
        if event != "call_started":
            body |= {
                "disconnection_reason": reason,
                "end_timestamp": now_ms,
                "transcript": f"Agent: Hello, this is about {call.pet_name}.",
                "recording_url": f"https://retell.example/{retell_id}.wav",
            }
        if event == "call_analyzed":
            body["call_analysis"] = analysis or {"call_summary": f"ended: {reason}", "call_successful": True}
        return RetellWebhook.model_validate({"event": event, "call": body})

    def retell_events(self, call: Call, reason: str, **kwargs: Any) -> list[RetellWebhook]:
        """What Retell sends for a dial that ends with ``reason``, in order."""
        started = [self.webhook("call_started", call, **kwargs)] if reason in CONNECTING_REASONS else []
        return [
            *started,
            self.webhook("call_ended", call, reason, **kwargs),
            self.webhook("call_analyzed", call, reason, **kwargs),
        ]

    # -- texts ---------------------------------------------------------------------------------------------------

    def text_schedule(self, call_id: str) -> PendingAttempt:
        (pending,) = [p for p in self.scheduler.schedules.values() if p.call_id == call_id and p.action == "text"]
        return pending

    def fire_text(self, call_id: str) -> TextSent:
        """Scheduler fires the call's text schedule (the clock moves to its time)."""
        return self.texts.send(self._fired(self.text_schedule(call_id)))

    def chat(
        self,
        call: Call,
        status: str = "ended",
        replies: tuple[str, ...] = (),
        analysis: dict[str, Any] | None = None,
        chat_id: str | None = None,
    ) -> RetellChat:
        """Retell's chat of the call's text, as its webhooks and get-chat give it."""
        now_ms = int(self.clock().timestamp() * 1000)
        messages = [{"role": "agent", "content": f"Hi, this is about {call.pet_name}. How is she doing?"}]
        messages += [{"role": "user", "content": reply} for reply in replies]
        body: dict[str, Any] = {
            "chat_id": chat_id or (call.text.chat_id if call.text and call.text.chat_id else "chat_1"),
            "chat_status": status,
            "metadata": {"call_id": call.call_id, "clinic_id": call.clinic_id},
            "start_timestamp": now_ms - 60_000,
            "transcript": "\n".join(f"{m['role'].title()}: {m['content']}" for m in messages),
            "message_with_tool_calls": messages,
        }
        if status != "ongoing":
            body["end_timestamp"] = now_ms
        if analysis is not None:
            body["chat_analysis"] = analysis
        return RetellChat.model_validate(body)

    def deliver(self, *webhooks: RetellWebhook) -> list[EventOutcome]:
        return [self.events.apply(webhook) for webhook in webhooks]

    def finish(self, call_id: str, reason: str) -> list[EventOutcome]:
        """Retell ends the call's current dial with ``reason`` and sends all its events."""
        return self.deliver(*self.retell_events(self.stored(call_id), reason))


def build_graph(
    now: str = MONDAY_0930_LA,
    *,
    defaults: DialDefaults = DEFAULTS,
    dial_outcomes: list[str | int] | None = None,
    workspace_limit: int = 20,
    seed: int = 12,
) -> Graph:
    """The calls API, execute, the webhook and the reconciler's services, built by ``shared.bootstrap`` as the
    functions build them, over one set of fakes (one rng and one token sequence shared by all, as one clock)."""
    clock = FakeClock(now)
    calls = InterleavingCallStore()
    settings_store, scheduler, breaker = InMemorySettingsStore(), InMemoryScheduler(), InMemoryAccountBreaker()
    retention = InMemoryRetentionStore(calls, settings_store)
    text_tallies = InMemoryTextTallies()
    leases, do_not_call_store, dial_cap = (
        InMemoryDialLeases(calls.live_attempts),
        InMemoryDoNotCallStore(),
        InMemoryDialCap(),
    )
    answer_counters = InMemoryAnswerCounters()
    stores = Stores(
        calls=calls,
        settings=settings_store,
        scheduler=scheduler,
        leases=leases,
        breaker=breaker,
        do_not_call=do_not_call_store,
        dial_cap=dial_cap,
        retention=retention,
        text_tallies=text_tallies,
        answers=answer_counters,
    )
    retell_config = RetellConfig(
        retell_secret_name="retell",
        retell_default_agent_id=defaults.agent_id,
        retell_default_text_agent_id="agent_text_default",
        retell_default_from_number=defaults.from_number,
        retell_concurrency_limit=workspace_limit,
        dial_lease_seconds=int(LEASE.total_seconds()),
    )
    dialer = FakeDialer(outcomes=list(dial_outcomes or []))
    invoker = RecordingInvoker()
    tokens = Sequence("t")
    rng = random.Random(seed)
    request_counters = InMemoryClinicRequestCounters()
    api = build_api(
        CONFIG,
        stores=stores,
        summaries=InMemoryCallSummaries(calls),
        counters=request_counters,
        invoker=invoker,
        retell=lambda: dialer,
        copies=lambda: dialer,
        number_digest=number_digests(lambda: b"test key"),
        clock=clock,
        new_call_id=Sequence("call"),
        new_token=tokens,
    )
    execute = build_execute(
        CONFIG,
        retell_config,
        stores=stores,
        dialer=lambda: dialer,
        texter=lambda: dialer,
        clock=clock,
        new_token=tokens,
        rng=rng,
    )
    webhook = build_webhook(CONFIG, stores=stores, signing_keys=list, clock=clock, new_token=tokens, rng=rng)
    reconciler = build_reconciler(
        CONFIG,
        stores=stores,
        invoker=invoker,
        dialer=lambda: dialer,
        texter=lambda: dialer,
        copies=lambda: dialer,
        clock=clock,
        new_token=tokens,
        rng=rng,
    )
    return Graph(
        clock=clock,
        stores=stores,
        retell_config=retell_config,
        calls=calls,
        settings_store=settings_store,
        leases=leases,
        scheduler=scheduler,
        dialer=dialer,
        invoker=invoker,
        tokens=tokens,
        settings=api.settings,
        writer=build_common(CONFIG, stores, clock).access.writer,
        service=api.calls,
        executor=execute.executor,
        events=webhook.events,
        breaker=breaker,
        reconciler=reconciler.reconciler,
        recordings=api.recordings,
        workspace_limit=workspace_limit,
        do_not_call_store=do_not_call_store,
        do_not_call=api.do_not_call,
        dial_cap=dial_cap,
        overview=api.overview,
        request_counters=request_counters,
        budget=api.budget,
        retention=retention,
        purge=reconciler.purge,
        erasure=api.erasure,
        texts=execute.texts,
        text_events=webhook.texts,
        text_tallies=text_tallies,
        answer_counters=answer_counters,
        answer_rates=api.answer_rates,
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
