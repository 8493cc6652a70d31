"""The dashboard's and the extension's JavaScript, checked without a browser: no import cycle among their modules
(``scripts/import_cycles.mjs``), the wall clock they share and the dashboard's pure parts (the heat map's grid, a
text's conversation) under Node's own test runner (``*.test.mjs`` here), the words they share
(``extension/lib/words.js``) covering every code the API sends, and their SRP sign-in
(``extension/lib/srp.js``) signing as Cognito's math expects."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from shared.models.call import CallOutcome, CallStatus
from shared.models.settings import FollowUpReason
from shared.models.texts import TextReason, TextStatus, TextTrigger
from standins.cognito_srp import ServerChallenge

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


def test_every_text_status_reason_and_trigger_has_its_words() -> None:
    script = (
        'import * as words from "./extension/lib/words.js";'
        "console.log(JSON.stringify({status: words.TEXT_STATUS, statuses: words.TEXT_STATUSES,"
        " reasons: words.TEXT_REASON, when: words.TEXT_WHEN.map(([when]) => when)}));"
    )
    printed = node("--input-type=module", "-e", script)
    assert printed.returncode == 0, printed.stderr
    words = json.loads(printed.stdout)
    assert words["statuses"] == [status.value for status in TextStatus]
    assert set(words["status"]) == {status.value for status in TextStatus}
    assert set(words["reasons"]) == {reason.value for reason in TextReason}
    assert words["when"] == [trigger.value for trigger in TextTrigger]


SRP_CLIENT = """
import { startSrp } from "./extension/lib/srp.js";
import { createInterface } from "node:readline";
const srp = await startSrp(process.argv[1]);
console.log(srp.srpA);
for await (const line of createInterface({ input: process.stdin })) {
  const { parameters, password } = JSON.parse(line);
  console.log(JSON.stringify(await srp.answer(parameters, password)));
}
"""


def extension_srp_answers(user_pool_id: str, passwords: list[str]) -> list[tuple[ServerChallenge, dict[str, str]]]:
    """The extension's SRP (extension/lib/srp.js, under Node) answering the stand-in's challenges, one per password
    tried against the user's real password ``right``."""
    process = subprocess.Popen(
        [str(NODE), "--input-type=module", "-e", SRP_CLIENT, user_pool_id],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        big_a = int(process.stdout.readline().strip(), 16)
        answers = []
        for password in passwords:
            challenge = ServerChallenge(
                user_pool_id=user_pool_id, user_id="vet@paws.example", password="right", big_a=big_a
            )
            parameters = {
                "SRP_B": f"{challenge.big_b:x}",
                "SALT": f"{challenge.salt:x}",
                "SECRET_BLOCK": challenge.secret_block,
                "USER_ID_FOR_SRP": challenge.user_id,
            }
            process.stdin.write(json.dumps({"parameters": parameters, "password": password}) + "\n")
            process.stdin.flush()
            answers.append((challenge, json.loads(process.stdout.readline())))
        return answers
    finally:
        process.stdin.close()
        process.wait(timeout=30)


def test_the_extensions_srp_signature_is_the_one_cognitos_math_expects_and_only_for_the_password() -> None:
    (right, wrong) = extension_srp_answers("us-east-1_AbCdEf123", ["right", "wrong"])
    for challenge, answer in (right, wrong):
        assert answer["USERNAME"] == "vet@paws.example"
        assert answer["PASSWORD_CLAIM_SECRET_BLOCK"] == challenge.secret_block
        assert re.fullmatch(
            r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [1-9]\d? \d\d:\d\d:\d\d UTC \d{4}", answer["TIMESTAMP"]
        )
    assert right[0].expected_signature(right[1]["TIMESTAMP"]) == right[1]["PASSWORD_CLAIM_SIGNATURE"]
    assert wrong[0].expected_signature(wrong[1]["TIMESTAMP"]) != wrong[1]["PASSWORD_CLAIM_SIGNATURE"]
