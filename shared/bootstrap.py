"""The composition root: each function's services, built from explicit inputs (config, clients, clock).

``build_api``, ``build_execute`` and ``build_webhook`` are pure wiring: they take everything they use. The
``*_from_environment`` helpers supply what a Lambda container has (the validated environment, boto3 clients,
secrets read through Powertools' cache, the wall clock); each handler builds its graph once per container with
them. Tests and the local stack build their own graphs (a frozen clock, an in-process execute invoker).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.adapters.call_scheduler import CallScheduler, SchedulerTarget, new_schedule_token
from shared.adapters.execute_invoker import LambdaExecuteInvoker
from shared.adapters.retell_dialer import RetellConnection, RetellDialer
from shared.config import ApiConfig, FunctionConfig, NotifyConfig, RetellConfig, from_environment
from shared.dal.account_breaker import DynamoAccountBreaker
from shared.dal.call_repository import CallRepository
from shared.dal.call_summaries import CallSummaryReader
from shared.dal.dial_cap import DialCapRepository
from shared.dal.dial_leases import DialLeases
from shared.dal.do_not_call import DoNotCallRepository
from shared.dal.notices import NoticeRepository
from shared.dal.pagination import PageTokens
from shared.dal.read_ahead import DynamoReadAhead, ReadAheadClient
from shared.dal.settings_repository import SettingsRepository
from shared.domain.dialing import DialDefaults
from shared.logic.call_events import CallEventService
from shared.logic.call_writes import CallWriter
from shared.logic.calls import CallService, random_call_id
from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.do_not_call import DoNotCallService
from shared.logic.execution import CallExecutor
from shared.logic.notices import CHAT, EMAIL, NoticeService
from shared.logic.overview import OverviewService
from shared.logic.ports import Clock, Dialer, ExecuteInvoker, LeaseLimits, Notice, NoticeChannel
from shared.logic.reconciliation import Reconciler
from shared.logic.recordings import RecordingService
from shared.models.execution import ExecuteRequest

SECRET_MAX_AGE_SECONDS = 300
"""Secrets are re-read from Secrets Manager at most every five minutes (a rotation takes effect by then)."""

SecretReader = Callable[[str], str]
"""A secret's name -> its current value."""


def utc_now() -> datetime:
    return datetime.now(UTC)


# -- the graphs -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiServices:
    """What the API function's routes use."""

    config: ApiConfig
    calls: CallService
    settings: ClinicSettingsService
    recordings: RecordingService
    overview: OverviewService
    do_not_call: DoNotCallService


@dataclass(frozen=True)
class ExecuteServices:
    """What the execute function uses."""

    executor: CallExecutor
    leases: DialLeases
    clock: Clock


@dataclass(frozen=True)
class WebhookServices:
    """What the Retell webhook uses: the keys its signatures may be made with, and the event service."""

    events: CallEventService
    signing_keys: Callable[[], list[str]]


@dataclass(frozen=True)
class ReconcilerServices:
    """What the reconciler uses."""

    reconciler: Reconciler
    clock: Clock


@dataclass(frozen=True)
class _Storage:
    calls: CallRepository
    writer: CallWriter
    settings: ClinicSettingsService
    leases: DialLeases
    breaker: DynamoAccountBreaker
    do_not_call: DoNotCallService
    dial_cap: DialCapRepository
    dynamodb: ReadAheadClient
    read_ahead: DynamoReadAhead


def _storage(
    config: FunctionConfig, *, dynamodb: Any, scheduler_client: Any, page_token_key: Callable[[], bytes], clock: Clock
) -> _Storage:
    dynamodb = ReadAheadClient(dynamodb)  # one client for every repository, so a step's reads can go in one request
    calls = CallRepository(dynamodb, config.table_name, PageTokens(page_token_key))
    scheduler = CallScheduler(
        scheduler_client,
        SchedulerTarget(
            group_name=config.schedule_group_name,
            execute_function_arn=config.execute_function_arn,
            role_arn=config.scheduler_role_arn,
            dead_letter_queue_arn=config.scheduler_dlq_arn,
        ),
    )
    settings = ClinicSettingsService(SettingsRepository(dynamodb, config.table_name), clock=clock)
    return _Storage(
        calls=calls,
        writer=CallWriter(
            calls,
            scheduler,
            timedelta(seconds=config.scheduler_min_lead_seconds),
            follow_up_rules=lambda clinic_id: settings.current(clinic_id).follow_up_rules,
        ),
        settings=settings,
        leases=DialLeases(dynamodb, config.table_name, live=calls.live_attempts),
        breaker=DynamoAccountBreaker(dynamodb, config.table_name),
        do_not_call=DoNotCallService(DoNotCallRepository(dynamodb, config.table_name), clock=clock),
        dial_cap=DialCapRepository(dynamodb, config.table_name),
        dynamodb=dynamodb,
        read_ahead=DynamoReadAhead(dynamodb, config.table_name),
    )


def _no_page_tokens() -> bytes:
    raise RuntimeError("only the API pages")


def build_api(
    config: ApiConfig,
    *,
    dynamodb: Any,
    scheduler_client: Any,
    invoker: ExecuteInvoker,
    page_token_key: Callable[[], bytes],
    retell: Callable[[], Dialer],
    clock: Clock,
    new_call_id: Callable[[], str] = random_call_id,
    new_token: Callable[[], str] = new_schedule_token,
) -> ApiServices:
    """The API's services on the configured table and schedule group (fixed ids make reproducible samples)."""
    storage = _storage(
        config, dynamodb=dynamodb, scheduler_client=scheduler_client, page_token_key=page_token_key, clock=clock
    )
    calls = CallService(
        storage.calls,
        storage.writer,
        storage.settings,
        clock=clock,
        invoker=invoker,
        new_call_id=new_call_id,
        new_token=new_token,
        do_not_call=storage.do_not_call,
        read_ahead=storage.read_ahead,
    )
    overview = OverviewService(CallSummaryReader(dynamodb, config.table_name), storage.settings, clock=clock)
    return ApiServices(
        config=config,
        calls=calls,
        settings=storage.settings,
        recordings=RecordingService(storage.calls, retell),
        overview=overview,
        do_not_call=storage.do_not_call,
    )


def lease_limits(config: RetellConfig) -> Callable[[int], LeaseLimits]:
    def limits(clinic_limit: int) -> LeaseLimits:
        return LeaseLimits(
            clinic=clinic_limit,
            workspace=config.retell_concurrency_limit,
            duration=timedelta(seconds=config.dial_lease_seconds),
        )

    return limits


def build_execute(
    config: FunctionConfig,
    retell: RetellConfig,
    *,
    dynamodb: Any,
    scheduler_client: Any,
    dialer: Callable[[], Dialer],
    clock: Clock,
) -> ExecuteServices:
    storage = _storage(
        config, dynamodb=dynamodb, scheduler_client=scheduler_client, page_token_key=_no_page_tokens, clock=clock
    )
    executor = CallExecutor(
        storage.writer,
        storage.settings,
        storage.leases,
        storage.breaker,
        dialer=dialer,
        defaults=DialDefaults(agent_id=retell.retell_default_agent_id, from_number=retell.retell_default_from_number),
        lease_limits=lease_limits(retell),
        clock=clock,
        new_token=new_schedule_token,
        do_not_call=DoNotCallRepository(storage.dynamodb, config.table_name),
        dial_cap=storage.dial_cap,
        read_ahead=storage.read_ahead,
    )
    return ExecuteServices(executor=executor, leases=storage.leases, clock=clock)


def build_webhook(
    config: FunctionConfig,
    retell: RetellConfig,
    *,
    dynamodb: Any,
    scheduler_client: Any,
    signing_keys: Callable[[], list[str]],
    clock: Clock,
) -> WebhookServices:
    storage = _storage(
        config, dynamodb=dynamodb, scheduler_client=scheduler_client, page_token_key=_no_page_tokens, clock=clock
    )
    return WebhookServices(events=_events(storage, retell, clock), signing_keys=signing_keys)


def _events(storage: _Storage, retell: RetellConfig, clock: Clock) -> CallEventService:
    return CallEventService(
        storage.writer,
        storage.settings,
        storage.breaker,
        clock=clock,
        new_token=new_schedule_token,
        do_not_call=storage.do_not_call,
        read_ahead=storage.read_ahead,
    )


def build_reconciler(
    config: FunctionConfig,
    retell: RetellConfig,
    *,
    dynamodb: Any,
    scheduler_client: Any,
    invoker: ExecuteInvoker,
    dialer: Callable[[], Dialer],
    clock: Clock,
) -> ReconcilerServices:
    storage = _storage(
        config, dynamodb=dynamodb, scheduler_client=scheduler_client, page_token_key=_no_page_tokens, clock=clock
    )
    reconciler = Reconciler(
        storage.calls,
        storage.writer,
        _events(storage, retell, clock),
        storage.settings,
        storage.leases,
        invoker,
        dialer,
        clock=clock,
        new_token=new_schedule_token,
    )
    return ReconcilerServices(reconciler=reconciler, clock=clock)


@dataclass(frozen=True)
class NotifyServices:
    """What the notify function uses."""

    notices: NoticeService
    clock: Clock


def notice_channels(ses: Any, config: NotifyConfig) -> dict[str, NoticeChannel]:
    """Chat webhooks always; email when the deployment names its sender identity."""
    # Imported here, not at the top: only the notify function sends, and the channels bring httpx (~80 ms of every
    # other function's cold start otherwise).
    from shared.adapters.notice_channels import ChatWebhookChannel, SesEmailChannel

    channels: dict[str, NoticeChannel] = {CHAT: ChatWebhookChannel()}
    if config.notification_sender:
        channels[EMAIL] = SesEmailChannel(ses, config.notification_sender)
    return channels


def build_notify(
    config: NotifyConfig,
    *,
    dynamodb: Any,
    channels: dict[str, NoticeChannel],
    clock: Clock,
    on_sent: Callable[[Notice, datetime], None] | None = None,
) -> NotifyServices:
    """Its own page-token key: the digest pages through a clinic's calls within one run, no token leaves it."""
    key = secrets.token_bytes(32)
    settings_repository = SettingsRepository(dynamodb, config.table_name)
    notices = NoticeService(
        NoticeRepository(dynamodb, config.table_name),
        ClinicSettingsService(settings_repository, clock=clock),
        channels,
        settings_repository,
        CallRepository(dynamodb, config.table_name, PageTokens(lambda: key)),
        dashboard_url=config.dashboard_url,
        operator_emails=config.operators(),
        clock=clock,
        on_sent=on_sent,
    )
    return NotifyServices(notices=notices, clock=clock)


# -- Retell's keys --------------------------------------------------------------------------------------------------


def parse_retell_keys(value: str) -> list[str]:
    """The Retell API key (and, during a rotation, the previous one) from the secret's value.

    The secret is the key itself, or ``{"apiKey": ..., "previousApiKey": ...}`` while rotating: webhooks signed
    with either key verify, dials use the current one."""
    if value.lstrip().startswith("{"):
        document = json.loads(value)
        return [key for key in (document.get("apiKey"), document.get("previousApiKey")) if key]
    return [value.strip()]


def retell_api_keys(read_secret: SecretReader, config: RetellConfig) -> Callable[[], list[str]]:
    return lambda: parse_retell_keys(read_secret(config.retell_secret_name))


class RetellDialers:
    """A Retell client for the current key (a new one after a rotation)."""

    def __init__(self, config: RetellConfig, keys: Callable[[], list[str]]):
        self._config = config
        self._keys = keys
        self._dialers: dict[str, RetellDialer] = {}

    def __call__(self) -> Dialer:
        key = self._keys()[0]
        if key not in self._dialers:
            self._dialers.clear()
            self._dialers[key] = RetellDialer(
                RetellConnection(
                    api_key=key,
                    base_url=self._config.retell_base_url,
                    timeout_seconds=self._config.retell_timeout_seconds,
                )
            )
        return self._dialers[key]


# -- from a container's environment ---------------------------------------------------------------------------------


def powertools_secrets(max_age: int = SECRET_MAX_AGE_SECONDS) -> SecretReader:
    """Secrets Manager through a Powertools provider of this graph's own (its cache lives as long as the graph);
    the client is made on the first read."""
    providers: list[Any] = []

    def read(name: str) -> str:
        if not providers:
            from aws_lambda_powertools.utilities.parameters import SecretsProvider

            providers.append(SecretsProvider())
        return str(providers[0].get(name, max_age=max_age))

    return read


class LambdaInvoker:
    """ "Call now" through Lambda's asynchronous invocation (the client is made on the first call now)."""

    def __init__(self, function_arn: str):
        self._function_arn = function_arn
        self._invoker: LambdaExecuteInvoker | None = None

    def invoke(self, request: ExecuteRequest) -> None:
        if self._invoker is None:
            import boto3

            self._invoker = LambdaExecuteInvoker(boto3.client("lambda"), self._function_arn)
        self._invoker.invoke(request)


def _clients() -> dict[str, Any]:
    import boto3

    return {"dynamodb": boto3.client("dynamodb"), "scheduler_client": boto3.client("scheduler")}


def api_from_environment(
    *,
    clock: Clock = utc_now,
    invoker: ExecuteInvoker | None = None,
    read_secret: SecretReader | None = None,
    new_call_id: Callable[[], str] = random_call_id,
    new_token: Callable[[], str] = new_schedule_token,
    retell: RetellConfig | None = None,
) -> ApiServices:
    """The API's services as a container has them (``invoker`` defaults to Lambda's asynchronous invocation)."""
    config = from_environment(ApiConfig)
    retell = retell or from_environment(RetellConfig)
    secrets = read_secret or powertools_secrets()
    return build_api(
        config,
        **_clients(),
        invoker=invoker or LambdaInvoker(config.execute_function_arn),
        page_token_key=lambda: secrets(config.page_token_secret_name).encode(),
        retell=RetellDialers(retell, retell_api_keys(secrets, retell)),
        clock=clock,
        new_call_id=new_call_id,
        new_token=new_token,
    )


def execute_from_environment(
    *, clock: Clock = utc_now, retell: RetellConfig | None = None, read_secret: SecretReader | None = None
) -> ExecuteServices:
    retell = retell or from_environment(RetellConfig)
    keys = retell_api_keys(read_secret or powertools_secrets(), retell)
    return build_execute(
        from_environment(FunctionConfig), retell, **_clients(), dialer=RetellDialers(retell, keys), clock=clock
    )


def webhook_from_environment(
    *, clock: Clock = utc_now, retell: RetellConfig | None = None, read_secret: SecretReader | None = None
) -> WebhookServices:
    retell = retell or from_environment(RetellConfig)
    keys = retell_api_keys(read_secret or powertools_secrets(), retell)
    return build_webhook(from_environment(FunctionConfig), retell, **_clients(), signing_keys=keys, clock=clock)


def reconciler_from_environment(
    *,
    clock: Clock = utc_now,
    retell: RetellConfig | None = None,
    read_secret: SecretReader | None = None,
    invoker: ExecuteInvoker | None = None,
) -> ReconcilerServices:
    config = from_environment(FunctionConfig)
    retell = retell or from_environment(RetellConfig)
    keys = retell_api_keys(read_secret or powertools_secrets(), retell)
    return build_reconciler(
        config,
        retell,
        **_clients(),
        invoker=invoker or LambdaInvoker(config.execute_function_arn),
        dialer=RetellDialers(retell, keys),
        clock=clock,
    )


def notify_from_environment(
    *,
    clock: Clock = utc_now,
    channels: dict[str, NoticeChannel] | None = None,
    on_sent: Callable[[Notice, datetime], None] | None = None,
) -> NotifyServices:
    import boto3

    config = from_environment(NotifyConfig)
    return build_notify(
        config,
        dynamodb=boto3.client("dynamodb"),
        channels=channels or notice_channels(boto3.client("ses"), config),
        clock=clock,
        on_sent=on_sent,
    )


def validate_environment(*, retell: bool, api: bool = False, notify: bool = False) -> None:
    """In Lambda, check the environment while the container starts, so a misconfigured deployment fails its
    first invocation's init loudly (with pydantic's message) instead of a request deep inside. Elsewhere (tests,
    benchmarks importing a handler) nothing is checked until a graph is built."""
    if not os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return
    if notify:
        from_environment(NotifyConfig)
        return
    from_environment(FunctionConfig)
    if api:
        from_environment(ApiConfig)
    if retell:
        from_environment(RetellConfig)
