"""A call's recording, as a link that plays now.

Retell's recording links are signed and expire (10 minutes or 24 hours, depending on the agent's settings), so none
is stored: each request asks Retell (get-call) for the call's current link.
"""

from __future__ import annotations

from collections.abc import Callable

from shared.logic.ports import CallStore, Dialer, RetellUnavailable
from shared.models.errors import CallNotFound, NoRecording, RetellUnreachable
from shared.models.principal import Principal


class RecordingService:
    def __init__(self, calls: CallStore, retell: Callable[[], Dialer]):
        self._calls = calls
        self._retell = retell

    def link(self, principal: Principal, call_id: str) -> str:
        """A fresh link to the recording of the call's latest conversation."""
        call = self._calls.get(principal.clinic_id, call_id)
        if call is None:
            raise CallNotFound(call_id)
        conversation = next(
            (entry for entry in reversed(call.attempts) if entry.retell_call_id and entry.started_at),
            None,
        )
        if conversation is None or conversation.retell_call_id is None:
            raise NoRecording(call_id)
        try:
            retell_call = self._retell().get_call(conversation.retell_call_id)
        except RetellUnavailable as error:
            raise RetellUnreachable() from error
        if retell_call is None or not retell_call.recording_url:
            raise NoRecording(call_id)
        return retell_call.recording_url
