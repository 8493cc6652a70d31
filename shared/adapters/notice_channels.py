"""Where notices go: email through Amazon SES (from the deployment's sender identity), and chat incoming webhooks
(Slack's text, Teams' Adaptive Card) over HTTPS with httpx and a short timeout. A channel that does not take a message
raises ``ChannelFailed``; what was sent is never logged (it names a pet and an owner)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

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


SLACK_HOSTS = frozenset({"hooks.slack.com"})
TEAMS_HOST_SUFFIXES = (".webhook.office.com", ".logic.azure.com", ".api.powerplatform.com")
"""Teams' incoming webhooks (``*.webhook.office.com``) and Workflows ("Post to a channel when a webhook request is
received": Logic Apps' and Power Platform's hosts), the hosts a clinic's ``webhookUrl`` may name."""
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def slack_message(notice: Notice) -> dict[str, Any]:
    """Slack's incoming-webhook body: the message as ``text`` (its first line is the notice's subject)."""
    return {"text": notice.text}


_SLACK_LINK = re.compile(r"<(https://[^|>\s]+)\|([^>]+)>")


def card_markdown(chat: str, subject: str) -> str:
    """The chat line (Slack's mrkdwn: a ``*subject*`` first line, ``<url|label>`` links) as an Adaptive Card
    TextBlock's Markdown: without the subject (the card's title), links as ``[label](url)``, a paragraph a line."""
    lines = chat.splitlines()
    if lines and lines[0] == f"*{subject}*":
        lines = lines[1:]
    return "\n\n".join(_SLACK_LINK.sub(r"[\2](\1)", line) for line in lines if line.strip())


def teams_message(notice: Notice) -> dict[str, Any]:
    """A Teams message carrying one Adaptive Card, the shape Microsoft documents for incoming webhooks ("Send
    Adaptive Cards using an incoming webhook": ``type`` "message", the card as an attachment of content type
    ``application/vnd.microsoft.card.adaptive``) and the only one Workflows' webhooks show: a ``{"text"}`` body is
    answered ``202`` and never appears in the channel."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": notice.subject, "weight": "Bolder", "size": "Medium", "wrap": True}
    ]
    text = card_markdown(notice.text, notice.subject)
    if text:
        body.append({"type": "TextBlock", "text": text, "wrap": True})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.2",
        "body": body,
    }
    return {"type": "message", "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}]}


def message_for(url: str) -> Callable[[Notice], dict[str, Any]]:
    """The body builder for the webhook's host: Slack's, Teams' (an Adaptive Card), else ``ChannelFailed``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or parts.port not in (None, 443):
        raise ChannelFailed("chat webhooks are https only, on port 443")
    if host in SLACK_HOSTS:
        return slack_message
    if host.endswith(TEAMS_HOST_SUFFIXES):
        return teams_message
    raise ChannelFailed("the chat webhook is neither Slack's nor Teams'")


class ChatWebhookChannel:
    """Posts the notice to a Slack or Teams incoming webhook, in the shape that service shows (``message_for``)."""

    def __init__(self, client: httpx.Client | None = None, timeout: float = WEBHOOK_TIMEOUT_SECONDS):
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False)

    def send(self, notice: Notice) -> None:
        body = message_for(notice.to)(notice)
        try:
            response = self._client.post(notice.to, json=body)
        except httpx.HTTPError as error:
            raise ChannelFailed(f"the chat webhook did not answer ({type(error).__name__})") from None
        if response.status_code >= 300:
            raise ChannelFailed(f"the chat webhook answered {response.status_code}")
