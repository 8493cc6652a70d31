"""A deployment with a missing or malformed environment fails when the container starts, with the reason."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.bootstrap import common
from shared.config import RetellConfig, from_environment


def test_in_lambda_a_missing_variable_fails_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "execute")
    for name in ("TABLE_NAME", "SCHEDULE_GROUP_NAME", "RETELL_SECRET_NAME"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValidationError, match="table_name"):
        common.validate_environment(retell=True)


def test_a_malformed_value_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "execute")
    monkeypatch.setenv("RETELL_SECRET_NAME", "retell")
    monkeypatch.setenv("RETELL_CONCURRENCY_LIMIT", "lots")
    with pytest.raises(ValidationError, match="retell_concurrency_limit"):
        from_environment(RetellConfig)


def test_outside_lambda_nothing_is_checked_until_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.delenv("TABLE_NAME", raising=False)
    common.validate_environment(retell=True)  # no error: tests and benchmarks import handlers freely
