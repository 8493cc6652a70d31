"""The Makefile's test tiers (``make unit``, ``make integration``, ``make e2e``, ``make infra-tests``) cover every
folder of tests exactly once, and each tier's target runs its own folders: a new folder under ``tests/`` must be put
in a tier, or ``make test`` would be the only thing that runs it. Folders without test modules (``tests/support``:
fakes and helpers) belong to no tier."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = (ROOT / "Makefile").read_text()
TIERS = {
    "unit": "UNIT_TESTS",
    "integration": "INTEGRATION_TESTS",
    "e2e": "E2E_TESTS",
    "infra-tests": "INFRA_TESTS",
}


def _variable(name: str) -> list[str]:
    match = re.search(rf"^{name} := (.+)$", MAKEFILE, re.MULTILINE)
    assert match, f"the Makefile defines no {name}"
    return match.group(1).split()


def _recipe(target: str) -> str:
    match = re.search(rf"^{re.escape(target)}:[^\n]*\n((?:\t[^\n]*\n)+)", MAKEFILE, re.MULTILINE)
    assert match, f"the Makefile has no recipe for {target}"
    return match.group(1)


def _test_folders() -> set[str]:
    return {
        folder.relative_to(ROOT).as_posix()
        for folder in (ROOT / "tests").iterdir()
        if folder.is_dir() and any(folder.rglob("test_*.py"))
    }


def test_every_folder_of_tests_is_in_exactly_one_tier() -> None:
    listed = [folder for variable in TIERS.values() for folder in _variable(variable)]
    assert sorted(listed) == sorted(set(listed)), "a folder is in two tiers"
    assert set(listed) == _test_folders()


def test_each_tier_runs_its_folders_with_pytest() -> None:
    for target, variable in TIERS.items():
        recipe = _recipe(target)
        assert re.search(rf"pytest \$\({variable}\)", recipe), f"make {target} does not run $({variable})"


def test_every_tier_is_phony_and_listed_by_make_help() -> None:
    phony = re.search(r"^\.PHONY: (.+)$", MAKEFILE, re.MULTILINE)
    assert phony
    for target in TIERS:
        assert target in phony.group(1).split()
        assert re.search(rf"^{re.escape(target)}:[^\n]*## ", MAKEFILE, re.MULTILINE), f"{target} has no help text"
