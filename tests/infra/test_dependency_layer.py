"""The dependency layer installs exactly the files the lock file names: every package pinned and hashed, and the
installer told to refuse anything whose hash differs (a tampered or substituted wheel)."""

from __future__ import annotations

import re
from pathlib import Path

from infra.assets import exported_requirements, layer_install_command


def test_every_runtime_package_is_pinned_with_its_hashes() -> None:
    requirements = exported_requirements()
    # "name==version [; markers] \" then one "--hash=sha256:..." line per published file
    packages = re.findall(
        r"^([A-Za-z0-9_.\-]+)==[^\n]*\\\n(?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+", requirements, re.M
    )
    names = {name.lower() for name in packages}
    assert {"pydantic", "httpx", "retell-sdk", "aws-lambda-powertools"} <= names
    pinned = [line for line in requirements.splitlines() if "==" in line and not line.lstrip().startswith("#")]
    assert len(pinned) == len(packages)  # not one package without a hash


def test_the_installer_requires_the_hashes() -> None:
    command = layer_install_command(Path("requirements.txt"), Path("python"))
    assert "--require-hashes" in command
    assert "--no-deps" in command
