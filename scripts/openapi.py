"""Prints the API's OpenAPI 3.1 document, generated from the handlers' routes and models.

The calls API's operations come from its resolver (``api.handler.app``), with the responses each route
declares (``shared.api.envelope``). ``POST /webhooks/retell`` is served by the retell_webhook function, which has
no resolver: it is described by a stub route below, through the same models and helpers. Then three corrections
make the document say what the deployed API does:

* the public routes of ``infra.routes`` (the route table API Gateway is built from) have no security requirement;
* Powertools adds a ``422`` with its own ``HTTPValidationError`` body to every operation, but the error handlers
  answer validation errors with the error envelope, documented on each route that can refuse its input: the
  ``HTTPValidationError`` answers never reach a client, so they are dropped;
* a response without a body (``204``) has no ``content``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from infra.routes import ROUTES
from shared.api.envelope import failure_responses, success_response
from shared.models.retell import RetellEvent

TITLE = "Discharge call scheduler API"
VERSION = "1.0.0"
UNUSED_POWERTOOLS_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


def _retell_webhook_document() -> dict[str, Any]:
    stub = APIGatewayHttpResolver(enable_validation=True)

    @stub.post(
        "/webhooks/retell",
        summary="Retell's call events (call_started, call_ended, call_analyzed)",
        description="Served by the retell_webhook function. The signature is checked on the raw body first; "
        "duplicates, events for unknown calls and event kinds the system does not use are `204` too, so Retell "
        "stops retrying them.",
        responses=success_response(204, "Applied, or nothing to apply")
        | failure_responses(
            400,
            401,
            authorizer=False,
            budgeted=False,
            described={
                400: "The body is not UTF-8 text under 6 MiB (`unreadable_body`), or it is signed but not a Retell "
                "event, or a call event without its call (`invalid_payload`)",
                401: "`x-retell-signature` is missing, malformed, wrong or stale (`invalid_signature`)",
            },
        ),
        tags=["webhooks"],
    )
    def retell_webhook(
        event: Annotated[RetellEvent, Body()],
        signature: Annotated[
            str,
            Header(
                alias="x-retell-signature",
                description="`v=<ms>,d=<hex HMAC-SHA256(API key, body + ms)>`, as Retell signs every webhook",
            ),
        ],
    ) -> None:
        raise NotImplementedError("documentation only: the retell_webhook function serves this route")

    document: dict[str, Any] = json.loads(stub.get_openapi_json_schema(title=TITLE, version=VERSION))
    return document


def _merge(document: dict[str, Any], other: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name, schema in other["components"]["schemas"].items():
        if name in UNUSED_POWERTOOLS_SCHEMAS:
            continue
        assert schemas.setdefault(name, schema) == schema, f"two different schemas named {name}"
    for path, item in other["paths"].items():
        assert path not in document["paths"], f"{path} is documented twice"
        document["paths"][path] = item


def _public_routes_without_security(document: dict[str, Any]) -> None:
    public = {(route.method.lower(), route.path) for route in ROUTES if route.public}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if (method, path) in public:
                operation["security"] = []


def _drop_powertools_validation_answers(document: dict[str, Any]) -> None:
    ref = "#/components/schemas/HTTPValidationError"
    for item in document["paths"].values():
        for operation in item.values():
            responses = operation["responses"]
            for status, response in list(responses.items()):
                if response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref") == ref:
                    del responses[status]
    for name in UNUSED_POWERTOOLS_SCHEMAS:
        document["components"]["schemas"].pop(name, None)
    assert "HTTPValidationError" not in json.dumps(document), "a route still refers to Powertools' 422 body"


def _no_content_for_no_content(document: dict[str, Any]) -> None:
    for item in document["paths"].values():
        for operation in item.values():
            operation["responses"].get("204", {}).pop("content", None)


def openapi_document() -> str:
    from api.handler import app

    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
            title=TITLE,
            version=VERSION,
            description="Schedule AI follow-up phone calls to pet owners after a veterinary visit. "
            "Every route but /health and /webhooks/retell needs a bearer JWT; the clinic comes from the token.",
            servers=[Server(url="http://127.0.0.1:3000", description="Local stack (make dev)")],
            security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
            security=[{"bearerAuth": []}],
        )
    )
    _merge(document, _retell_webhook_document())
    _public_routes_without_security(document)
    _drop_powertools_validation_answers(document)
    _no_content_for_no_content(document)
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(openapi_document(), end="")
