"""What the local stack "sent": every notice handed to moto's SES or to a chat webhook, oldest first, for
``GET /local/outbox`` (contract section 6) and the dashboard's Outbox page. Chat webhooks are captured here, never
posted anywhere (a clinic's settings may name a real Slack URL). ``chat_down`` makes the chat channel fail, as an
outage would, so a developer (or a test) sees notices wait and go later; ``dead_webhooks`` fails only the webhooks it
names (one clinic's endpoint gone)."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from shared.adapters.notice_channels import message_for
from shared.logic.ports import ChannelFailed, Notice
from shared.models.base import format_utc


class LocalOutbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: list[dict[str, Any]] = []
        self.chat_down = False
        self.dead_webhooks: set[str] = set()
        self.chat: list[Notice] = []

    def record(self, notice: Notice, at: datetime) -> None:
        entry = {
            "channel": notice.channel,
            "to": notice.to,
            "subject": notice.subject,
            "callId": notice.call_id,
            "event": notice.event,
            "sentAt": format_utc(at),
        }
        with self._lock:
            self._sent.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return sorted(self._sent, key=lambda entry: str(entry["sentAt"]))

    def clear(self) -> None:
        with self._lock:
            self._sent.clear()
            self.chat.clear()


class CapturedChatChannel:
    """The chat channel of the local stack: keeps the message instead of posting it."""

    def __init__(self, outbox: LocalOutbox):
        self._outbox = outbox

    def send(self, notice: Notice) -> None:
        if self._outbox.chat_down or notice.to in self._outbox.dead_webhooks:
            raise ChannelFailed("the chat webhook is down (local outage switch)")
        message_for(notice.to)  # refuses what the real channel refuses: a host off the allow-list, a port, a user
        self._outbox.chat.append(notice)
