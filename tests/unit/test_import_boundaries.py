"""Who may import whom.

The layers of ``shared/`` (each may import the layers before it, and stdlib and third-party packages):

- ``shared.models``: the data's shapes and their validation; imports only ``shared.models``.
- ``shared.domain``: the business rules, pure; imports only ``shared.domain`` and ``shared.models``.
- ``shared.logic``: the use cases, over the ports (``shared.logic.ports``: the port interfaces and the values that
  cross them); imports no ``shared.adapters``, ``shared.dal`` or ``shared.bootstrap``.
- ``shared.adapters`` and ``shared.dal``: the ports' implementations; of ``shared.logic`` they import only
  ``shared.logic.ports``, never a service.
- ``shared.api``: the HTTP mapping (envelopes, refusals, auth, signatures); imports no ``shared.adapters`` or
  ``shared.dal``.
- ``shared.bootstrap``: the composition root, the one place that wires them all.

A function's code (every module under ``functions/``) imports, of ours, only ``shared.bootstrap`` (its services),
``shared.api``, ``shared.models``, ``shared.observability`` (the Powertools logger, tracer and metrics it decorates
its handler with), ``shared.telemetry`` (the metrics' names) and its own package (``api.routes``).

Every import counts: at the top of a module, inside a function (a deferred import), and under ``TYPE_CHECKING``
(an annotation names what the module depends on as much as a call does). Shipped code has no import cycle.

Besides: the tests never reach into the local stack's runner (``local/``), and nothing that ships or runs outside
the tests (``scripts/``, ``bench/``, ``local/``, ``standins/``) imports test code. What both need (moto's
resources, API Gateway's events, the simulated Retell, the local gateway) lives in ``standins/``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"


@dataclass(frozen=True)
class Import:
    importer: str  # the importing module's dotted name
    imported: str  # the imported module's dotted name (a submodule when ``from package import submodule``)
    where: str  # path:line, for the failure message

    def __str__(self) -> str:
        return f"{self.where}: {self.importer} imports {self.imported}"


def _module_name(path: Path) -> str:
    """A module's name as it is imported: ``shared.logic.calls``; a function's modules with ``functions/`` on the
    path, as Lambda runs them (``api.routes.calls``)."""
    base = FUNCTIONS if path.is_relative_to(FUNCTIONS) else ROOT
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _shipped_modules() -> dict[str, Path]:
    paths = [*sorted((ROOT / "shared").rglob("*.py")), *sorted(FUNCTIONS.rglob("*.py"))]
    return {_module_name(path): path for path in paths}


@cache
def _function_packages() -> frozenset[str]:
    return frozenset(path.name for path in FUNCTIONS.iterdir() if (path / "__init__.py").exists())


def _is_ours(module: str) -> bool:
    return module.split(".")[0] in {"shared", *_function_packages()}


def _imports_of(path: Path) -> Iterator[Import]:
    importer = _module_name(path)
    known = _shipped_modules()
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(importer, alias.name, where)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the importer's package
                package = importer.split(".") if path.name == "__init__.py" else importer.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                module = ".".join([*package, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                yield Import(importer, submodule if submodule in known else module, where)


def _our_imports(folder: str) -> list[Import]:
    """Every import of our own modules by the modules under ``folder`` (relative to the repository)."""
    return [
        found
        for path in sorted((ROOT / folder).rglob("*.py"))
        for found in _imports_of(path)
        if _is_ours(found.imported)
    ]


def _within(module: str, *packages: str) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def _crossings(folder: str, *, allowed: tuple[str, ...]) -> list[str]:
    return [str(found) for found in _our_imports(folder) if not _within(found.imported, *allowed)]


# -- the layers of shared/ -------------------------------------------------------------------------------------------


def test_models_import_only_models() -> None:
    assert _crossings("shared/models", allowed=("shared.models",)) == []


def test_domain_imports_only_domain_and_models() -> None:
    assert _crossings("shared/domain", allowed=("shared.domain", "shared.models")) == []


def test_logic_imports_no_adapters_dal_or_bootstrap() -> None:
    forbidden = ("shared.adapters", "shared.dal", "shared.bootstrap")
    assert [str(found) for found in _our_imports("shared/logic") if _within(found.imported, *forbidden)] == []


def test_adapters_and_dal_take_only_the_ports_from_logic() -> None:
    crossings = [
        str(found)
        for folder in ("shared/adapters", "shared/dal")
        for found in _our_imports(folder)
        if _within(found.imported, "shared.logic", "shared.bootstrap")
        and not _within(found.imported, "shared.logic.ports")
    ]
    assert crossings == []


def test_http_mapping_imports_no_adapters_or_dal() -> None:
    forbidden = ("shared.adapters", "shared.dal", "shared.bootstrap")
    assert [str(found) for found in _our_imports("shared/api") if _within(found.imported, *forbidden)] == []


def test_functions_import_only_bootstrap_api_models_and_observability() -> None:
    allowed = (
        "shared.bootstrap",
        "shared.api",
        "shared.models",
        "shared.observability",
        "shared.telemetry",
    )
    crossings = [
        str(found)
        for found in _our_imports("functions")
        if not _within(found.imported, *allowed) and found.imported.split(".")[0] != found.importer.split(".")[0]
    ]
    assert crossings == []


def test_shipped_code_has_no_import_cycle() -> None:
    modules = _shipped_modules()
    graph = {
        name: sorted({found.imported for found in _imports_of(path) if found.imported in modules} - {name})
        for name, path in modules.items()
    }
    cycles: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while on the walk's path, "done" once all it reaches is walked
    path: list[str] = []

    def walk(module: str) -> None:
        state[module] = "open"
        path.append(module)
        for imported in graph[module]:
            if state.get(imported) == "open":
                cycles.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                walk(imported)
        path.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            walk(module)
    assert [" -> ".join(cycle) for cycle in cycles] == []


def test_the_rules_see_the_imports() -> None:
    """The walk finds what a rule needs: a deferred import, a ``TYPE_CHECKING`` one, ``from package import
    submodule`` as the submodule, and a function's own package."""
    common = {found.imported for found in _imports_of(ROOT / "shared/bootstrap/common.py")}
    assert "shared.adapters.execute_invoker" in common  # deferred, and also under TYPE_CHECKING
    assert "shared.models.execution" in common  # under TYPE_CHECKING only
    routes = {found.imported for found in _imports_of(FUNCTIONS / "api/routes/calls.py")}
    assert "api.routes.context" in routes
    assert len(_our_imports("functions")) > 20


# -- tests and tools -------------------------------------------------------------------------------------------------


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
