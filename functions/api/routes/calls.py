"""Routes of ``/calls``: schedule, list, read, change, cancel, call now."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.metrics import MetricUnit

from api.routes.context import current_principal, current_services
from shared.api.call_export import call_rows_csv
from shared.api.envelope import IDEMPOTENT_REPLAYED, Success, failure_responses, success_response
from shared.models.base import RequestedInstant
from shared.models.call import CallStatus, CallView
from shared.models.errors import ValidationFailed
from shared.models.ids import CALL_ID_PATTERN, IDEMPOTENCY_KEY_PATTERN
from shared.models.queries import CallQuery
from shared.models.requests import CallPage, FollowUpRequest, RecordingLink, ScheduleCallRequest, UpdateCallRequest
from shared.observability import logger, metrics
from shared.telemetry import Metric

router = Router()

RECORDING_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {
        "description": "With `Accept: application/json`: the link to the recording that plays now (`data.url`)",
        "content": {"application/json": {"model": Success[RecordingLink]}},
    },
    302: {
        "description": "Found: `Location` is a link to the recording that plays now (also in the body's `data.url`)",
        "content": {"application/json": {"model": Success[RecordingLink]}},
    },
}
CallIdPath = Annotated[str, Path(pattern=CALL_ID_PATTERN, description="The call's id")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="if-match",
        pattern=r'^(W/)?"?[0-9]{1,10}"?$',
        description='The call\'s `version` this change was decided on (`3` or `"3"`). If the call has changed '
        "since, nothing is changed and the answer is `409 changed_meanwhile` with the current version and status.",
    ),
]


def _expected_version(if_match: str | None) -> int | None:
    return None if if_match is None else int(if_match.removeprefix("W/").strip('"'))


@router.post(
    "/calls/schedule",
    status_code=201,
    summary="Schedule a discharge follow-up call",
    description="Outside business hours the call moves to the next open slot (`rescheduled: true`). "
    "A repeat with the same `Idempotency-Key` returns the first response and creates nothing.",
    responses=success_response(
        201,
        "The call as scheduled (`rescheduled: true` when it was moved into business hours). A repeat with the same "
        "`Idempotency-Key` and body gets the first answer again, with `Idempotent-Replayed: true`.",
        headers=IDEMPOTENT_REPLAYED,
    )
    | failure_responses(400, 401, 403, 409, 413, 415, 422),
    tags=["calls"],
)
def schedule_call(
    request: Annotated[ScheduleCallRequest, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key", pattern=IDEMPOTENCY_KEY_PATTERN)] = None,
) -> Response[Success[CallView]]:
    result = current_services(router).calls.schedule(current_principal(router), request, idempotency_key)
    headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
    if not result.replayed:
        metrics.add_metric(name=Metric.CALLS_SCHEDULED, unit=MetricUnit.Count, value=1)
        if result.call.rescheduled:
            metrics.add_metric(name=Metric.CALLS_MOVED_INTO_BUSINESS_HOURS, unit=MetricUnit.Count, value=1)
        logger.info("call scheduled", extra={"call_id": result.call.call_id, "rescheduled": result.call.rescheduled})
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=Success[CallView](data=result.call),
        headers=headers,
    )


def _statuses(raw: str | None) -> frozenset[CallStatus]:
    if not raw:
        return frozenset()
    try:
        return frozenset(CallStatus(part.strip()) for part in raw.split(",") if part.strip())
    except ValueError:
        allowed = ", ".join(status.value for status in CallStatus)
        raise ValidationFailed(
            f"status must be a comma-separated list of: {allowed}.", details=[{"location": "query", "field": "status"}]
        ) from None


@router.get(
    "/calls",
    summary="List the clinic's calls by scheduledFor",
    responses=success_response(200, "A page of the clinic's calls; `nextToken` is null on the last page")
    | failure_responses(400, 401, 422),
    tags=["calls"],
)
def list_calls(
    status: Annotated[str | None, Query(description="Comma-separated statuses", max_length=200)] = None,
    scheduled_from: Annotated[RequestedInstant | None, Query(alias="from", description="Earliest scheduledFor")] = None,
    scheduled_to: Annotated[RequestedInstant | None, Query(alias="to", description="Latest scheduledFor")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
    needs_follow_up: Annotated[
        bool | None,
        Query(
            alias="needsFollowUp",
            description="`true`: the follow-up worklist, flagged calls not yet marked done, most recently flagged "
            "first (not combined with `status`, `from` or `to`)",
        ),
    ] = None,
) -> Success[CallPage]:
    principal = current_principal(router)
    if needs_follow_up:
        given = [name for name, value in (("status", status), ("from", scheduled_from), ("to", scheduled_to)) if value]
        if given:
            raise ValidationFailed(
                "needsFollowUp=true lists the worklist; it is not combined with status, from or to.",
                details=[{"location": "query", "field": name} for name in given],
            )
        calls, token = current_services(router).calls.follow_ups(principal, limit, next_token)
        return Success[CallPage](data=CallPage(items=[call.view() for call in calls], next_token=token))
    query = CallQuery(
        clinic_id=principal.clinic_id,
        statuses=_statuses(status),
        scheduled_from=scheduled_from,
        scheduled_to=scheduled_to,
        limit=limit,
        next_token=next_token,
    )
    calls, token = current_services(router).calls.list(principal, query)
    return Success[CallPage](data=CallPage(items=[call.view() for call in calls], next_token=token))


EXPORT_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {
        "description": "The calls as CSV: a header row, one row a call (oldest first, at most 10,000), the columns "
        "named as the call's fields, no transcript. `X-Export-Truncated: true` when the window held more calls.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
}


# Declared before GET /calls/<call_id>, which would otherwise take "export" for a call's id.
@router.get(
    "/calls/export",
    summary="The clinic's calls as CSV, for a spreadsheet (admins)",
    responses=EXPORT_RESPONSES | failure_responses(401, 403, 422),
    tags=["calls"],
    compress=True,
)
def export_calls(
    scheduled_from: Annotated[RequestedInstant | None, Query(alias="from", description="Earliest scheduledFor")] = None,
    scheduled_to: Annotated[RequestedInstant | None, Query(alias="to", description="Latest scheduledFor")] = None,
) -> Response[str]:
    principal = current_principal(router)
    export = current_services(router).export.export(principal, scheduled_from, scheduled_to)
    body = call_rows_csv(call.view() for call in export)
    logger.info("calls exported", extra={"clinic_id": principal.clinic_id, "truncated": export.truncated})
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=body,
        headers={
            "Content-Disposition": 'attachment; filename="calls.csv"',
            "Cache-Control": "no-store",
            "X-Export-Truncated": "true" if export.truncated else "false",
        },
    )


@router.post(
    "/calls/<call_id>/follow-up",
    summary="Mark a call's follow-up done",
    description="Any member of the clinic. Who and when are kept on the call (`followUp`), with the note; the call "
    "leaves the worklist. `409 no_follow_up_needed` if the call needs none (never flagged, or already done).",
    responses=success_response(200, "The call, its follow-up done")
    | failure_responses(400, 401, 404, 409, 413, 415, 422),
    tags=["calls"],
)
def mark_follow_up(
    call_id: CallIdPath, request: Annotated[FollowUpRequest, Body()], if_match: IfMatch = None
) -> Success[CallView]:
    principal = current_principal(router)
    call = current_services(router).calls.mark_followed_up(
        principal, call_id, request.note, _expected_version(if_match)
    )
    metrics.add_metric(name=Metric.FOLLOW_UPS_DONE, unit=MetricUnit.Count, value=1)
    logger.info("follow-up marked done", extra={"call_id": call_id})
    return Success[CallView](data=call.view())


@router.get(
    "/calls/<call_id>",
    summary="One call, with its attempts, transcript and analysis",
    responses=success_response(200, "The call") | failure_responses(401, 404, 422),
    tags=["calls"],
)
def get_call(call_id: CallIdPath) -> Success[CallView]:
    return Success[CallView](data=current_services(router).calls.get(current_principal(router), call_id).view())


@router.patch(
    "/calls/<call_id>",
    summary="Change a scheduled call",
    description="Only while the call is `scheduled`. A new `scheduledFor` goes through the same rules as scheduling. "
    "With `If-Match`, only if the call is still that version (`409 changed_meanwhile` otherwise).",
    responses=success_response(200, "The call, changed") | failure_responses(400, 401, 403, 404, 409, 413, 415, 422),
    tags=["calls"],
)
def update_call(
    call_id: CallIdPath, request: Annotated[UpdateCallRequest, Body()], if_match: IfMatch = None
) -> Success[CallView]:
    principal = current_principal(router)
    call = current_services(router).calls.update(principal, call_id, request, _expected_version(if_match))
    logger.info("call updated", extra={"call_id": call_id, "fields": sorted(request.model_fields_set)})
    return Success[CallView](data=call.view())


@router.post(
    "/calls/<call_id>/cancel",
    summary="Cancel a scheduled call; it will never be dialed",
    description="With `If-Match`, only if the call is still that version (`409 changed_meanwhile` otherwise).",
    responses=success_response(200, "The call, cancelled") | failure_responses(401, 403, 404, 409, 422),
    tags=["calls"],
)
def cancel_call(call_id: CallIdPath, if_match: IfMatch = None) -> Success[CallView]:
    call = current_services(router).calls.cancel(current_principal(router), call_id, _expected_version(if_match))
    metrics.add_metric(name=Metric.CALLS_CANCELLED, unit=MetricUnit.Count, value=1)
    logger.info("call cancelled", extra={"call_id": call_id})
    return Success[CallView](data=call.view())


@router.post(
    "/calls/<call_id>/call-now",
    status_code=202,
    summary="Dial a scheduled call now, if the clinic is open",
    description="Accepted: the call is dialed within seconds through the same path a schedule takes (poll "
    "`GET /calls/{callId}` for its status). Closed now: `409 outside_business_hours` with `nextOpenSlot` in "
    "`details`. Not `scheduled`: `409 invalid_state`. With `If-Match`, only if the call is still that version "
    "(`409 changed_meanwhile` otherwise).",
    responses=success_response(202, "Accepted: the call, moved to now; it is dialed within seconds")
    | failure_responses(401, 403, 404, 409, 422),
    tags=["calls"],
)
def call_now(call_id: CallIdPath, if_match: IfMatch = None) -> Response[Success[CallView]]:
    call = current_services(router).calls.call_now(current_principal(router), call_id, _expected_version(if_match))
    metrics.add_metric(name=Metric.CALLS_CALLED_NOW, unit=MetricUnit.Count, value=1)
    logger.info("call now requested", extra={"call_id": call_id})
    return Response(
        status_code=202, content_type=content_types.APPLICATION_JSON, body=Success[CallView](data=call.view())
    )


@router.get(
    "/calls/<call_id>/recording",
    summary="The call's recording: a redirect to a fresh link from Retell",
    description="Retell's links expire, so none is kept: each request asks Retell for the current one, and answers "
    "`302` to it. A page that cannot follow a redirect with its token (an `<audio>` element) asks with `Accept: "
    "application/json` and gets `200` with the link as `data.url` instead. `404 no_recording` when the call has not "
    "been answered or Retell kept no recording.",
    responses=RECORDING_RESPONSES
    | failure_responses(401, 404, 422, 503, described={404: "No such call in your clinic, or it has no recording"}),
    tags=["calls"],
)
def get_recording(call_id: CallIdPath) -> Response[Success[RecordingLink]]:
    link = current_services(router).recordings.link(current_principal(router), call_id)
    headers = {"Location": link, "Cache-Control": "no-store"}
    body = Success[RecordingLink](data=RecordingLink(url=link))
    if "application/json" in (router.current_event.headers.get("accept") or ""):
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=body, headers=headers)
    return Response(status_code=302, content_type=content_types.APPLICATION_JSON, body=body, headers=headers)
