"""The execute function's graph."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from shared.bootstrap.common import (
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
from shared.bootstrap.retell import RetellDialers
from shared.config import FunctionConfig, RetellConfig, from_environment
from shared.domain.dialing import DialDefaults
from shared.domain.texts import TextDefaults
from shared.logic.execution import CallExecutor, DialGuards, Dialing
from shared.logic.ports import Clock, Dialer, DialLeases, LeaseLimits, Texter, new_schedule_token
from shared.logic.texts import TextSender


@dataclass(frozen=True)
class ExecuteServices:
    """What the execute function uses."""

    executor: CallExecutor
    texts: TextSender
    leases: DialLeases
    clock: Clock


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
    stores: Stores,
    dialer: Callable[[], Dialer],
    clock: Clock,
    new_token: Callable[[], str] = new_schedule_token,
    texter: Callable[[], Texter],
    rng: random.Random | None = None,
) -> ExecuteServices:
    """Execute's services over ``stores`` (``rng``: the re-queue jitter's, seeded for reproducible runs); ``texter``
    starts the calls' texts."""
    common = build_common(config, stores, clock)
    guards = DialGuards(
        leases=stores.leases,
        lease_limits=lease_limits(retell),
        breaker=stores.breaker,
        dial_cap=stores.dial_cap,
        do_not_call=stores.do_not_call,
    )
    defaults = DialDefaults(agent_id=retell.retell_default_agent_id, from_number=retell.retell_default_from_number)
    executor = CallExecutor(common.access, guards, Dialing(dialer, defaults), clock=clock, new_token=new_token, rng=rng)
    text_defaults = TextDefaults(
        text_agent_id=retell.retell_default_text_agent_id, from_number=retell.retell_default_from_number
    )
    sender = TextSender(
        common.access,
        common.do_not_call,
        texter,
        text_defaults,
        clock=clock,
        new_token=new_token,
    )
    return ExecuteServices(executor=executor, texts=sender, leases=stores.leases, clock=clock)


def execute_from_environment(
    *, clock: Clock = utc_now, retell: RetellConfig | None = None, read_secret: SecretReader | None = None
) -> ExecuteServices:
    config = from_environment(FunctionConfig)
    retell = retell or from_environment(RetellConfig)
    keys = retell_api_keys(read_secret or powertools_secrets(), retell)
    retell_client = RetellDialers(retell, keys)  # one client dials and texts
    return build_execute(
        config,
        retell,
        stores=dynamo_stores(config, **aws_clients(), page_token_key=no_page_tokens),
        dialer=retell_client,
        texter=retell_client,
        clock=clock,
    )
