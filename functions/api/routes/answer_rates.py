"""Route of ``/clinic/answer-rates``: when the clinic's owners pick up, by their local weekday and hour."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from api.routes.context import current_principal, current_services
from shared.api.envelope import Success, failure_responses, success_response
from shared.models.answer_rates import ANSWER_RATE_DAYS_DEFAULT, AnswerRates

router = Router()


@router.get(
    "/clinic/answer-rates",
    summary="When the clinic's owners pick up: dials and answers by the owner's local weekday and hour",
    description="Every dial that rang an owner's phone in the last `days` days (UTC days, today included), counted "
    "at the owner's local weekday and hour (from the number) as it ended; `answered`: the owner spoke (not a "
    "voicemail). Only hours with a dial are listed. `best`: up to 3 hours with the highest answer rate among those "
    "with at least 5 dials. One query of the clinic's daily counts.",
    responses=success_response(200, "The answer rates") | failure_responses(401, 422),
    tags=["clinic"],
)
def get_answer_rates(
    days: Annotated[int, Query(ge=7, le=365, description="The period in days, 7 to 365")] = ANSWER_RATE_DAYS_DEFAULT,
) -> Success[AnswerRates]:
    principal = current_principal(router)
    return Success[AnswerRates](data=current_services(router).answer_rates.rates(principal, days))
