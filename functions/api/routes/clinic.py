"""Routes of ``/clinic/settings``."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from api.routes.context import current_principal, current_services
from shared.api.envelope import Success, failure_responses, success_response
from shared.models.settings import ClinicSettings
from shared.observability import logger

router = Router()


@router.get(
    "/clinic/settings",
    summary="The clinic's settings (defaults until an admin saves some)",
    description="`notifications.webhookUrl` is shown masked (its host and last four characters), never whole.",
    responses=success_response(200, "The clinic's settings") | failure_responses(401),
    tags=["clinic"],
)
def get_settings() -> Success[ClinicSettings]:
    return Success[ClinicSettings](data=current_services(router).settings.shown(current_principal(router).clinic_id))


@router.put(
    "/clinic/settings",
    summary="Replace the clinic's settings",
    description=(
        "Calls already scheduled keep their time; each is checked against the new hours when it fires. "
        "`notifications.webhookUrl`: the whole URL replaces it, the masked value or no field keeps it, null removes it."
    ),
    responses=success_response(200, "The settings, as saved") | failure_responses(400, 401, 403, 413, 415, 422),
    tags=["clinic"],
)
def put_settings(settings: Annotated[ClinicSettings, Body()]) -> Success[ClinicSettings]:
    principal = current_principal(router)
    saved = current_services(router).settings.replace(principal, settings)
    logger.info("clinic settings saved", extra={"clinic_id": principal.clinic_id})
    return Success[ClinicSettings](data=saved)
