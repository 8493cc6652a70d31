"""Builds the calls API's services once per Lambda container (reused across warm invocations)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache

import boto3

from shared.adapters.call_scheduler import CallScheduler, SchedulerTarget
from shared.config import ApiConfig, from_environment
from shared.dal.call_repository import CallRepository
from shared.dal.settings_repository import SettingsRepository
from shared.logic.calls import CallService, random_call_id
from shared.logic.clinic_settings import ClinicSettingsService


def utc_now() -> datetime:
    return datetime.now(UTC)


@cache
def config() -> ApiConfig:
    return from_environment(ApiConfig)


@cache
def settings_service() -> ClinicSettingsService:
    dynamodb = _dynamodb()
    return ClinicSettingsService(SettingsRepository(dynamodb, config().table_name), clock=utc_now)


@cache
def call_service() -> CallService:
    return build_call_service()


def build_call_service(new_call_id: Callable[[], str] = random_call_id) -> CallService:
    """A call service on the configured table and schedule group (``new_call_id`` fixes ids for samples)."""
    cfg = config()
    scheduler = CallScheduler(
        boto3.client("scheduler"),
        SchedulerTarget(
            group_name=cfg.schedule_group_name,
            execute_function_arn=cfg.execute_function_arn,
            role_arn=cfg.scheduler_role_arn,
            dead_letter_queue_arn=cfg.scheduler_dlq_arn,
        ),
    )
    return CallService(
        CallRepository(_dynamodb(), cfg.table_name),
        settings_service(),
        scheduler=scheduler,
        clock=utc_now,
        new_call_id=new_call_id,
    )


@cache
def _dynamodb():  # type: ignore[no-untyped-def]
    return boto3.client("dynamodb")


def reset() -> None:
    """Forget every client and service (tests switch AWS stand-ins between cases)."""
    for factory in (config, settings_service, call_service, _dynamodb):
        factory.cache_clear()
