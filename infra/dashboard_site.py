"""The clinic dashboard's static files and the headers they are served with: one definition for the CDK stack
(S3 behind CloudFront, ``infra/dashboard.py``) and the local stack's server (``standins/dashboard_server.py``), so
what ``make dev`` serves is what is deployed. Plain Python, no CDK imports.

The bundle is built by ``node web/build.mjs`` (esbuild, from the npm lock) into ``.build/dashboard-<hash>/``,
named after a hash of everything it is built from, so it is built once and reused by synth, ``make dev``, the
tests and the bench until a source changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("DCS_BUILD_DIR") or ROOT / ".build")
SOURCES = (
    "web/index.html",
    "web/build.mjs",
    "web/src",
    "extension/lib",
    "extension/icons/icon32.png",
    "package-lock.json",
)


def _digest() -> str:
    digest = hashlib.sha256()
    for source in SOURCES:
        path = ROOT / source
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(ROOT).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def built_dashboard() -> Path:
    """The folder of the built dashboard (index.html, app-<hash>.js, app-<hash>.css, icon.png), built if needed."""
    folder = BUILD / f"dashboard-{_digest()}"
    if (folder / "index.html").exists():
        return folder
    if not (ROOT / "node_modules" / "esbuild").exists():
        raise RuntimeError("the dashboard is built with esbuild from the npm lock: run `npm ci` (make does) first")
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    subprocess.run(["node", str(ROOT / "web" / "build.mjs"), str(staging)], cwd=ROOT, check=True)  # noqa: S603, S607
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return folder


def content_security_policy(connect: list[str], media: list[str] | None = None) -> str:
    """The dashboard's Content-Security-Policy: its own scripts and styles only, requests to the API and sign-in
    (``connect``), a recording from wherever the API's link points (``media``: https, and blob: for one read
    through the API), nothing framed, no plugins, forms posted nowhere."""
    sources = " ".join(["'self'", *connect])
    media_sources = " ".join(["'self'", "blob:", *(media if media is not None else ["https:"])])
    return (
        "default-src 'none'; "
        "script-src 'self'; "
        "style-src 'self'; "
        "img-src 'self'; "
        "font-src 'none'; "
        f"connect-src {sources}; "
        f"media-src {media_sources}; "
        "manifest-src 'self'; "
        "base-uri 'none'; "
        "form-action 'none'; "
        "frame-ancestors 'none'; "
        "object-src 'none'"
    )


def with_connect_policy(page: str, connect: list[str]) -> str:
    """``page`` (index.html) with a ``<meta>`` policy that narrows ``connect-src`` to ``connect`` (this API's own
    URL, which the CloudFront header cannot name without a cycle). A browser enforces every policy a page has, so
    requests must satisfy both this and the header's; the meta comes first in ``<head>``, before any script."""
    sources = " ".join(["'self'", *connect])
    meta = f'<meta http-equiv="Content-Security-Policy" content="connect-src {sources}">'
    head = page.find("<head>")
    if head < 0:
        return meta + page
    at = head + len("<head>")
    return page[:at] + meta + page[at:]
