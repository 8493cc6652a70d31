"""Routes of ``/clinic/do-not-call``: the clinic's list of numbers never to call."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from api.routes.context import current_principal, current_services
from shared.api.envelope import Success, failure_responses, success_response
from shared.models.requests import DO_NOT_CALL_PAGE, DO_NOT_CALL_PAGE_MAX, DoNotCallList, DoNotCallRequest
from shared.models.safety import DoNotCallEntry

router = Router()

PhonePath = Annotated[
    str,
    Path(
        pattern=r"^[0-9A-Fa-f%+() .\-]{1,60}$",  # digits and the formatting characters, maybe percent-encoded
        description="The number, in any format the schedule body accepts, URL-encoded (`%2B14155550100`)",
    ),
]


@router.get(
    "/clinic/do-not-call",
    summary="The clinic's do-not-call list",
    description="A page at a time, by number: `limit` entries (default 100, at most 500), then `nextToken` for the "
    "next page until it is null.",
    responses=success_response(
        200, "A page of the listed numbers, with why, when and by whom; `nextToken` is null on the last page"
    )
    | failure_responses(400, 401, 422),
    tags=["clinic"],
)
def list_do_not_call(
    limit: Annotated[int, Query(ge=1, le=DO_NOT_CALL_PAGE_MAX)] = DO_NOT_CALL_PAGE,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> Success[DoNotCallList]:
    principal = current_principal(router)
    items, token = current_services(router).do_not_call.page(principal, limit, next_token)
    return Success[DoNotCallList](data=DoNotCallList(items=items, next_token=token))


@router.put(
    "/clinic/do-not-call/<phone_number>",
    summary="Put a number on the do-not-call list",
    description="Scheduling a call to a listed number is refused (`422 do_not_call`); a call already scheduled to "
    "it is cancelled when its time comes, never dialed. Putting a listed number again replaces its reason.",
    responses=success_response(200, "The entry, as listed")
    | failure_responses(
        400, 401, 403, 404, 413, 415, 422, described={404: "The path is not a number at all (`route_not_found`)"}
    ),
    tags=["clinic"],
)
def add_do_not_call(phone_number: PhonePath, request: Annotated[DoNotCallRequest, Body()]) -> Success[DoNotCallEntry]:
    entry = current_services(router).do_not_call.add(current_principal(router), phone_number, request.reason)
    return Success[DoNotCallEntry](data=entry)


@router.delete(
    "/clinic/do-not-call/<phone_number>",
    summary="Take a number off the do-not-call list",
    responses=success_response(200, "The number, no longer listed") | failure_responses(401, 403, 404, 422),
    tags=["clinic"],
)
def remove_do_not_call(phone_number: PhonePath) -> Success[dict[str, str]]:
    number = current_services(router).do_not_call.remove(current_principal(router), phone_number)
    return Success[dict[str, str]](data={"phoneNumber": number})
