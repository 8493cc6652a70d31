"""The Retell webhook's graph, and the event service the reconciler's graph shares with it."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from shared.bootstrap.common import (
    CommonServices,
    SecretReader,
    Stores,
    aws_clients,
    build_common,
    dynamo_stores,
    no_page_tokens,
    powertools_secrets,
    retell_api_keys,
    utc_now,
)
from shared.config import FunctionConfig, RetellConfig, from_environment
from shared.logic.call_events import CallEventService
from shared.logic.ports import Clock, new_schedule_token
from shared.logic.texts import TextEventService


@dataclass(frozen=True)
class WebhookServices:
    """What the Retell webhook uses: the keys its signatures may be made with, and the event services (calls' and
    texts')."""

    events: CallEventService
    texts: TextEventService
    signing_keys: Callable[[], list[str]]


def build_webhook(
    config: FunctionConfig,
    *,
    stores: Stores,
    signing_keys: Callable[[], list[str]],
    clock: Clock,
    new_token: Callable[[], str] = new_schedule_token,
    rng: random.Random | None = None,
) -> WebhookServices:
    common = build_common(config, stores, clock)
    return WebhookServices(
        events=build_events(common, clock, new_token, rng),
        texts=build_text_events(common, clock),
        signing_keys=signing_keys,
    )


def build_text_events(common: CommonServices, clock: Clock) -> TextEventService:
    return TextEventService(common.access, common.do_not_call, clock=clock)


def build_events(
    common: CommonServices, clock: Clock, new_token: Callable[[], str], rng: random.Random | None
) -> CallEventService:
    return CallEventService(
        common.access,
        common.stores.breaker,
        common.do_not_call,
        clock=clock,
        new_token=new_token,
        rng=rng,
        answer_rates=common.answer_rates,
    )


def webhook_from_environment(
    *, clock: Clock = utc_now, retell: RetellConfig | None = None, read_secret: SecretReader | None = None
) -> WebhookServices:
    config = from_environment(FunctionConfig)
    retell = retell or from_environment(RetellConfig)
    keys = retell_api_keys(read_secret or powertools_secrets(), retell)
    stores = dynamo_stores(config, **aws_clients(), page_token_key=no_page_tokens)
    return build_webhook(config, stores=stores, signing_keys=keys, clock=clock)
