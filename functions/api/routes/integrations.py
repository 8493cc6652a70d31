"""Routes of ``/integrations``: turning practice-management data into a call request for review."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from api.routes.context import current_principal, current_services
from shared.api.envelope import Success, failure_responses, success_response
from shared.models.idexx import IdexxDocument, IdexxPreview

router = Router()


@router.post(
    "/integrations/idexx/preview",
    summary="Map an IDEXX Neo consultation page-data document to a call request",
    description="Nothing is stored. `warnings` name the fields the vet should check before scheduling (among them an "
    "owner whose number is in another time zone than the clinic: `owner_time_zone`).",
    responses=success_response(200, "The call request to review, and its warnings")
    | failure_responses(400, 401, 403, 413, 415, 422),
    tags=["integrations"],
)
def preview_idexx(document: Annotated[IdexxDocument, Body()]) -> Success[IdexxPreview]:
    preview = current_services(router).idexx.preview(current_principal(router), document)
    return Success[IdexxPreview](data=preview)
