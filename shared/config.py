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


class ApiConfig(TableConfig, SchedulerConfig):
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)


def from_environment(model: type[Config]) -> Config:
    """``model`` filled from upper-case environment variables of the same names (``TABLE_NAME`` for table_name)."""
    values = {name: os.environ[name.upper()] for name in model.model_fields if name.upper() in os.environ}
    return model.model_validate(values)
