"""The notices function's graph."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from shared.bootstrap.common import utc_now
from shared.config import NoticesConfig, from_environment
from shared.dal.call_repository import CallRepository
from shared.dal.email_rate_limits import DynamoEmailRateLimits
from shared.dal.notice_stream_records import occurrences
from shared.dal.notices import NoticeRepository
from shared.dal.pagination import PageTokens
from shared.dal.settings_repository import SettingsRepository
from shared.domain.notices import Occurrence
from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.notice_delivery import DELIVERY_DEADLINE_SECONDS, RunBudget
from shared.logic.notices import CHAT, EMAIL, NoticeAudience, NoticeService, NoticeStores
from shared.logic.ports import Clock, Notice, NoticeChannel, SettingsStore


@dataclass(frozen=True)
class NoticesServices:
    """What the notices function uses."""

    notices: NoticeService
    occurrences: Callable[[DynamoDBRecord], list[Occurrence]]
    """The events one record of the table's stream amounts to (usually none)."""
    clock: Clock


SES_TIMEOUTS = {"connect_timeout": 2, "read_timeout": 5, "retries": {"mode": "standard", "total_max_attempts": 2}}
"""The SES client's bounds: an SES hiccup costs at most two tries of a few seconds (within a send's deadline,
``DELIVERY_DEADLINE_SECONDS``), never the run."""


def run_budget(remaining_millis: Callable[[], int]) -> RunBudget:
    """A run's time from what the Lambda has left (its context's ``get_remaining_time_in_millis``)."""
    return RunBudget(lambda: remaining_millis() / 1000)


def ses_client() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("ses", config=Config(**SES_TIMEOUTS))


def notice_channels(ses: Any, config: NoticesConfig) -> dict[str, NoticeChannel]:
    """Chat webhooks always; email when the deployment names its sender identity."""
    # Imported here, not at the top: only the notices function sends, and the channels bring httpx (~80 ms of every
    # other function's cold start otherwise).
    from shared.adapters.notice_channels import ChatWebhookChannel, SesEmailChannel

    channels: dict[str, NoticeChannel] = {CHAT: ChatWebhookChannel()}
    if config.notification_sender:
        channels[EMAIL] = SesEmailChannel(ses, config.notification_sender)
    return channels


def dynamo_notice_stores(config: NoticesConfig, dynamodb: Any) -> tuple[NoticeStores, SettingsRepository]:
    """The notice service's stores on the configured table, and the clinics' settings (which also say which clinics
    have recipients). Its own page-token key: the digest pages through a clinic's calls within one run, no token
    leaves it."""
    key = secrets.token_bytes(32)
    settings = SettingsRepository(dynamodb, config.table_name)
    stores = NoticeStores(
        notices=NoticeRepository(dynamodb, config.table_name),
        clinics=settings,
        calls=CallRepository(dynamodb, config.table_name, PageTokens(lambda: key)),
        email_limits=DynamoEmailRateLimits(dynamodb, config.table_name),
    )
    return stores, settings


def build_notices(
    config: NoticesConfig,
    *,
    stores: NoticeStores,
    settings: SettingsStore,
    channels: dict[str, NoticeChannel],
    clock: Clock,
    on_sent: Callable[[Notice, datetime], None] | None = None,
    delivery_deadline: float = DELIVERY_DEADLINE_SECONDS,
) -> NoticesServices:
    notices = NoticeService(
        stores,
        ClinicSettingsService(settings, clock=clock),
        channels,
        audience=NoticeAudience(
            dashboard_url=config.dashboard_url,
            operator_emails=config.operators(),
            email_domains=config.email_domains(),
        ),
        clock=clock,
        on_sent=on_sent,
        delivery_deadline=delivery_deadline,
    )
    return NoticesServices(notices=notices, occurrences=occurrences, clock=clock)


def notices_from_environment(
    *,
    clock: Clock = utc_now,
    channels: dict[str, NoticeChannel] | None = None,
    on_sent: Callable[[Notice, datetime], None] | None = None,
) -> NoticesServices:
    import boto3

    config = from_environment(NoticesConfig)
    stores, settings = dynamo_notice_stores(config, boto3.client("dynamodb"))
    return build_notices(
        config,
        stores=stores,
        settings=settings,
        channels=channels or notice_channels(ses_client(), config),
        clock=clock,
        on_sent=on_sent,
    )
