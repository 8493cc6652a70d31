"""The developer guide's module map (``docs/developer-guide.md``, between the ``module-map`` markers) names every
Python module under ``shared/``, ``functions/``, ``infra/``, ``standins/``, ``local/``, ``scripts/`` and ``bench/``,
and ``app.py``, and none that is gone. Package ``__init__.py`` files are left out of the map (and of this check):
they hold no behaviour of their own. A failure lists the modules to add to the map and the entries to remove."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "developer-guide.md"
FOLDERS = ("shared", "functions", "infra", "standins", "local", "scripts", "bench")
TOP_LEVEL = ("app.py",)


def _mapped() -> list[str]:
    text = GUIDE.read_text()
    section = re.search(r"<!-- module-map:start -->(.*?)<!-- module-map:end -->", text, re.DOTALL)
    assert section, f"{GUIDE.relative_to(ROOT)} has no module-map section"
    # A module is the first cell of a row; paths named in the descriptions are references, not entries.
    return re.findall(r"^\| `([A-Za-z0-9_/]+\.py)` \|", section.group(1), re.MULTILINE)


def _modules() -> set[str]:
    found = {
        path.relative_to(ROOT).as_posix()
        for folder in FOLDERS
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "__init__.py"
    }
    return found | {name for name in TOP_LEVEL if (ROOT / name).is_file()}


def test_the_module_map_names_every_module_and_none_that_is_gone() -> None:
    mapped = set(_mapped())
    modules = _modules()
    assert sorted(modules - mapped) == [], "modules missing from the developer guide's module map"
    assert sorted(mapped - modules) == [], "the module map names modules that do not exist"


def test_the_module_map_names_each_module_once() -> None:
    mapped = _mapped()
    assert sorted({name for name in mapped if mapped.count(name) > 1}) == []
