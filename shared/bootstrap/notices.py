"""The notices function's graph."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.bootstrap.common import utc_now
from shared.config import NoticesConfig, from_environment
from shared.dal.call_repository import CallRepository
from shared.dal.notices import NoticeRepository
from shared.dal.pagination import PageTokens
from shared.dal.settings_repository import SettingsRepository
from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.notices import CHAT, EMAIL, NoticeService
from shared.logic.ports import Clock, Notice, NoticeChannel


@dataclass(frozen=True)
class NoticesServices:
    """What the notices function uses."""

    notices: NoticeService
    clock: Clock


def notice_channels(ses: Any, config: NoticesConfig) -> dict[str, NoticeChannel]:
    """Chat webhooks always; email when the deployment names its sender identity."""
    # Imported here, not at the top: only the notices function sends, and the channels bring httpx (~80 ms of every
    # other function's cold start otherwise).
    from shared.adapters.notice_channels import ChatWebhookChannel, SesEmailChannel

    channels: dict[str, NoticeChannel] = {CHAT: ChatWebhookChannel()}
    if config.notification_sender:
        channels[EMAIL] = SesEmailChannel(ses, config.notification_sender)
    return channels


def build_notices(
    config: NoticesConfig,
    *,
    dynamodb: Any,
    channels: dict[str, NoticeChannel],
    clock: Clock,
    on_sent: Callable[[Notice, datetime], None] | None = None,
) -> NoticesServices:
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
    return NoticesServices(notices=notices, clock=clock)


def notices_from_environment(
    *,
    clock: Clock = utc_now,
    channels: dict[str, NoticeChannel] | None = None,
    on_sent: Callable[[Notice, datetime], None] | None = None,
) -> NoticesServices:
    import boto3

    config = from_environment(NoticesConfig)
    return build_notices(
        config,
        dynamodb=boto3.client("dynamodb"),
        channels=channels or notice_channels(boto3.client("ses"), config),
        clock=clock,
        on_sent=on_sent,
    )
