"""Lambda code assets, built without Docker during synth and cached under ``.build/``.

* The **dependency layer**: the project's runtime dependencies (``uv export`` of the lock file, without the dev
  group; boto3 comes from the Lambda runtime) installed as platform wheels for the pinned architecture and Python
  (``uv pip install --python-platform aarch64-manylinux_2_34 --only-binary :all:``). Its folder is named after a
  hash of the lock file and the target, so a second synth reuses it (no install, about a second).
* The **shared layer**: the project's own ``shared/`` package.
* The **functions**: ``functions/``, one folder per handler.

Layers are byte-compiled by an interpreter of the runtime's Python version when one is on this machine (pyenv has
3.13 here): ``.pyc`` written by another version is ignored by the runtime, which would then compile every import on
each cold start (about 1.5 s more). Without one, the layer ships uncompiled, and synth says so.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("DCS_BUILD_DIR") or ROOT / ".build")  # bench measures a cold build elsewhere
PYTHON_VERSION = "3.13"
PLATFORM = "aarch64-manylinux_2_34"
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")
"""In the Lambda Python runtime already (with boto3); a layer copy would shadow it and add 35 MB."""
EXCLUDED = ("__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache")
PRUNED = (
    "phonenumbers/geodata",
    "phonenumbers/geocoder.py",
    "phonenumbers/geocoder.pyi",
    "phonenumbers/carrierdata",
    "phonenumbers/carrier.py",
    "phonenumbers/carrier.pyi",
)
"""Left out of the dependency layer: libphonenumber's geocoder (place names in 100 languages, about 20 MB) and
carrier data. Nothing here reads them (``shared.models.phone`` uses the numbering metadata and the time-zone
prefixes, which stay); without the modules, an import of either fails loudly rather than answering nothing."""


def _uv() -> str:
    local = ROOT / ".tools" / "bin" / "uv"
    found = str(local) if local.exists() else shutil.which("uv")
    if found is None:
        raise RuntimeError("uv is needed to build the dependency layer: run `make install` first")
    return found


def _runtime_python() -> str | None:
    candidates = [shutil.which(f"python{PYTHON_VERSION}")]
    candidates += [str(path) for path in sorted(Path.home().glob(f".pyenv/versions/{PYTHON_VERSION}*/bin/python3"))]
    for candidate in candidates:
        if candidate and subprocess.run([candidate, "-c", "pass"], capture_output=True).returncode == 0:
            return candidate
    return None


def _compile(folder: Path) -> None:
    python = _runtime_python()
    if python is None:
        print(
            f"note: no python{PYTHON_VERSION} here; {folder.name} ships without bytecode (slower cold starts)",
            file=sys.stderr,
        )
        return
    subprocess.run([python, "-m", "compileall", "-q", "-j", "0", str(folder)], check=True)


def dependency_layer() -> Path:
    """The folder of the dependency layer (``python/`` inside), built once per set of pinned packages and target:
    its name is a hash of the exported requirements (not of the whole lock or pyproject, so a change to dev
    tools or lint settings does not rebuild it)."""
    exported = exported_requirements()
    recipe = f"{PLATFORM}|{PYTHON_VERSION}|{','.join(PRUNED)}".encode()
    digest = hashlib.sha256(exported.encode() + recipe).hexdigest()[:16]
    folder = BUILD / f"dependency-layer-{digest}"
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    target = folder / "python"
    target.mkdir(parents=True)
    requirements = folder.parent / f"requirements-{digest}.txt"
    requirements.write_text(exported)
    subprocess.run(
        layer_install_command(requirements, target),
        cwd=ROOT,
        check=True,
        env={**os.environ, "UV_COMPILE_BYTECODE": "0"},  # bytecode comes from the runtime's Python, below
    )
    _prune(target)
    for dist_info in target.glob("*.dist-info"):
        for extra in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json"):
            (dist_info / extra).unlink(missing_ok=True)  # differ between installs: would change the asset hash
    _compile(target)
    (folder / ".complete").touch()
    return folder


def _prune(target: Path) -> None:
    for relative in PRUNED:
        path = target / relative
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def shared_layer() -> Path:
    """The folder of the shared-code layer: ``python/shared``, rebuilt on every synth (it is small)."""
    folder = BUILD / "shared-layer"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT / "shared", folder / "python" / "shared", ignore=shutil.ignore_patterns(*EXCLUDED))
    _compile(folder / "python")
    return folder


def placeholder_layer(name: str) -> Path:
    """An empty layer folder, for synths that skip bundling (tests): the template is the same but for a hash."""
    folder = BUILD / f"placeholder-{name}"
    (folder / "python").mkdir(parents=True, exist_ok=True)
    return folder


FUNCTIONS = ROOT / "functions"


def exported_requirements() -> str:
    """The runtime packages pinned by the lock file, each with the hashes of its published files."""
    return subprocess.run(
        [
            _uv(),
            "export",
            "--frozen",
            "--no-dev",
            "--no-emit-project",
            "--no-header",
            *(argument for package in RUNTIME_PROVIDED for argument in ("--no-emit-package", package)),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def layer_install_command(requirements: Path, target: Path) -> list[str]:
    return [
        _uv(),
        "pip",
        "install",
        "--quiet",
        "--requirement",
        str(requirements),
        "--target",
        str(target),
        "--python-platform",
        PLATFORM,
        "--python-version",
        PYTHON_VERSION,
        "--only-binary",
        ":all:",
        "--require-hashes",  # every wheel is the one the lock file's hash names, or nothing is installed
        "--no-deps",  # the export is the whole closure, minus what the runtime provides
    ]
