"""Retell clients for the graphs that call Retell's API (the API's recordings, execute's dials, the reconciler's
look-ups); the webhook only checks signatures, with the keys alone (``common.retell_api_keys``)."""

from __future__ import annotations

from collections.abc import Callable

from shared.adapters.retell_dialer import BACKGROUND_QUESTIONS, QuestionBudget, RetellConnection, RetellDialer
from shared.config import RetellConfig


class RetellDialers:
    """A Retell client (dials, questions, deletions) for the current key (a new one after a rotation).
    ``questions``: how long its questions may take (the API's must answer within its own timeout)."""

    def __init__(
        self, config: RetellConfig, keys: Callable[[], list[str]], *, questions: QuestionBudget = BACKGROUND_QUESTIONS
    ):
        self._config = config
        self._keys = keys
        self._questions = questions
        self._dialers: dict[str, RetellDialer] = {}

    def __call__(self) -> RetellDialer:
        key = self._keys()[0]
        if key not in self._dialers:
            self._dialers.clear()
            self._dialers[key] = RetellDialer(
                RetellConnection(
                    api_key=key,
                    base_url=self._config.retell_base_url,
                    timeout_seconds=self._config.retell_timeout_seconds,
                    questions=self._questions,
                )
            )
        return self._dialers[key]
