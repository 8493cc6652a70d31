"""The dashboard's and the extension's JavaScript, checked without a browser: no import cycle among their modules
(``scripts/import_cycles.mjs``), the wall clock they share under Node's own test runner (``*.test.mjs`` here), and
the words they share (``extension/lib/words.js``) covering every code the API sends."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from shared.models.call import CallOutcome, CallStatus
from shared.models.settings import FollowUpReason

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


def node(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(NODE), *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def test_the_dashboard_and_the_extension_have_no_import_cycle() -> None:
    checked = node("scripts/import_cycles.mjs")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert ", 0 import cycles" in checked.stdout


def test_the_check_finds_a_cycle_and_the_extension_importing_the_dashboard(tmp_path: Path) -> None:
    (tmp_path / "main.js").write_text('import { page } from "./page.js";\npage();\n')
    (tmp_path / "page.js").write_text('import { frame } from "./frame.js";\nexport const page = () => frame;\n')
    (tmp_path / "frame.js").write_text('import { page } from "./page.js";\nexport const frame = () => page;\n')
    checked = node(str(ROOT / "scripts" / "import_cycles.mjs"), "main.js", cwd=tmp_path)
    assert checked.returncode == 1
    assert "import cycle: frame.js -> page.js -> frame.js" in checked.stdout


def test_the_wall_clock() -> None:
    ran = node("--test", *sorted(str(path.relative_to(ROOT)) for path in HERE.glob("*.test.mjs")))
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr
    assert "# fail 0" in ran.stdout


def test_every_status_outcome_and_follow_up_reason_has_its_words() -> None:
    script = (
        'import * as words from "./extension/lib/words.js";'
        "console.log(JSON.stringify({status: words.STATUS, statuses: words.STATUSES, outcome: words.OUTCOME,"
        " reasons: words.FOLLOW_UP_REASONS.map(([reason]) => reason)}));"
    )
    printed = node("--input-type=module", "-e", script)
    assert printed.returncode == 0, printed.stderr
    words = json.loads(printed.stdout)
    assert words["statuses"] == [status.value for status in CallStatus]
    assert set(words["status"]) == {status.value for status in CallStatus}
    assert set(words["outcome"]) == {outcome.value for outcome in CallOutcome}
    assert sorted(words["reasons"]) == sorted(reason.value for reason in FollowUpReason)
