"""``make extension``: the checks refuse what the Web Store or Chrome would, and the zip is ready to upload."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from scripts import build_extension
from scripts.build_extension import ExtensionInvalid, build, check, chromium_loads
from tests.extension.conftest import EXTENSION, EXTENSION_ID, Vet


def test_the_zip_has_every_file_no_key_and_the_deployment_stamped_in(tmp_path: Path) -> None:
    target, checked = build(
        dist=tmp_path,
        api_url="https://abc.execute-api.us-east-1.amazonaws.com/",
        client_id="client123",
        region="us-east-1",
        user_pool_id="us-east-1_AbCdEf123",
    )
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        defaults = json.loads(archive.read("defaults.json"))
    assert {"manifest.json", "background.js", "content.js", "popup.html", "options.html", "call.html"} <= names
    assert {"lib/api.js", "lib/session.js", "icons/icon128.png"} <= names
    assert not any(name.endswith((".py", ".pem", ".crx", ".ts", ".mjs")) for name in names)
    assert {name for name in names if name.endswith(".json")} == {"manifest.json", "defaults.json"}  # no tool configs
    assert "key" not in manifest  # the Web Store refuses a key and assigns its own
    assert manifest["version"] == checked.manifest["version"]
    assert defaults["apiBase"] == "https://abc.execute-api.us-east-1.amazonaws.com"
    assert defaults["cognito"] == {
        "region": "us-east-1",
        "userPoolId": "us-east-1_AbCdEf123",
        "clientId": "client123",
        "endpoint": "",
    }
    again, _ = build(dist=tmp_path / "again", api_url="https://abc.execute-api.us-east-1.amazonaws.com/",
                     client_id="client123", region="us-east-1", user_pool_id="us-east-1_AbCdEf123")  # fmt: skip
    assert again.read_bytes() == target.read_bytes()  # reproducible


def test_deploy_outputs_are_used_when_nothing_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = tmp_path / "cdk-outputs.json"
    outputs.write_text(json.dumps({"DischargeCalls": {
        "ApiUrl": "https://xyz.execute-api.eu-west-1.amazonaws.com/",
        "UserPoolId": "eu-west-1_AbCdEf", "UserPoolClientId": "abc123"}}))  # fmt: skip
    monkeypatch.setattr(build_extension, "OUTPUTS", outputs)
    target, _ = build(dist=tmp_path)
    with zipfile.ZipFile(target) as archive:
        defaults = json.loads(archive.read("defaults.json"))
    assert defaults["apiBase"] == "https://xyz.execute-api.eu-west-1.amazonaws.com"
    assert defaults["cognito"]["region"] == "eu-west-1"
    assert defaults["cognito"]["clientId"] == "abc123"
    assert defaults["cognito"]["userPoolId"] == "eu-west-1_AbCdEf"  # SRP sign-in hashes the password with it


def broken_copy(tmp_path: Path, change: dict[str, object] | None = None, remove: str | None = None) -> Path:
    copy = tmp_path / "extension"
    shutil.copytree(EXTENSION, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest.update(change or {})
    (copy / "manifest.json").write_text(json.dumps(manifest))
    if remove:
        (copy / remove).unlink()
    return copy


@pytest.mark.parametrize(
    ("change", "remove", "problem"),
    [
        ({"manifest_version": 2}, None, "manifest_version must be 3"),
        ({"version": "1.0.0-beta"}, None, "version '1.0.0-beta' must be"),
        (
            {"permissions": ["storage", "tabs", "cookies"]},
            None,
            "permissions not needed by the extension: ['cookies', 'tabs']",
        ),
        ({"host_permissions": ["<all_urls>"]}, None, "host permissions not needed"),
        ({"description": "x" * 133}, None, "description is 133 characters"),
        (None, "lib/time.js", "lib/time.js is referenced but is not a file"),
        (None, "icons/icon48.png", "icons/icon48.png is referenced but is not a file"),
    ],
)
def test_what_chrome_or_the_store_would_refuse_is_refused(
    tmp_path: Path, change: dict[str, object] | None, remove: str | None, problem: str
) -> None:
    with pytest.raises(ExtensionInvalid) as refused:
        check(broken_copy(tmp_path, change, remove))
    assert any(problem in line for line in refused.value.problems), refused.value.problems


def test_remote_code_is_refused(tmp_path: Path) -> None:
    copy = broken_copy(tmp_path)
    popup = copy / "popup.html"
    popup.write_text(
        popup.read_text().replace("</body>", '<script src="https://cdn.example.com/x.js"></script></body>')
    )
    with pytest.raises(ExtensionInvalid, match="remote code is not allowed"):
        check(copy)


def test_chromium_itself_accepts_the_extension_and_refuses_a_broken_one(tmp_path: Path) -> None:
    assert chromium_loads(EXTENSION) == "Chromium loads it"
    with pytest.raises(ExtensionInvalid, match="Chromium refused it"):
        chromium_loads(broken_copy(tmp_path, remove="background.js"))


def test_the_manifest_key_fixes_the_id_chromium_gives_the_extension(vet: Vet) -> None:
    assert vet.extension_id == EXTENSION_ID == check().extension_id
