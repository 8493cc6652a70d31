"""The synthesized CDK template, once per test session, so tests use the deployed schema."""

from __future__ import annotations

from functools import cache
from typing import Any

from standins.aws_resources import resources_of_type, synthesize_template

__all__ = ["resources_of_type", "synthesized_template"]


@cache
def synthesized_template() -> dict[str, Any]:
    return synthesize_template()
