"""Who may import whom: the tests never reach into the local stack's runner (``local/``), and nothing that ships or
runs outside the tests (``scripts/``, ``bench/``, ``local/``, ``standins/``) imports test code. What both need
(moto's resources, API Gateway's events, the simulated Retell, the local gateway) lives in ``standins/``."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _importers(folders: list[str], module: str) -> list[str]:
    pattern = re.compile(rf"^\s*(from|import)\s+{module}(\.|\s)", re.MULTILINE)
    return [
        str(path.relative_to(ROOT))
        for folder in folders
        for path in sorted((ROOT / folder).rglob("*.py"))
        if pattern.search(path.read_text())
    ]


def test_tests_do_not_import_the_local_stack_runner() -> None:
    assert _importers(["tests"], "local") == []


def test_nothing_outside_the_tests_imports_test_code() -> None:
    assert _importers(["scripts", "bench", "local", "standins", "shared", "functions", "infra"], "tests") == []
