"""The response envelopes of the API contract: ``{"success": true, "data": ...}`` and the error body."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Success(BaseModel, Generic[T]):
    success: Literal[True] = True
    data: T


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable snake_case code to branch on, e.g. invalid_state")
    message: str = Field(description="A sentence for a person")
    details: list[dict[str, Any]] = Field(default_factory=list)


class Failure(BaseModel):
    success: Literal[False] = False
    error: ErrorInfo


def failure_responses(*statuses: int) -> dict[int, Any]:
    """OpenAPI ``responses`` entries documenting the error body for ``statuses``."""
    descriptions = {
        400: "Malformed request (bad JSON, bad nextToken)",
        401: "Missing or invalid bearer token",
        403: "Signed in, but not an admin of the clinic",
        404: "No such call in your clinic",
        409: "The call's state does not allow this, or a duplicate",
        413: "Request body too large",
        422: "Invalid input",
        501: "Not implemented yet",
    }
    return {
        status: {
            "description": descriptions.get(status, "Error"),
            "content": {"application/json": {"model": Failure}},
        }
        for status in statuses
    }
