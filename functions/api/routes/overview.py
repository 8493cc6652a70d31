"""Route of ``/clinic/overview``: the clinic's calls over today, 7 or 30 days, in figures."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from api.routes.context import current_principal, current_services
from shared.api.envelope import Success, failure_responses, success_response
from shared.models.overview import ClinicOverview

router = Router()


@router.get(
    "/clinic/overview",
    summary="The clinic's calls over today, 7 or 30 days: by status and outcome, answer rate, failed calls",
    description="Days are the clinic's (its timezone); calls count by `scheduledFor`. Computed from one bounded "
    "query of the clinic's calls index (at most 20,000 calls: `truncated` says when there were more), reading only "
    "the attributes it needs, then kept for 30 s: asking again meanwhile answers the same figures (`computedAt`).",
    responses=success_response(200, "The overview") | failure_responses(401, 422),
    tags=["clinic"],
)
def get_overview(
    days: Annotated[int, Query(ge=1, le=30, description="1 (today), 7 or 30")] = 7,
) -> Success[ClinicOverview]:
    principal = current_principal(router)
    return Success[ClinicOverview](data=current_services(router).overview.overview(principal, days))
