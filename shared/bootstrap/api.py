"""The API function's graph."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shared.adapters.retell_dialer import QuestionBudget
from shared.bootstrap.common import (
    LambdaInvoker,
    SecretReader,
    Stores,
    aws_clients,
    build_common,
    dynamo_stores,
    number_digests,
    powertools_secrets,
    retell_api_keys,
    utc_now,
)
from shared.bootstrap.retell import RetellDialers
from shared.config import ApiConfig, RetellConfig, from_environment
from shared.dal.call_summaries import CallSummaryReader
from shared.dal.request_counters import DynamoClinicRequestCounters
from shared.logic.answer_rates import AnswerRateService
from shared.logic.call_export import CallExportService
from shared.logic.calls import CallService, random_call_id
from shared.logic.clinic_settings import ClinicSettingsService
from shared.logic.do_not_call import DoNotCallService
from shared.logic.integrations import IdexxPreviewService
from shared.logic.overview import OverviewService
from shared.logic.ports import (
    CallSummaries,
    ClinicRequestCounters,
    Clock,
    Dialer,
    ExecuteInvoker,
    RetellCopies,
    new_schedule_token,
)
from shared.logic.recordings import RecordingService
from shared.logic.request_budget import ClinicRequestBudget, RequestBudgetLimits
from shared.logic.retention import ErasureService

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
    budget: ClinicRequestBudget
    calls: CallService
    settings: ClinicSettingsService
    recordings: RecordingService
    overview: OverviewService
    do_not_call: DoNotCallService
    idexx: IdexxPreviewService
    export: CallExportService
    erasure: ErasureService
    answer_rates: AnswerRateService


def build_api(
    config: ApiConfig,
    *,
    stores: Stores,
    summaries: CallSummaries,
    counters: ClinicRequestCounters,
    invoker: ExecuteInvoker,
    retell: Callable[[], Dialer],
    copies: Callable[[], RetellCopies],
    number_digest: Callable[[str], str],
    clock: Clock,
    new_call_id: Callable[[], str] = random_call_id,
    new_token: Callable[[], str] = new_schedule_token,
) -> ApiServices:
    """The API's services over ``stores`` (fixed ids make reproducible samples)."""
    common = build_common(config, stores, clock)
    calls = CallService(
        common.access,
        invoker,
        common.do_not_call,
        clock=clock,
        new_call_id=new_call_id,
        new_token=new_token,
        number_digest=number_digest,
        answer_rates=common.answer_rates,
    )
    limits = RequestBudgetLimits(config.clinic_requests_per_second, config.clinic_budget_window_seconds)
    return ApiServices(
        config=config,
        budget=ClinicRequestBudget(counters, limits, clock=clock),
        calls=calls,
        settings=common.settings,
        recordings=RecordingService(stores.calls, retell),
        overview=OverviewService(summaries, common.settings, clock=clock, text_tallies=stores.text_tallies),
        do_not_call=common.do_not_call,
        idexx=IdexxPreviewService(common.settings),
        export=CallExportService(stores.calls),
        erasure=ErasureService(common.access, stores.retention, copies, number_digest, clock=clock),
        answer_rates=common.answer_rates,
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
    clients = aws_clients()
    dialers = RetellDialers(retell, retell_api_keys(secrets, retell), questions=RETELL_QUESTIONS)

    def page_token_key() -> bytes:
        return secrets(config.page_token_secret_name).encode()

    return build_api(
        config,
        stores=dynamo_stores(config, **clients, page_token_key=page_token_key),
        summaries=CallSummaryReader(clients["dynamodb"], config.table_name),
        counters=DynamoClinicRequestCounters(clients["dynamodb"], config.table_name),
        invoker=invoker or LambdaInvoker(config.execute_function_arn),
        retell=dialers,
        copies=dialers,
        number_digest=number_digests(page_token_key),
        clock=clock,
        new_call_id=new_call_id,
        new_token=new_token,
    )
