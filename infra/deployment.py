"""What an engineer chooses per deployment, from CDK context (``cdk.json`` or ``-c name=value``), validated at
synth so a typo fails before anything is deployed."""

from __future__ import annotations

import json
import re
from typing import Any

from aws_cdk import aws_logs as logs
from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.models.base import E164Phone

RETENTION_NAMES = {
    1: "ONE_DAY",
    3: "THREE_DAYS",
    5: "FIVE_DAYS",
    7: "ONE_WEEK",
    14: "TWO_WEEKS",
    30: "ONE_MONTH",
    60: "TWO_MONTHS",
    90: "THREE_MONTHS",
    180: "SIX_MONTHS",
    365: "ONE_YEAR",
}


class Deployment(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    alert_email: str | None = Field(default=None, alias="alertEmail", pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    allowed_origins: list[str] = Field(
        default_factory=list,
        alias="allowedOrigins",
        description="CORS origins: chrome-extension://<extension id>, the admin dashboard's https origin",
    )
    retell_default_agent_id: str | None = Field(default=None, alias="retellDefaultAgentId", pattern=r"^agent_\w+$")
    retell_default_text_agent_id: str | None = Field(
        default=None, alias="retellDefaultTextAgentId", pattern=r"^agent_\w+$"
    )
    retell_default_from_number: E164Phone | None = Field(default=None, alias="retellDefaultFromNumber")
    retell_concurrency_limit: int = Field(default=20, ge=1, le=10_000, alias="retellConcurrencyLimit")
    log_retention_days: int = Field(default=30, alias="logRetentionDays")
    api_rate_limit: int = Field(default=50, ge=1, alias="apiRateLimit", description="requests/s, steady")
    api_burst_limit: int = Field(default=100, ge=1, alias="apiBurstLimit")
    clinic_requests_per_second: int = Field(
        default=20,
        ge=1,
        le=10_000,
        alias="clinicRequestsPerSecond",
        description="each clinic's request budget: its steady rate, averaged over clinicBudgetWindowSeconds",
    )
    clinic_budget_window_seconds: int = Field(
        default=10, ge=1, le=3_600, alias="clinicBudgetWindowSeconds", description="the request budget's window"
    )
    webhook_rate_limit: int = Field(
        default=50, ge=1, alias="webhookRateLimit", description="Retell's webhook route alone, requests/s, steady"
    )
    webhook_reserved_concurrency: int = Field(
        default=10,
        ge=1,
        le=1_000,
        alias="webhookReservedConcurrency",
        description="Lambda concurrency kept for Retell's webhook, so a flood of other work never starves it",
    )
    notification_sender: str | None = Field(
        default=None,
        alias="notificationSender",
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="The SES-verified address notices are sent from; unset: no email (chat webhooks only)",
    )
    threat_protection: bool = Field(
        default=True,
        alias="threatProtection",
        description="Cognito threat protection on the user pool (compromised credentials and risky sign-ins are "
        "blocked); it needs Cognito's Plus feature plan, billed per monthly active user. false: the Essentials plan",
    )
    operator_emails: list[str] = Field(
        default_factory=list, alias="operatorEmails", description="Told when the Retell account cannot place calls"
    )
    notice_email_domains: list[str] = Field(
        default_factory=list,
        alias="noticeEmailDomains",
        description="The only e-mail domains (and their subdomains) notices may go to: the clinics' own, that the "
        "operator has checked; unset: any address a clinic admin names",
    )

    @field_validator("operator_emails", "notice_email_domains", mode="before")
    @classmethod
    def _emails(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @property
    def log_retention(self) -> logs.RetentionDays:
        """``logRetentionDays`` as CloudWatch Logs accepts it (one of its fixed periods)."""
        if self.log_retention_days not in RETENTION_NAMES:
            raise ValueError(f"logRetentionDays must be one of {sorted(RETENTION_NAMES)}")
        return logs.RetentionDays(RETENTION_NAMES[self.log_retention_days])

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        if isinstance(value, str):  # -c allowedOrigins='["chrome-extension://abc"]' or a comma list
            return json.loads(value) if value.strip().startswith("[") else [v for v in value.split(",") if v]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if not _is_allowed_origin(origin):
                raise ValueError(f"{origin!r} is not an https, chrome-extension or localhost origin")
        return origins


_EXTENSION_ORIGIN = re.compile(r"chrome-extension://[a-p]{32}")
_HTTPS_ORIGIN = re.compile(r"https://[a-z0-9]([a-z0-9.\-]*[a-z0-9])?(:[0-9]{1,5})?")
_LOCAL_ORIGIN = re.compile(r"http://(localhost|127\.0\.0\.1)(:[0-9]{1,5})?")


def _is_allowed_origin(origin: str) -> bool:
    """A whole origin (scheme, host, optional port; no path, no user): an https site, an extension's id, or this
    machine over http. A prefix test would let ``http://localhost.evil.example`` through."""
    return any(pattern.fullmatch(origin) for pattern in (_EXTENSION_ORIGIN, _HTTPS_ORIGIN, _LOCAL_ORIGIN))


CONTEXT_KEYS = tuple(field.alias for field in Deployment.model_fields.values() if field.alias)


def deployment_from_context(get: Any) -> Deployment:
    """``get`` is ``node.try_get_context``."""
    values = {key: get(key) for key in CONTEXT_KEYS if get(key) not in (None, "")}
    return Deployment.model_validate(values)
