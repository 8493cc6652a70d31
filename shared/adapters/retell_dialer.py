"""The only code that talks to Retell: place a call, and find one we may have placed.

``retell`` (the SDK) is imported when the first dial is made, not when this module is: its generated models take
about a second to import, and the webhook and API functions, which share this package, never dial.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared.domain.dialing import DialSpec
from shared.logic.ports import DialOutcomeUnknown, DialRateLimited, DialRejected

if TYPE_CHECKING:
    from retell import Retell


@dataclass(frozen=True)
class RetellConnection:
    api_key: str
    base_url: str | None = None
    timeout_seconds: float = 10.0
    connect_timeout_seconds: float = 3.0


class RetellDialer:
    def __init__(self, connection: RetellConnection):
        self._connection = connection
        self._client: Retell | None = None

    def dial(self, spec: DialSpec) -> str:
        """Place the call; returns Retell's call id. Never retried by the SDK: a retry is our decision."""
        import retell

        try:
            response = self._retell().call.create_phone_call(
                from_number=spec.from_number,
                to_number=spec.to_number,
                override_agent_id=spec.agent_id,
                idempotency_key=spec.idempotency_key,
                metadata=spec.metadata,
                retell_llm_dynamic_variables=spec.dynamic_variables,
                max_retries=0,
            )
        except retell.RateLimitError as error:
            raise DialRateLimited(str(error)) from error
        except (retell.APIConnectionError, retell.InternalServerError) as error:
            raise DialOutcomeUnknown(f"{type(error).__name__}: {error}") from error
        except retell.APIStatusError as error:
            if error.status_code >= 500:
                raise DialOutcomeUnknown(f"Retell answered {error.status_code}") from error
            raise DialRejected(error.status_code, _message(error)) from error
        return str(response.call_id)

    def find(self, spec: DialSpec) -> str | None:
        """The Retell call placed by this dial, if Retell lists one (by the ``dial_key`` in our metadata)."""
        import retell

        try:
            page = self._retell().call.list(
                filter_criteria={
                    "metadata": [{"key": "dial_key", "type": "string", "op": "eq", "value": spec.idempotency_key}]
                },
                limit=10,
                max_retries=1,
            )
        except retell.APIError as error:
            raise DialOutcomeUnknown(f"listing calls failed: {type(error).__name__}") from error
        for item in page.items:
            return str(item.call_id)
        return None

    def _retell(self) -> Retell:
        if self._client is None:
            import httpx
            from retell import Retell

            self._client = Retell(
                api_key=self._connection.api_key,
                base_url=self._connection.base_url,
                timeout=httpx.Timeout(
                    self._connection.timeout_seconds, connect=self._connection.connect_timeout_seconds
                ),
                max_retries=0,
            )
        return self._client


def _message(error: Any) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])[:300]
    return str(getattr(error, "message", error))[:300]
