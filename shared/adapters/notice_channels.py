"""Where notices go: email through Amazon SES (from the deployment's sender identity), and chat incoming webhooks
(Slack, Teams) over HTTPS with httpx and a short timeout. A channel that does not take a message raises
``ChannelFailed``; what was sent is never logged (it names a pet and an owner)."""

from __future__ import annotations

from typing import Any

import httpx
from botocore.exceptions import BotoCoreError, ClientError

from shared.logic.ports import ChannelFailed, Notice

WEBHOOK_TIMEOUT_SECONDS = 5.0


class SesEmailChannel:
    def __init__(self, ses: Any, sender: str):
        self._ses = ses
        self._sender = sender

    def send(self, notice: Notice) -> None:
        try:
            self._ses.send_email(
                Source=self._sender,
                Destination={"ToAddresses": [notice.to]},
                Message={
                    "Subject": {"Data": notice.subject[:200], "Charset": "UTF-8"},
                    "Body": {
                        "Text": {"Data": notice.text, "Charset": "UTF-8"},
                        "Html": {"Data": notice.html, "Charset": "UTF-8"},
                    },
                },
            )
        except (ClientError, BotoCoreError) as error:
            code = error.response["Error"]["Code"] if isinstance(error, ClientError) else type(error).__name__
            raise ChannelFailed(f"SES did not take the email ({code})") from None


class ChatWebhookChannel:
    """Posts ``{"text": ...}``, which Slack's and Teams' incoming webhooks both accept."""

    def __init__(self, client: httpx.Client | None = None, timeout: float = WEBHOOK_TIMEOUT_SECONDS):
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False)

    def send(self, notice: Notice) -> None:
        if not notice.to.startswith("https://"):
            raise ChannelFailed("chat webhooks are https only")
        try:
            response = self._client.post(notice.to, json={"text": notice.text})
        except httpx.HTTPError as error:
            raise ChannelFailed(f"the chat webhook did not answer ({type(error).__name__})") from None
        if response.status_code >= 300:
            raise ChannelFailed(f"the chat webhook answered {response.status_code}")
