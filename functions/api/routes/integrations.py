"""Routes of ``/integrations``: turning practice-management data into a call request for review."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from api.routes.context import current_principal
from shared.api.envelope import Success, failure_responses, success_response
from shared.domain.idexx import IdexxDocument, IdexxPreview, preview_call_request

router = Router()


@router.post(
    "/integrations/idexx/preview",
    summary="Map an IDEXX Neo consultation page-data document to a call request",
    description="Nothing is stored. `warnings` name the fields the vet should check before scheduling.",
    responses=success_response(200, "The call request to review, and its warnings")
    | failure_responses(400, 401, 403, 413, 415, 422),
    tags=["integrations"],
)
def preview_idexx(document: Annotated[IdexxDocument, Body()]) -> Success[IdexxPreview]:
    current_principal(router).require_admin()
    return Success[IdexxPreview](data=preview_call_request(document))
