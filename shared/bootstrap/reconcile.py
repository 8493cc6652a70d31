"""The reconciler's graph: the reconciler, and the retention purge it runs on the same schedule."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from shared.bootstrap.common import (
    LambdaInvoker,
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
from shared.bootstrap.retell_webhook import build_events, build_text_events
from shared.config import FunctionConfig, RetellConfig, from_environment
from shared.logic.ports import Clock, Dialer, ExecuteInvoker, RetellCopies, Texter, new_schedule_token
from shared.logic.reconciliation import Reconciler
from shared.logic.retention import RetentionPurge
from shared.logic.text_repairs import TextRepairs


@dataclass(frozen=True)
class ReconcilerServices:
    """What the reconciler uses."""

    reconciler: Reconciler
    purge: RetentionPurge
    clock: Clock


def build_reconciler(
    config: FunctionConfig,
    *,
    stores: Stores,
    invoker: ExecuteInvoker,
    dialer: Callable[[], Dialer],
    texter: Callable[[], Texter],
    copies: Callable[[], RetellCopies],
    clock: Clock,
    new_token: Callable[[], str] = new_schedule_token,
    rng: random.Random | None = None,
) -> ReconcilerServices:
    common = build_common(config, stores, clock)
    reconciler = Reconciler(
        common.access,
        build_events(common, clock, new_token, rng),
        stores.leases,
        invoker,
        dialer,
        TextRepairs(common.access, build_text_events(common, clock), invoker, texter, clock=clock),
        clock=clock,
        new_token=new_token,
    )
    purge = RetentionPurge(common.access, stores.retention, copies, clock=clock)
    return ReconcilerServices(reconciler=reconciler, purge=purge, clock=clock)


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
    dialers = RetellDialers(retell, keys)
    return build_reconciler(
        config,
        stores=dynamo_stores(config, **aws_clients(), page_token_key=no_page_tokens),
        invoker=invoker or LambdaInvoker(config.execute_function_arn),
        dialer=dialers,
        texter=dialers,
        copies=dialers,
        clock=clock,
    )
