"""The only code that talks to Retell: place a call, find one we may have placed, read one as it is now, delete one;
and the same for the chats that carry calls' texts.

``retell`` (the SDK) is imported when the first dial is made, not when this module is: its generated models take
about a second to import, and the webhook and API functions, which share this package, never dial.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.domain.dialing import CREATE_CALL_BUDGET, DialSpec
from shared.domain.texts import ChatSpec
from shared.logic.ports import (
    DialAccountBlocked,
    DialOutcomeUnknown,
    DialRateLimited,
    DialRejected,
    RetellUnavailable,
    TextRefused,
)
from shared.models.retell import RetellCall, RetellChat

ACCOUNT_STATUSES = frozenset({401, 402, 403})
"""A revoked key, a lapsed billing account, a forbidden workspace: the account's state, not the call's."""
UNKNOWN_OUTCOME_STATUSES = frozenset({408, 409})
"""Retried by the SDK's own policy: a request timeout or a conflict may or may not have placed the call, so they are
settled as any unknown outcome (look for it; never resend: ``shared.logic.execution``)."""

CLOCK_DRIFT = timedelta(minutes=5)
"""Retell's clock and ours may differ by this much: a chat stamped a little before our claim is still ours."""

if TYPE_CHECKING:
    from retell import Retell


@dataclass(frozen=True)
class QuestionBudget:
    """How long a question to Retell (find, get-call) may take: each try's connect and read timeouts, and how many
    tries after the first."""

    connect_seconds: float = 3.0
    read_seconds: float = 10.0
    retries: int = 1

    @property
    def total_seconds(self) -> float:
        """The longest the question can take (a retry's pause, under a second, aside)."""
        return (self.retries + 1) * (self.connect_seconds + self.read_seconds)


BACKGROUND_QUESTIONS = QuestionBudget()
"""Execute's look-up and the reconciler's questions: quick, asked once more at once if the first try fails, and again
on the reconciler's next run."""


@dataclass(frozen=True)
class RetellConnection:
    api_key: str
    base_url: str | None = None
    timeout_seconds: float = CREATE_CALL_BUDGET.total_seconds()
    """A dial waits as long as retell-sdk lets create-phone-call take when the client keeps its default (120 s): a
    dial given up sooner may still be running at Retell, and goes down the slower "outcome unknown" path, which never
    resends. The execute function's timeout holds one such dial (``shared.domain.reconciliation.EXECUTE_TIMEOUT``)."""
    connect_timeout_seconds: float = 3.0
    questions: QuestionBudget = BACKGROUND_QUESTIONS


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
            status = error.status_code
            if status >= 500 or status in UNKNOWN_OUTCOME_STATUSES:
                raise DialOutcomeUnknown(f"Retell answered {status}") from error
            if status in ACCOUNT_STATUSES:
                raise DialAccountBlocked(status, _message(error)) from error
            raise DialRejected(status, _message(error)) from error
        return str(response.call_id)

    def find(self, dial_key: str) -> str | None:
        """The Retell call placed by this dial, if Retell lists one (by the ``dial_key`` in our metadata)."""
        import retell

        try:
            page = self._retell().call.list(
                filter_criteria={"metadata": [{"key": "dial_key", "type": "string", "op": "eq", "value": dial_key}]},
                limit=10,
                max_retries=self._connection.questions.retries,
                timeout=self._question_timeout(),
            )
        except retell.APIError as error:
            raise DialOutcomeUnknown(f"listing calls failed: {type(error).__name__}") from error
        for item in page.items:
            return str(item.call_id)
        return None

    def get_call(self, retell_call_id: str) -> RetellCall | None:
        """Retell's record of the call now (a fresh recording link among it); ``None`` if Retell has no such call."""
        import retell

        try:
            response = self._retell().call.retrieve(
                retell_call_id, max_retries=self._connection.questions.retries, timeout=self._question_timeout()
            )
        except retell.NotFoundError:
            return None
        except retell.APIError as error:
            raise RetellUnavailable(f"get-call failed: {type(error).__name__}") from error
        return RetellCall.model_validate(response.to_dict())

    def delete_call(self, retell_call_id: str) -> None:
        """Ask Retell to delete the call (its recording, transcript and analysis with it); a call Retell does not
        know is as good as deleted."""
        import retell

        try:
            self._retell().call.delete(
                retell_call_id, max_retries=self._connection.questions.retries, timeout=self._question_timeout()
            )
        except retell.NotFoundError:
            return
        except retell.APIError as error:
            raise RetellUnavailable(f"delete-call failed: {type(error).__name__}") from error

    # -- texts (Retell's SMS chats) ---------------------------------------------------------------------------------

    def start_chat(self, spec: ChatSpec) -> str:
        """Start the chat (Retell writes and sends the first text); never retried: the request has no idempotency
        key, so a retry could text the owner twice."""
        import retell

        try:
            response = self._retell().chat.create_sms_chat(
                from_number=spec.from_number,
                to_number=spec.to_number,
                override_agent_id=spec.agent_id,
                metadata=spec.metadata,
                retell_llm_dynamic_variables=spec.dynamic_variables,
                max_retries=0,
                timeout=self._question_timeout(),
            )
        except (retell.APIConnectionError, retell.InternalServerError) as error:
            raise RetellUnavailable(f"create-sms-chat: {type(error).__name__}") from error
        except retell.APIStatusError as error:
            if error.status_code >= 500 or error.status_code in UNKNOWN_OUTCOME_STATUSES:
                raise RetellUnavailable(f"create-sms-chat answered {error.status_code}") from error
            raise TextRefused(error.status_code, _message(error)) from error
        return str(response.chat_id)

    def get_chat(self, chat_id: str) -> RetellChat | None:
        import retell

        try:
            response = self._retell().chat.retrieve(
                chat_id, max_retries=self._connection.questions.retries, timeout=self._question_timeout()
            )
        except retell.NotFoundError:
            return None
        except retell.APIError as error:
            raise RetellUnavailable(f"get-chat failed: {type(error).__name__}") from error
        return RetellChat.model_validate(response.to_dict())

    def find_chat(self, to_number: str, call_id: str, since: datetime) -> RetellChat | None:
        """The chat started for ``call_id``: list-chats filters by the owner's number (it has no metadata filter),
        newest first, and our metadata picks the call's."""
        import retell

        try:
            page = self._retell().chat.list(
                filter_criteria={"user_number": {"op": "eq", "type": "string", "value": to_number}},
                sort_order="descending",
                limit=50,
                max_retries=self._connection.questions.retries,
                timeout=self._question_timeout(),
            )
        except retell.APIError as error:
            raise RetellUnavailable(f"listing chats failed: {type(error).__name__}") from error
        for item in page.items:
            chat = RetellChat.model_validate(item.to_dict())
            ours = chat.ours()
            started = chat.started_at
            if ours is not None and ours.call_id == call_id and (started is None or started >= since - CLOCK_DRIFT):
                return chat
        return None

    def delete_chat(self, chat_id: str) -> None:
        import retell

        try:
            self._retell().chat.delete(
                chat_id, max_retries=self._connection.questions.retries, timeout=self._question_timeout()
            )
        except retell.NotFoundError:
            return
        except retell.APIError as error:
            raise RetellUnavailable(f"delete-chat failed: {type(error).__name__}") from error

    def _question_timeout(self) -> Any:
        import httpx

        budget = self._connection.questions
        return httpx.Timeout(budget.read_seconds, connect=budget.connect_seconds)

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
