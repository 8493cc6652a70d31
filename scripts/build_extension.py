"""``make extension``: check the Chrome extension and pack it as a zip for the Chrome Web Store (unlisted).

The checks are what the Web Store and Chrome would refuse, caught before an upload: Manifest V3 fields and their
limits, every file the manifest, the pages and the modules refer to, no remote code, and only the permissions the
extension needs. When Chromium is installed, Chromium itself then loads the packed folder (``--pack-extension``).

Defaults for a deployment are stamped into ``defaults.json`` inside the zip: from ``make deploy``'s outputs
(``.build/cdk-outputs.json``) or from ``API_URL``/``COGNITO_CLIENT_ID``/``COGNITO_REGION``, so clinic staff
only sign in. The manifest's ``key`` (which fixes the extension id for development and CORS) is left out of the
zip: the Web Store refuses it and gives the item its own key.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "extension"
DIST = ROOT / "dist"
OUTPUTS = ROOT / ".build" / "cdk-outputs.json"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/lib/chromium/chromium"))

ALLOWED_PERMISSIONS = {"storage"}
ALLOWED_HOSTS = {"https://us.idexxneo.com/*"}
VERSION = re.compile(r"^(0|[1-9]\d{0,4})(\.(0|[1-9]\d{0,4})){0,3}$")
MODULE_IMPORT = re.compile(r"""(?:^|\s)(?:import|export)\s[^;]*?from\s+["'](\.{1,2}/[^"']+)["']""", re.M)
PAGE_REFERENCE = re.compile(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)="([^"]+)\"""")
PACKED = ("manifest.json", "defaults.json", "*.html", "*.js", "*.css", "lib/*.js", "icons/*.png")


class ExtensionInvalid(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(f"  - {problem}" for problem in problems))
        self.problems = problems


@dataclass
class Checked:
    manifest: dict[str, Any]
    extension_id: str | None
    files: list[Path] = field(default_factory=list)


def extension_id(public_key_b64: str) -> str:
    """Chrome's id for a public key: the first 128 bits of its SHA-256, written with the letters a-p."""
    digest = hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:32]
    return "".join(chr(ord("a") + int(char, 16)) for char in digest)


def _manifest_files(manifest: dict[str, Any]) -> list[str]:
    files = list((manifest.get("icons") or {}).values())
    action = manifest.get("action") or {}
    files += [action["default_popup"]] if "default_popup" in action else []
    icon = action.get("default_icon")
    files += list(icon.values()) if isinstance(icon, dict) else [icon] if icon else []
    background = manifest.get("background") or {}
    files += [background["service_worker"]] if "service_worker" in background else []
    for script in manifest.get("content_scripts") or []:
        files += list(script.get("js") or []) + list(script.get("css") or [])
    files += [(manifest.get("options_ui") or {}).get("page")] if manifest.get("options_ui") else []
    return [name for name in files if name]


def _references(path: Path) -> list[str]:
    if path.suffix == ".html":
        return list(PAGE_REFERENCE.findall(path.read_text()))
    if path.suffix == ".js":
        return MODULE_IMPORT.findall(path.read_text())
    return []


def check(source: Path = SOURCE) -> Checked:
    problems: list[str] = []
    try:
        manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ExtensionInvalid([f"manifest.json cannot be read: {error}"]) from error

    if manifest.get("manifest_version") != 3:
        problems.append("manifest_version must be 3")
    for name, limit in (("name", 75), ("short_name", 12), ("description", 132)):
        value = manifest.get(name)
        if name != "short_name" and not value:
            problems.append(f"{name} is required")
        elif value and len(value) > limit:
            problems.append(f"{name} is {len(value)} characters; the limit is {limit}")
    if not VERSION.match(str(manifest.get("version", ""))):
        problems.append(f"version {manifest.get('version')!r} must be 1 to 4 dot-separated integers (0-65535)")
    if extra := set(manifest.get("permissions") or []) - ALLOWED_PERMISSIONS:
        problems.append(f"permissions not needed by the extension: {sorted(extra)}")
    if extra := set(manifest.get("host_permissions") or []) - ALLOWED_HOSTS:
        problems.append(f"host permissions not needed by the extension: {sorted(extra)}")
    if (manifest.get("background") or {}).get("type") != "module":
        problems.append("the service worker must be an ES module (background.type = module)")
    if "content_security_policy" in manifest:
        problems.append("no custom content_security_policy: MV3's default forbids remote and eval'd code")

    # Pages opened by address (call.html) count as entry points, like the ones the manifest names.
    referenced = set(_manifest_files(manifest)) | {page.name for page in source.glob("*.html")}
    pending = sorted(referenced)
    while pending:
        name = pending.pop()
        path = (source / name).resolve()
        if not path.is_file() or source.resolve() not in path.parents:
            problems.append(f"{name} is referenced but is not a file of the extension")
            continue
        for reference in _references(path):
            if re.match(r"^[a-z]+:", reference) or reference.startswith("//"):
                problems.append(f"{name} loads {reference}: remote code is not allowed in Manifest V3")
                continue
            target = (path.parent / reference.split("?")[0]).resolve().relative_to(source.resolve()).as_posix()
            if target not in referenced:
                referenced.add(target)
                pending.append(target)

    key = manifest.get("key")
    if problems:
        raise ExtensionInvalid(problems)
    files = sorted({path for pattern in PACKED for path in source.glob(pattern) if path.is_file()})
    names = [path.relative_to(source).as_posix() for path in files if path.suffix in {".js", ".css"}]
    if unreferenced := [name for name in names if name not in referenced]:
        raise ExtensionInvalid([f"{name} is packed but nothing uses it" for name in unreferenced])
    return Checked(manifest=manifest, extension_id=extension_id(key) if key else None, files=files)


def deployment_defaults(
    source: Path, api_url: str | None, client_id: str | None, region: str | None, user_pool_id: str | None = None
) -> dict[str, Any]:
    defaults: dict[str, Any] = json.loads((source / "defaults.json").read_text())
    if OUTPUTS.exists() and not (api_url or client_id):
        stacks = json.loads(OUTPUTS.read_text())
        outputs: dict[str, str] = next((values for values in stacks.values() if "ApiUrl" in values), {})
        api_url, client_id = outputs.get("ApiUrl"), outputs.get("UserPoolClientId")
        user_pool_id = user_pool_id or outputs.get("UserPoolId") or None
        if outputs.get("DashboardUrl"):
            defaults["dashboardUrl"] = outputs["DashboardUrl"].rstrip("/")
    # SRP sign-in hashes the password with the pool's id; its region is the id's prefix.
    region = region or (user_pool_id or "").partition("_")[0] or None
    if api_url:
        defaults["apiBase"] = api_url.rstrip("/")
    if client_id:
        defaults["cognito"] = {
            **defaults["cognito"],
            "clientId": client_id,
            "region": region or "",
            "userPoolId": user_pool_id or "",
        }
    return defaults


def chromium_loads(source: Path) -> str | None:
    """Chromium's own verdict on the folder, or ``None`` when Chromium is not installed."""
    if not CHROMIUM.exists():
        return None
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "extension"
        shutil.copytree(source, copy)
        result = subprocess.run(  # noqa: S603 - a fixed binary on a folder we just wrote
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", f"--pack-extension={copy}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise ExtensionInvalid([f"Chromium refused it: {(result.stderr or result.stdout).strip()[-400:]}"])
    return "Chromium loads it"


def build(
    source: Path = SOURCE,
    dist: Path = DIST,
    *,
    api_url: str | None = None,
    client_id: str | None = None,
    region: str | None = None,
    user_pool_id: str | None = None,
) -> tuple[Path, Checked]:
    checked = check(source)
    manifest = {name: value for name, value in checked.manifest.items() if name != "key"}
    defaults = deployment_defaults(source, api_url, client_id, region, user_pool_id)
    dist.mkdir(parents=True, exist_ok=True)
    target = dist / f"discharge-calls-extension-{manifest['version']}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in checked.files:
            name = path.relative_to(source).as_posix()
            data = path.read_bytes()
            if name == "manifest.json":
                data = (json.dumps(manifest, indent=2) + "\n").encode()
            elif name == "defaults.json":
                data = (json.dumps(defaults, indent=2) + "\n").encode()
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # the same sources give the same zip
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return target, checked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-url", default=os.environ.get("API_URL") or None)
    parser.add_argument("--cognito-client-id", default=os.environ.get("COGNITO_CLIENT_ID") or None)
    parser.add_argument("--cognito-region", default=os.environ.get("COGNITO_REGION") or None)
    parser.add_argument("--cognito-user-pool-id", default=os.environ.get("COGNITO_USER_POOL_ID") or None)
    args = parser.parse_args(argv)
    try:
        target, checked = build(
            api_url=args.api_url,
            client_id=args.cognito_client_id,
            region=args.cognito_region,
            user_pool_id=args.cognito_user_pool_id,
        )
        verdict = chromium_loads(SOURCE) or "Chromium is not installed here: its own check was skipped"
    except ExtensionInvalid as error:
        print(f"extension/ is not valid:\n{error}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(target) as archive:
        defaults = json.loads(archive.read("defaults.json"))
    print(f"checked: Manifest V3, {len(checked.files)} files, permissions {checked.manifest.get('permissions')}")
    print(f"checked: {verdict}")
    print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size / 1024:.1f} KB)")
    print(f"API: {defaults['apiBase'] or '(not set: staff enter it in the settings)'}")
    print(f"sign-in app client: {defaults['cognito']['clientId'] or '(not set)'}")
    if checked.extension_id:
        print(
            f"unpacked id (manifest key): {checked.extension_id}; CORS origin chrome-extension://{checked.extension_id}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
