"""The Chrome extension's figures: what the Web Store zip weighs, and how long its browser tests take."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from scripts.build_extension import build


def extension_figures() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        target, checked = build(dist=Path(scratch))
        with zipfile.ZipFile(target) as archive:
            entries = archive.infolist()
        code = sum(entry.file_size for entry in entries if entry.filename.endswith((".js", ".html", ".css")))
        print("\nChrome extension (make extension)")
        print(f"  zip {target.stat().st_size / 1024:.1f} KB, {len(entries)} files, {code / 1024:.1f} KB of code")
        print(f"  permissions {checked.manifest['permissions']}, hosts {checked.manifest['host_permissions']}")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/extension", "-q", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    print(f"  browser tests: {result.stdout.strip().splitlines()[-1]}; wall {wall:.1f} s (headless Chromium per test)")
