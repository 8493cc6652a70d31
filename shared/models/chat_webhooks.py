"""Which chat webhooks a clinic may name, and how one is shown once saved.

A webhook URL is a credential (whoever has it posts into the clinic's channel) and a place the system sends
requests to, so only Slack's and Teams' incoming-webhook hosts are taken, over https on 443, with no user info, and
the saved URL is never shown whole again: ``https://hooks.slack.com/…abcd`` (host and last four characters)."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from urllib.parse import urlsplit

SLACK_HOSTS = frozenset({"hooks.slack.com"})
TEAMS_HOST_SUFFIXES = (".webhook.office.com", ".logic.azure.com", ".api.powerplatform.com")
"""Teams' incoming webhooks (``*.webhook.office.com``) and Workflows ("Post to a channel when a webhook request is
received": Logic Apps' and Power Platform's hosts)."""
MASK = "…"


class ChatService(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


def chat_service(url: str) -> ChatService:
    """The service ``url`` posts to; ``ValueError`` (saying why) for any URL outside the allow-list."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValueError("must be an https:// URL (a Slack or Teams incoming webhook), without a user or password")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port not in (None, 443):
        raise ValueError("a chat webhook is on https's own port, 443")
    host = (parts.hostname or "").lower()
    if _is_address(host):
        raise ValueError("a chat webhook is named by its host name, not an address")
    if host in SLACK_HOSTS:
        return ChatService.SLACK
    if any(host.endswith(suffix) and len(host) > len(suffix) for suffix in TEAMS_HOST_SUFFIXES):
        return ChatService.TEAMS
    raise ValueError(
        "must be a Slack (hooks.slack.com) or Microsoft Teams (*.webhook.office.com, *.logic.azure.com, "
        "*.api.powerplatform.com) incoming webhook"
    )


def masked(url: str) -> str:
    """How a saved webhook URL is shown: its host and its last four characters."""
    return f"https://{urlsplit(url).hostname or ''}/{MASK}{url[-4:]}"


def is_masked(url: str) -> bool:
    return MASK in url


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
