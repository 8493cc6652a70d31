"""Route of ``/clinic/erasure``: an owner's personal data erased on request."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from api.routes.context import current_principal, current_services
from shared.api.envelope import Success, failure_responses, success_response
from shared.models.requests import ErasureRequest, ErasureResult

router = Router()


@router.post(
    "/clinic/erasure",
    summary="Erase an owner's personal data",
    description="Every call of the clinic to the number loses its transcript, analysis text, notes, discharge "
    "summary, the owner's and pet's names and the number itself (kept only as a one-way digest, so the dial cap and "
    "statistics still count); Retell is asked to delete its copies (those it cannot delete now are asked again "
    "later). A scheduled call to the number is cancelled. Repeating it is harmless. The number's do-not-call entry, "
    "if any, is kept. `409 call_in_progress` while a call to the number is being dialed or is under way.",
    responses=success_response(200, "How many calls were erased, and how many Retell copies deleted now")
    | failure_responses(400, 401, 403, 409, 413, 415, 422),
    tags=["clinic"],
)
def erase_owner(request: Annotated[ErasureRequest, Body()]) -> Success[ErasureResult]:
    result = current_services(router).erasure.erase(current_principal(router), request.phone_number)
    return Success[ErasureResult](data=result)
