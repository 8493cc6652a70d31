"""Environment of the functions, validated at start-up so a misconfigured deployment fails loudly and early."""

from __future__ import annotations

import os
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field

Config = TypeVar("Config", bound=BaseModel)


class TableConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = Field(min_length=3)


class SchedulerConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    schedule_group_name: str = Field(min_length=1, max_length=64)
    execute_function_arn: str = Field(min_length=1)
    scheduler_role_arn: str = Field(min_length=1)
    scheduler_dlq_arn: str = Field(min_length=1)


class FunctionConfig(TableConfig, SchedulerConfig):
    """What every function needs: the table, and the schedule group (each one may place a schedule)."""

    scheduler_min_lead_seconds: int = Field(default=60, ge=1, le=600, description="never schedule closer to now")


class ApiConfig(FunctionConfig):
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    page_token_secret_name: str = Field(min_length=1, description="the key that authenticates nextToken values")
    clinic_requests_per_second: int = Field(
        default=20, ge=1, le=10_000, description="a clinic's request budget: its steady rate, averaged over a window"
    )
    clinic_budget_window_seconds: int = Field(
        default=10, ge=1, le=3_600, description="the budget's window: a clinic may make rate x window requests in one"
    )


class NoticesConfig(TableConfig):
    """Where notices come from and point to. The sender is an SES-verified identity (CDK context
    ``notificationSender``); links in messages go to the dashboard at ``dashboard_url``."""

    notification_sender: str = Field(default="", max_length=254, description="unset: no email, chat only")
    dashboard_url: str = Field(min_length=8, max_length=500)
    operator_emails: str = Field(default="", max_length=2_000, description="comma-separated; told of account faults")
    notice_email_domains: str = Field(
        default="", max_length=2_000, description="comma-separated; the only domains e-mail notices go to (unset: any)"
    )

    def operators(self) -> tuple[str, ...]:
        return tuple(address.strip() for address in self.operator_emails.split(",") if address.strip())

    def email_domains(self) -> tuple[str, ...]:
        return tuple(domain.strip().lower() for domain in self.notice_email_domains.split(",") if domain.strip())


class RetellConfig(BaseModel):
    """How to reach Retell. The API key itself is never in the environment: it is read from Secrets Manager."""

    model_config = ConfigDict(frozen=True)

    retell_secret_name: str = Field(min_length=1)
    retell_base_url: str | None = Field(default=None, description="unset: https://api.retellai.com")
    retell_timeout_seconds: float = Field(
        default=120.0,
        gt=0,
        le=120,
        description="a dial's client timeout: retell-sdk's own budget for create-phone-call",
    )
    retell_default_agent_id: str | None = None
    retell_default_text_agent_id: str | None = Field(default=None, description="the text (chat) agent for texts")
    retell_default_from_number: str | None = None
    retell_concurrency_limit: int = Field(default=20, ge=1, le=10_000, description="the workspace's limit")
    dial_lease_seconds: int = Field(
        default=1_200, ge=1_080, le=7_200, description="a dial's lease: outlasts the ring and the longest call (18 min)"
    )


def from_environment(model: type[Config]) -> Config:
    """``model`` filled from upper-case environment variables of the same names (``TABLE_NAME`` for table_name)."""
    values = {name: os.environ[name.upper()] for name in model.model_fields if os.environ.get(name.upper())}
    return model.model_validate(values)
