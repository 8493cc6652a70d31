"""The Retell webhook's graph, and the event service the reconciler's graph shares with it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.bootstrap.common import (
    SecretReader,
    Storage,
    aws_clients,
    build_storage,
    no_page_tokens,
    powertools_secrets,
    retell_api_keys,
    utc_now,
)
from shared.config import FunctionConfig, RetellConfig, from_environment
from shared.logic.call_events import CallEventService
from shared.logic.ports import Clock, new_schedule_token


@dataclass(frozen=True)
class WebhookServices:
    """What the Retell webhook uses: the keys its signatures may be made with, and the event service."""

    events: CallEventService
    signing_keys: Callable[[], list[str]]


def build_webhook(
    config: FunctionConfig,
    *,
    dynamodb: Any,
    scheduler_client: Any,
    signing_keys: Callable[[], list[str]],
    clock: Clock,
) -> WebhookServices:
    storage = build_storage(
        config, dynamodb=dynamodb, scheduler_client=scheduler_client, page_token_key=no_page_tokens, clock=clock
    )
    return WebhookServices(events=build_events(storage, clock), signing_keys=signing_keys)


def build_events(storage: Storage, clock: Clock) -> CallEventService:
    return CallEventService(
        storage.writer,
        storage.settings,
        storage.breaker,
        clock=clock,
        new_token=new_schedule_token,
        do_not_call=storage.do_not_call,
        read_ahead=storage.read_ahead,
    )


def webhook_from_environment(
    *, clock: Clock = utc_now, retell: RetellConfig | None = None, read_secret: SecretReader | None = None
) -> WebhookServices:
    retell = retell or from_environment(RetellConfig)
    keys = retell_api_keys(read_secret or powertools_secrets(), retell)
    return build_webhook(from_environment(FunctionConfig), **aws_clients(), signing_keys=keys, clock=clock)
