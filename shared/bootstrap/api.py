"""The API function's graph."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.adapters.retell_dialer import QuestionBudget
from shared.bootstrap.common import (
    LambdaInvoker,
    SecretReader,
    aws_clients,
    build_storage,
    powertools_secrets,
    retell_api_keys,
    utc_now,
)
from shared.bootstrap.retell import RetellDialers
from shared.config import ApiConfig, RetellConfig, from_environment
from shared.dal.call_summaries import CallSummaryReader
from shared.logic.calls import CallService, random_call_id
from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.do_not_call import DoNotCallService
from shared.logic.integrations import IdexxPreviewService
from shared.logic.overview import OverviewService
from shared.logic.ports import Clock, Dialer, ExecuteInvoker, new_schedule_token
from shared.logic.recordings import RecordingService

API_TIMEOUT_SECONDS = 15
"""The API function's Lambda timeout (``infra/functions.py``)."""
RETELL_QUESTIONS = QuestionBudget(connect_seconds=2.0, read_seconds=4.0, retries=0)
"""The API's questions to Retell (a recording's fresh link): one try, at most 6 s, well under the function's 15 s,
so that a slow or absent Retell is answered with the route's own ``503 retell_unavailable`` (a retry is the
caller's: the page asks again) instead of the function timing out with a bare 5xx from API Gateway."""


@dataclass(frozen=True)
class ApiServices:
    """What the API function's routes use."""

    config: ApiConfig
    calls: CallService
    settings: ClinicSettingsService
    recordings: RecordingService
    overview: OverviewService
    do_not_call: DoNotCallService
    idexx: IdexxPreviewService


def build_api(
    config: ApiConfig,
    *,
    dynamodb: Any,
    scheduler_client: Any,
    invoker: ExecuteInvoker,
    page_token_key: Callable[[], bytes],
    retell: Callable[[], Dialer],
    clock: Clock,
    new_call_id: Callable[[], str] = random_call_id,
    new_token: Callable[[], str] = new_schedule_token,
) -> ApiServices:
    """The API's services on the configured table and schedule group (fixed ids make reproducible samples)."""
    storage = build_storage(
        config, dynamodb=dynamodb, scheduler_client=scheduler_client, page_token_key=page_token_key, clock=clock
    )
    calls = CallService(
        storage.calls,
        storage.writer,
        storage.settings,
        clock=clock,
        invoker=invoker,
        new_call_id=new_call_id,
        new_token=new_token,
        do_not_call=storage.do_not_call,
        read_ahead=storage.read_ahead,
    )
    overview = OverviewService(CallSummaryReader(dynamodb, config.table_name), storage.settings, clock=clock)
    return ApiServices(
        config=config,
        calls=calls,
        settings=storage.settings,
        recordings=RecordingService(storage.calls, retell),
        overview=overview,
        do_not_call=storage.do_not_call,
        idexx=IdexxPreviewService(storage.settings),
    )


def api_from_environment(
    *,
    clock: Clock = utc_now,
    invoker: ExecuteInvoker | None = None,
    read_secret: SecretReader | None = None,
    new_call_id: Callable[[], str] = random_call_id,
    new_token: Callable[[], str] = new_schedule_token,
    retell: RetellConfig | None = None,
) -> ApiServices:
    """The API's services as a container has them (``invoker`` defaults to Lambda's asynchronous invocation)."""
    config = from_environment(ApiConfig)
    retell = retell or from_environment(RetellConfig)
    secrets = read_secret or powertools_secrets()
    return build_api(
        config,
        **aws_clients(),
        invoker=invoker or LambdaInvoker(config.execute_function_arn),
        page_token_key=lambda: secrets(config.page_token_secret_name).encode(),
        retell=RetellDialers(retell, retell_api_keys(secrets, retell), questions=RETELL_QUESTIONS),
        clock=clock,
        new_call_id=new_call_id,
        new_token=new_token,
    )
