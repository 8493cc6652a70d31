"""What the functions' graphs share: the stores (one DynamoDB client for every repository) and the services built
first over them, Retell's keys,
secrets through Powertools' cache, Lambda's invoker of execute, the AWS clients and the environment check.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.adapters.call_scheduler import CallScheduler, SchedulerTarget
from shared.config import ApiConfig, FunctionConfig, NoticesConfig, RetellConfig, from_environment
from shared.dal.account_breaker import DynamoAccountBreaker
from shared.dal.answer_counters import DynamoAnswerCounters
from shared.dal.call_repository import CallRepository
from shared.dal.dial_cap import DialCapRepository
from shared.dal.dial_leases import DynamoDialLeases
from shared.dal.do_not_call import DoNotCallRepository
from shared.dal.pagination import PageTokens
from shared.dal.read_ahead import DynamoReadAhead, ReadAheadClient
from shared.dal.retention import RetentionRepository
from shared.dal.settings_repository import SettingsRepository
from shared.dal.text_tallies import DynamoTextTallies
from shared.logic.answer_rates import AnswerRateService
from shared.logic.call_writes import CallAccess, CallWriter
from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.do_not_call import DoNotCallService
from shared.logic.ports import (
    AccountBreaker,
    AnswerCounters,
    AttemptScheduler,
    CallStore,
    Clock,
    DialCap,
    DialLeases,
    DoNotCallStore,
    NoReadAhead,
    ReadAhead,
    RetentionStore,
    SettingsStore,
    TextTallies,
)

if TYPE_CHECKING:
    from shared.adapters.execute_invoker import LambdaExecuteInvoker
    from shared.models.execution import ExecuteRequest

SECRET_MAX_AGE_SECONDS = 300
"""Secrets are re-read from Secrets Manager at most every five minutes (a rotation takes effect by then)."""

SecretReader = Callable[[str], str]
"""A secret's name -> its current value."""


def utc_now() -> datetime:
    return datetime.now(UTC)


# -- the stores, and the services every graph but the notices function's shares -----------------------------------


@dataclass(frozen=True)
class Stores:
    """The ports a graph's services stand on: DynamoDB and Scheduler in a function (``dynamo_stores``), in-memory
    fakes in the unit tests."""

    calls: CallStore
    settings: SettingsStore
    scheduler: AttemptScheduler
    leases: DialLeases
    breaker: AccountBreaker
    do_not_call: DoNotCallStore
    dial_cap: DialCap
    retention: RetentionStore
    text_tallies: TextTallies
    answers: AnswerCounters
    read_ahead: ReadAhead = field(default_factory=NoReadAhead)


def dynamo_stores(
    config: FunctionConfig, *, dynamodb: Any, scheduler_client: Any, page_token_key: Callable[[], bytes]
) -> Stores:
    """The stores on the configured table and schedule group."""
    dynamodb = ReadAheadClient(dynamodb)  # one client for every repository, so a step's reads can go in one request
    page_tokens = PageTokens(page_token_key)
    calls = CallRepository(dynamodb, config.table_name, page_tokens)
    scheduler = CallScheduler(
        scheduler_client,
        SchedulerTarget(
            group_name=config.schedule_group_name,
            execute_function_arn=config.execute_function_arn,
            role_arn=config.scheduler_role_arn,
            dead_letter_queue_arn=config.scheduler_dlq_arn,
        ),
    )
    return Stores(
        calls=calls,
        settings=SettingsRepository(dynamodb, config.table_name),
        scheduler=scheduler,
        leases=DynamoDialLeases(dynamodb, config.table_name, live=calls.live_attempts),
        breaker=DynamoAccountBreaker(dynamodb, config.table_name),
        do_not_call=DoNotCallRepository(dynamodb, config.table_name, page_tokens),
        dial_cap=DialCapRepository(dynamodb, config.table_name),
        retention=RetentionRepository(dynamodb, config.table_name),
        text_tallies=DynamoTextTallies(dynamodb, config.table_name),
        answers=DynamoAnswerCounters(dynamodb, config.table_name),
        read_ahead=DynamoReadAhead(dynamodb, config.table_name),
    )


@dataclass(frozen=True)
class CommonServices:
    """The services every graph but the notices function's builds first over its stores: the calls' access (their
    writer with its schedules, the clinics' settings), the settings and the do-not-call list."""

    stores: Stores
    access: CallAccess
    settings: ClinicSettingsService
    do_not_call: DoNotCallService
    answer_rates: AnswerRateService


def build_common(config: FunctionConfig, stores: Stores, clock: Clock) -> CommonServices:
    settings = ClinicSettingsService(stores.settings, clock=clock)
    writer = CallWriter(
        stores.calls,
        stores.scheduler,
        timedelta(seconds=config.scheduler_min_lead_seconds),
        settings=settings.current,
        text_tallies=stores.text_tallies,
        answers=stores.answers,
    )
    return CommonServices(
        stores=stores,
        access=CallAccess(stores.calls, writer, settings, stores.read_ahead),
        settings=settings,
        do_not_call=DoNotCallService(stores.do_not_call, clock=clock),
        answer_rates=AnswerRateService(stores.answers, clock=clock),
    )


def no_page_tokens() -> bytes:
    raise RuntimeError("only the API pages")


NUMBER_DIGEST_CONTEXT = b"owner number digest"


def number_digests(page_token_key: Callable[[], bytes]) -> Callable[[str], str]:
    """Numbers' one-way digests (``shared.domain.retention.number_digest``) under a key derived from the page-token
    key (the deployment's one generated secret the API already reads), for this use only. Never rotate that secret:
    stored digests would no longer match their numbers (``docs/operator-guide.md``)."""
    import hashlib
    import hmac

    from shared.domain.retention import number_digest

    keys: list[bytes] = []

    def digest(phone_number: str) -> str:
        if not keys:
            keys.append(hmac.new(page_token_key(), NUMBER_DIGEST_CONTEXT, hashlib.sha256).digest())
        return number_digest(keys[0], phone_number)

    return digest


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
            # Here, not at the top: the webhook's graph shares this module and never invokes execute (the adapter
            # brings execute's request model).
            import boto3

            from shared.adapters.execute_invoker import LambdaExecuteInvoker

            self._invoker = LambdaExecuteInvoker(boto3.client("lambda"), self._function_arn)
        self._invoker.invoke(request)


def aws_clients() -> dict[str, Any]:
    import boto3

    return {"dynamodb": boto3.client("dynamodb"), "scheduler_client": boto3.client("scheduler")}


def validate_environment(*, retell: bool, api: bool = False, notices: bool = False) -> None:
    """In Lambda, check the environment while the container starts, so a misconfigured deployment fails its
    first invocation's init loudly (with pydantic's message) instead of a request deep inside. Elsewhere (tests,
    benchmarks importing a handler) nothing is checked until a graph is built."""
    if not os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return
    if notices:
        from_environment(NoticesConfig)
        return
    from_environment(FunctionConfig)
    if api:
        from_environment(ApiConfig)
    if retell:
        from_environment(RetellConfig)
