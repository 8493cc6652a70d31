"""Metric names come from one enumeration: every member is published by some function, and the functions and the
stack name no metric outside it."""

from __future__ import annotations

import re
from pathlib import Path

from shared.telemetry import Metric

ROOT = Path(__file__).resolve().parents[2]
PUBLISHERS = [*ROOT.glob("functions/**/*.py"), *ROOT.glob("shared/**/*.py")]
WATCHERS = [*ROOT.glob("infra/*.py")]


def _source(paths: list[Path]) -> str:
    return "\n".join(path.read_text() for path in paths)


def test_every_metric_is_published_by_a_function() -> None:
    published = _source(PUBLISHERS)
    assert [metric.name for metric in Metric if f"Metric.{metric.name}" not in published] == []


def test_no_metric_is_named_by_a_string_literal() -> None:
    literal = re.compile(r"""add_metric\(\s*name\s*=\s*["']|metric_name\s*=\s*["']|call_metric\(\s*["']""")
    assert [str(path) for path in PUBLISHERS + WATCHERS if literal.search(path.read_text())] == []
