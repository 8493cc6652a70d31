"""The execute function's graph."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared.bootstrap.common import (
    SecretReader,
    aws_clients,
    build_storage,
    no_page_tokens,
    powertools_secrets,
    retell_api_keys,
    utc_now,
)
from shared.bootstrap.retell import RetellDialers
from shared.config import FunctionConfig, RetellConfig, from_environment
from shared.dal.dial_leases import DynamoDialLeases
from shared.dal.do_not_call import DoNotCallRepository
from shared.domain.dialing import DialDefaults
from shared.logic.execution import CallExecutor
from shared.logic.ports import Clock, Dialer, LeaseLimits, new_schedule_token


@dataclass(frozen=True)
class ExecuteServices:
    """What the execute function uses."""

    executor: CallExecutor
    leases: DynamoDialLeases
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
    dynamodb: Any,
    scheduler_client: Any,
    dialer: Callable[[], Dialer],
    clock: Clock,
) -> ExecuteServices:
    storage = build_storage(
        config, dynamodb=dynamodb, scheduler_client=scheduler_client, page_token_key=no_page_tokens, clock=clock
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


def execute_from_environment(
    *, clock: Clock = utc_now, retell: RetellConfig | None = None, read_secret: SecretReader | None = None
) -> ExecuteServices:
    retell = retell or from_environment(RetellConfig)
    keys = retell_api_keys(read_secret or powertools_secrets(), retell)
    return build_execute(
        from_environment(FunctionConfig), retell, **aws_clients(), dialer=RetellDialers(retell, keys), clock=clock
    )
