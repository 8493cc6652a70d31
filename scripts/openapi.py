"""Prints the calls API's OpenAPI 3.1 document, generated from the handler's routes and models."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server


def openapi_document() -> str:
    from schedule.handler import app

    document = app.get_openapi_json_schema(
        title="Discharge call scheduler API",
        version="1.0.0",
        description="Schedule AI follow-up phone calls to pet owners after a veterinary visit. "
        "Every route but /health and /webhooks/retell needs a bearer JWT; the clinic comes from the token.",
        servers=[Server(url="http://127.0.0.1:3000", description="Local stack (make dev)")],
        security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
        security=[{"bearerAuth": []}],
    )
    return json.dumps(json.loads(document), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(openapi_document(), end="")
