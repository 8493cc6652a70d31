"""The composition root: builds each function's services once per Lambda container (reused while warm).

Handlers ask for what they need (``call_service()``, ``executor()``, ``event_service()``); tests swap the clock
(``utc_now``) or the execute invoker, then ``reset()``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import boto3

from shared.adapters.call_scheduler import CallScheduler, SchedulerTarget, new_schedule_token
from shared.adapters.execute_invoker import LambdaExecuteInvoker
from shared.adapters.retell_dialer import RetellConnection, RetellDialer
from shared.config import ApiConfig, FunctionConfig, RetellConfig, from_environment
from shared.dal.call_repository import CallRepository
from shared.dal.dial_leases import DialLeases
from shared.dal.pagination import PageTokens
from shared.dal.settings_repository import SettingsRepository
from shared.domain.dialing import DialDefaults
from shared.logic.call_events import CallEventService
from shared.logic.call_writes import CallWriter
from shared.logic.calls import CallService, random_call_id
from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.execution import CallExecutor
from shared.logic.ports import Dialer, ExecuteInvoker, LeaseLimits

SECRET_MAX_AGE_SECONDS = 300
"""The Retell key is re-read from Secrets Manager at most every five minutes (a rotation takes effect by then)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def _clock() -> datetime:
    return utc_now()  # looked up on each call, so a test's frozen clock reaches services built before it


@cache
def function_config() -> FunctionConfig:
    return from_environment(FunctionConfig)


@cache
def api_config() -> ApiConfig:
    return from_environment(ApiConfig)


@cache
def retell_config() -> RetellConfig:
    return from_environment(RetellConfig)


@cache
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


def page_token_key() -> bytes:
    """The key that authenticates ``nextToken`` values, from Secrets Manager (cached by Powertools; read only by
    the API, and only when it pages)."""
    from aws_lambda_powertools.utilities import parameters

    secret = parameters.get_secret(api_config().page_token_secret_name, max_age=SECRET_MAX_AGE_SECONDS)
    return str(secret).encode()


@cache
def call_repository() -> CallRepository:
    return CallRepository(_dynamodb(), function_config().table_name, PageTokens(page_token_key))


@cache
def settings_service() -> ClinicSettingsService:
    return ClinicSettingsService(SettingsRepository(_dynamodb(), function_config().table_name), clock=_clock)


@cache
def dial_leases() -> DialLeases:
    return DialLeases(_dynamodb(), function_config().table_name)


@cache
def call_scheduler() -> CallScheduler:
    cfg = function_config()
    return CallScheduler(
        boto3.client("scheduler"),
        SchedulerTarget(
            group_name=cfg.schedule_group_name,
            execute_function_arn=cfg.execute_function_arn,
            role_arn=cfg.scheduler_role_arn,
            dead_letter_queue_arn=cfg.scheduler_dlq_arn,
        ),
    )


@cache
def call_writer() -> CallWriter:
    lead = timedelta(seconds=function_config().scheduler_min_lead_seconds)
    return CallWriter(call_repository(), call_scheduler(), lead)


_invoker_override: list[ExecuteInvoker] = []


def use_execute_invoker(invoker: ExecuteInvoker | None) -> None:
    """Run "call now" through ``invoker`` instead of Lambda (the local stack and tests have no Lambda service)."""
    _invoker_override[:] = [invoker] if invoker is not None else []
    call_service.cache_clear()


@cache
def _lambda_invoker() -> ExecuteInvoker:
    return LambdaExecuteInvoker(boto3.client("lambda"), function_config().execute_function_arn)


def execute_invoker() -> ExecuteInvoker:
    return _invoker_override[0] if _invoker_override else _lambda_invoker()


@cache
def call_service() -> CallService:
    return build_call_service()


def build_call_service(
    new_call_id: Callable[[], str] = random_call_id, new_token: Callable[[], str] = new_schedule_token
) -> CallService:
    """A call service on the configured table and schedule group (fixed ids make reproducible samples)."""
    return CallService(
        call_repository(),
        call_writer(),
        settings_service(),
        clock=_clock,
        invoker=execute_invoker(),
        new_call_id=new_call_id,
        new_token=new_token,
    )


def retell_api_keys() -> list[str]:
    """The Retell API key (and, during a rotation, the previous one) from Secrets Manager, cached by Powertools.

    The secret is the key itself, or ``{"apiKey": ..., "previousApiKey": ...}`` while rotating: webhooks signed
    with either key verify, dials use the current one."""
    from aws_lambda_powertools.utilities import parameters

    value = str(parameters.get_secret(retell_config().retell_secret_name, max_age=SECRET_MAX_AGE_SECONDS))
    if value.lstrip().startswith("{"):
        document = json.loads(value)
        return [key for key in (document.get("apiKey"), document.get("previousApiKey")) if key]
    return [value.strip()]


_dialers: dict[str, RetellDialer] = {}


def dialer() -> Dialer:
    """A Retell client for the current key (a new one after a rotation)."""
    key = retell_api_keys()[0]
    if key not in _dialers:
        cfg = retell_config()
        _dialers.clear()
        _dialers[key] = RetellDialer(
            RetellConnection(api_key=key, base_url=cfg.retell_base_url, timeout_seconds=cfg.retell_timeout_seconds)
        )
    return _dialers[key]


def lease_limits(clinic_limit: int) -> LeaseLimits:
    cfg = retell_config()
    return LeaseLimits(
        clinic=clinic_limit,
        workspace=cfg.retell_concurrency_limit,
        duration=timedelta(seconds=cfg.dial_lease_seconds),
    )


@cache
def executor() -> CallExecutor:
    cfg = retell_config()
    return CallExecutor(
        call_writer(),
        settings_service(),
        dial_leases(),
        dialer=dialer,
        defaults=DialDefaults(agent_id=cfg.retell_default_agent_id, from_number=cfg.retell_default_from_number),
        lease_limits=lease_limits,
        clock=_clock,
        new_token=new_schedule_token,
    )


@cache
def event_service() -> CallEventService:
    return CallEventService(
        call_writer(),
        settings_service(),
        dial_leases(),
        lease_duration=timedelta(seconds=retell_config().dial_lease_seconds),
        clock=_clock,
        new_token=new_schedule_token,
    )


def validate_environment(*, retell: bool, api: bool = False) -> None:
    """In Lambda, check the environment while the container starts, so a misconfigured deployment fails its
    first invocation's init loudly (with pydantic's message) instead of a request deep inside. Elsewhere (tests,
    benchmarks importing a handler) nothing is checked until first use."""
    if not os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return
    function_config()
    if api:
        api_config()
    if retell:
        retell_config()


def reset() -> None:
    """Forget every client, service and cached secret (tests switch AWS stand-ins between cases)."""
    for factory in (
        function_config,
        api_config,
        retell_config,
        _dynamodb,
        call_repository,
        settings_service,
        dial_leases,
        call_scheduler,
        call_writer,
        _lambda_invoker,
        call_service,
        executor,
        event_service,
    ):
        factory.cache_clear()
    _dialers.clear()
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()  # type: ignore[no-untyped-call]
