"""Where notices go: email through Amazon SES (from the deployment's sender identity), and chat incoming webhooks
(Slack's text, Teams' Adaptive Card) over HTTPS with httpx and a short timeout. A channel that does not take a message
raises ``ChannelFailed``; what was sent is never logged (it names a pet and an owner)."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx
from botocore.exceptions import BotoCoreError, ClientError

from shared.domain.notices import chat_escape
from shared.logic.ports import ChannelFailed, Notice
from shared.models.chat_webhooks import ChatService, chat_service

WEBHOOK_DEADLINE_SECONDS = 5.0


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


ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def slack_message(notice: Notice) -> dict[str, Any]:
    """Slack's incoming-webhook body: the message as ``text`` (its first line is the notice's subject)."""
    return {"text": notice.text}


_SLACK_LINK = re.compile(r"<(https://[^|>\s]+)\|([^>]+)>")


def card_markdown(chat: str, subject: str) -> str:
    """The chat line (Slack's mrkdwn: a ``*subject*`` first line, ``<url|label>`` links) as an Adaptive Card
    TextBlock's Markdown: without the subject (the card's title), links as ``[label](url)``, a paragraph a line."""
    lines = chat.splitlines()
    if lines and lines[0] == f"*{chat_escape(subject)}*":
        lines = lines[1:]
    return "\n\n".join(_card_line(line) for line in lines if line.strip())


def _card_line(line: str) -> str:
    """One chat line as card Markdown: our own links become ``[label](url)``; in the text around them Slack's
    escapes are undone and Markdown's brackets escaped, so a name cannot plant a link."""
    parts: list[str] = []
    at = 0
    for link in _SLACK_LINK.finditer(line):
        parts.append(_card_text(line[at : link.start()]))
        parts.append(f"[{_card_text(link.group(2))}]({link.group(1)})")
        at = link.end()
    parts.append(_card_text(line[at:]))
    return "".join(parts)


def _card_text(text: str) -> str:
    plain = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return _MARKDOWN_SPECIAL.sub(r"\\\g<0>", plain)


_MARKDOWN_SPECIAL = re.compile(r"[\[\]]")  # a link needs brackets; the rest of Markdown only styles text


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
    try:
        service = chat_service(url)
    except ValueError as refusal:
        raise ChannelFailed(f"the chat webhook is refused: {refusal}") from None
    return slack_message if service is ChatService.SLACK else teams_message


Resolve = Callable[[str], list[str]]


def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to now (IPv4 and IPv6)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)})


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return ip.is_global and not ip.is_multicast


class ChatWebhookChannel:
    """Posts the notice to a Slack or Teams incoming webhook, in the shape that service shows (``message_for``).

    Only to an allowed host that resolves to public addresses now (a name pointed at 169.254.169.254 or 10.x is
    refused), never following a redirect, within ``deadline`` seconds in all (a server that drips its answer byte by
    byte cannot hold the sweep), and reading none of the answer but its status."""

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        deadline: float = WEBHOOK_DEADLINE_SECONDS,
        resolve: Resolve = resolve_host,
    ):
        timeout = httpx.Timeout(deadline, connect=min(3.0, deadline))
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False)
        self._deadline = deadline
        self._resolve = resolve

    def send(self, notice: Notice) -> None:
        body = message_for(notice.to)(notice)
        host = urlsplit(notice.to).hostname or ""
        try:
            addresses = self._resolve(host)
        except OSError:
            raise ChannelFailed("the chat webhook's host does not resolve") from None
        if not addresses or not all(_is_public(address) for address in addresses):
            raise ChannelFailed("the chat webhook's host resolves to a private address") from None
        worker = _POSTS.submit(self._post, notice.to, body)
        try:
            status = worker.result(timeout=self._deadline)
        except TimeoutError:
            worker.cancel()
            raise ChannelFailed(f"the chat webhook did not answer within {self._deadline:g} s") from None
        except httpx.HTTPError as error:
            raise ChannelFailed(f"the chat webhook did not answer ({type(error).__name__})") from None
        if status >= 300:
            raise ChannelFailed(f"the chat webhook answered {status}")

    def _post(self, url: str, body: dict[str, Any]) -> int:
        with self._client.stream("POST", url, json=body) as response:
            return response.status_code  # the body is never read: nothing in it is wanted


_POSTS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="chat-webhook")
"""Posts run here so a send can give up at its deadline; a post that outlives it ends with its read timeout."""
