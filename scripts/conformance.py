"""Schemathesis against the local stack: does the API do what ``docs/openapi.json`` says?

``make schemathesis`` runs it long (300 examples per operation); ``tests/contract/test_openapi_conformance.py``
runs it briefly in ``make test``. Either way: ``make dev`` on free ports (``standins/dev_process.py``), an admin token
for a clinic of its own, a few seeded calls (so ``{call_id}`` routes reach real calls and ``nextToken`` can be a
real one), then ``schemathesis run docs/openapi.json`` with the configuration below, summed up: operations and
cases run, failures by check, and what each operation answered.

    python -m scripts.conformance --examples 300 [--seed N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from local.dev import LOCAL_DEV_KEY
from standins import dev_process
from standins.tokens import issue

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "docs" / "openapi.json"
CLINIC = "conformance"
SETTINGS_CLINIC = "conformance-settings"  # PUT /clinic/settings runs as its admin (scripts/conformance_hooks.py)
SEEDED_CALLS = 4
UNDECLARED = "(a method no route has)"
STOP_TIMEOUT = 120  # after a long run moto's table is large and dials are in flight: stopping takes a while
# what scripts/conformance_hooks.py, in schemathesis' process, is told (names of environment variables)
ENV_RETELL_API_KEY = "CONFORMANCE_RETELL_API_KEY"
ENV_RUN_TOKEN = "CONFORMANCE_TOKEN"  # noqa: S105
ENV_SETTINGS_TOKEN = "CONFORMANCE_SETTINGS_TOKEN"  # noqa: S105

# Every check schemathesis has runs (not_a_server_error, status_code_conformance, content_type_conformance,
# response_headers_conformance, response_schema_conformance, negative_data_rejection, positive_data_acceptance,
# missing_required_header, ignored_auth, allow_header_conformance, use_after_free, ensure_resource_availability),
# except where said here, and why. object_level_authorization and max_response_time do nothing without settings
# this run does not give (peer users in a WFC auth file, a time limit); tenancy has its own integration tests.
CHECKS: dict[str, dict[str, Any]] = {
    # API Gateway HTTP API answers a method no route has (TRACE /health) with 404 {"message": "Not Found"}, not 405,
    # and the local gateway answers as it does: there is no 405 to give.
    "unsupported_method": {"enabled": False},
    # Schema-valid is not always acceptable, and the API says why in its error body: rules JSON Schema cannot state
    # are the handler's (a phone number that is no number, a time in the past, 'from' after 'to', an unknown
    # timezone: 422; a nextToken this API did not issue: 400). So 400 and 422 join schemathesis' defaults; anything
    # else (405, 413, 415, ...) still fails, and 5xx fails not_a_server_error.
    "positive_data_acceptance": {
        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429", "5xx"]
    },
}


def _future(days: int, hour: int = 17) -> str:
    return (
        (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    )


def dictionaries(call_ids: list[str], next_tokens: list[str]) -> dict[str, list[str]]:
    """Values generated requests use three times in four, so that schema-valid data is often acceptable too."""
    return {
        "call_ids": call_ids,
        "next_tokens": next_tokens,
        # the simulated Retell's answering numbers, in the formats the API accepts
        "phones": ["+14155550100", "(415) 555-0100", "+1 212 555 0100", "+14155550104"],
        "timezones": ["America/Los_Angeles", "America/New_York", "Europe/London", "UTC"],
        "times": [_future(1), _future(30, 9), _future(3).replace("Z", "-07:00")],
    }


PARAMETERS = {
    "path.call_id": "call_ids",
    "query.nextToken": "next_tokens",
    "body.phoneNumber": "phones",
    "body.clinicPhone": "phones",
    "body.fromNumber": "phones",
    "body.timezone": "timezones",
    "body.scheduledFor": "times",
}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(key)} = {_toml_value(item)}" for key, item in value.items()) + "}"
    raise TypeError(f"no TOML for {value!r}")


def config_toml(call_ids: list[str], next_tokens: list[str], token: str, cache: Path) -> str:
    lines = [
        'hooks = "scripts.conformance_hooks"',
        "[cache]",  # failures kept for `st replay` live with this run's reports, not in the project
        f"directory = {_toml_value(str(cache))}",
        "[generation]",
        'database = "none"',
        "[auth.openapi.bearerAuth]",
        f"bearer = {_toml_value(token)}",
        "[checks]",
        *(f"{name} = {_toml_value(options)}" for name, options in CHECKS.items()),
        "[parameters]",
        *(
            f"{_toml_value(key)} = {_toml_value({'dictionary': name, 'probability': 0.75})}"
            for key, name in PARAMETERS.items()
        ),
    ]
    for name, values in dictionaries(call_ids, next_tokens).items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml_value(values)}"]
    return "\n".join(lines) + "\n"


def seed_clinic(url: str, token: str) -> tuple[list[str], list[str]]:
    """Opens the clinic all day (so call-now can be accepted), schedules calls far ahead (the scheduler leaves
    them alone), cancels one; returns the call ids and a nextToken of the clinic's list."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        settings = client.get("/clinic/settings").raise_for_status().json()["data"]
        open_all_day = {day: [["00:00", "24:00"]] for day in settings["businessHours"]}
        client.put("/clinic/settings", json={**settings, "businessHours": open_all_day}).raise_for_status()
        call_ids = []
        for index in range(SEEDED_CALLS):
            body = {
                "phoneNumber": "+14155550100",
                "petName": f"Seed {index}",
                "ownerName": "Conformance",
                "clinicName": "Conformance Clinic",
                "clinicPhone": "+14155559876",
                "consent": {"given": True, "method": "verbal_at_discharge"},
                "scheduledFor": _future(60 + index),
            }
            call_ids.append(client.post("/calls/schedule", json=body).raise_for_status().json()["data"]["callId"])
        client.post(f"/calls/{call_ids[-1]}/cancel").raise_for_status()
        page = client.get("/calls", params={"limit": 1}).raise_for_status().json()["data"]
    return call_ids, [page["nextToken"]]


@dataclass
class Outcome:
    examples: int
    seed: int
    seconds: float
    exit_code: int
    output: str
    report: dict[str, Any]
    failures_by_check: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    stack_log: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def operations(self) -> int:
        return int(self.report.get("operations", {}).get("tested", 0))

    @property
    def cases(self) -> int:
        return int(self.report.get("test_cases", {}).get("generated", 0))

    @property
    def passed(self) -> bool:
        return self.exit_code == 0 and not self.failures_by_check and not self.report.get("errors")

    def server_errors(self, limit: int = 3) -> str:
        """The first tracebacks the local stack logged (a 500's cause), if any."""
        found: list[str] = []
        for index, line in enumerate(self.stack_log):
            if line.startswith("Traceback") and len(found) < limit:
                end = next(
                    (i for i in range(index + 1, len(self.stack_log)) if not self.stack_log[i].startswith((" ", "\t"))),
                    len(self.stack_log) - 1,
                )
                found.append("".join(self.stack_log[max(index - 1, 0) : end + 1]))
        return "\n".join(found)

    def failures_section(self) -> str:
        """Schemathesis' own account of each failure, with a curl line to reproduce it."""
        start = self.output.find("FAILURES")
        errors = self.output.find("ERRORS")
        begin = min(index for index in (start, errors, len(self.output)) if index >= 0)
        return self.output[self.output.rfind("\n", 0, begin) + 1 :]

    def summary(self) -> str:
        phases = self.report.get("phases", {})
        lines = [
            f"schemathesis {self.report.get('schemathesis_version', '?')} against docs/openapi.json on the local "
            f"stack: {self.operations} operations, {self.cases} cases ({self.examples} examples per operation, "
            f"seed {self.seed}) in {self.seconds:.1f} s",
            "phases: " + ", ".join(f"{name} {phase.get('status')}" for name, phase in phases.items()),
            "failing cases by check: "
            + (", ".join(f"{name} {count}" for name, count in self.failures_by_check.most_common()) or "none"),
        ]
        for failure in self.report.get("failures", []):
            operations = ", ".join(failure.get("operations", []))
            lines.append(f"  {failure['code']} {failure['title']}: {failure['count']} ({operations})")
        for error in self.report.get("errors", []):
            lines.append(f"  error: {json.dumps(error)[:300]}")
        lines.append("answers by operation:")
        width = max((len(label) for label in self.statuses), default=0)
        for label, counts in sorted(self.statuses.items(), key=lambda item: (item[0] == UNDECLARED, item[0])):
            answered = " ".join(f"{status}x{count}" for status, count in sorted(counts.items()))
            lines.append(f"  {label:<{width}}  {answered}")
        warnings = {name: items for name, items in self.report.get("warnings", {}).items() if items}
        for name, items in warnings.items():
            lines.append(f"warning {name}: {', '.join(map(str, items))}")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)


def _events(path: Path) -> Iterator[dict[str, Any]]:
    with path.open() as lines:
        for line in lines:
            yield json.loads(line)


def documented_operations() -> set[str]:
    document = json.loads(DOCUMENT.read_text())
    return {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item}


def _tally(outcome: Outcome, ndjson: Path) -> None:
    """Failed checks and answers per case, from schemathesis' event stream (each case counted once). Requests with
    a method no route has (the coverage phase sends a few to every path) are counted together."""
    documented = documented_operations()
    seen: set[str] = set()
    statuses: dict[str, Counter[int]] = defaultdict(Counter)
    for event in _events(ndjson):
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished.get("recorder") or {}
        interactions = recorder.get("interactions") or {}
        for case_id, case in (recorder.get("cases") or {}).items():
            if case_id in seen:
                continue
            seen.add(case_id)
            value = case.get("value") or {}
            response = (interactions.get(case_id) or {}).get("response")
            if response:
                label = f"{value.get('method')} {value.get('path')}"
                statuses[label if label in documented else UNDECLARED][int(response["status_code"])] += 1
            for check in (recorder.get("checks") or {}).get(case_id, []):
                if check.get("status") == "failure":
                    outcome.failures_by_check[check["name"]] += 1
    outcome.statuses = dict(statuses)


def _schemathesis(
    stack: dev_process.DevProcess, examples: int, seed: int, work: Path, reports: Path
) -> tuple[subprocess.CompletedProcess[str], float]:
    token = issue(CLINIC, "admin")
    call_ids, next_tokens = seed_clinic(stack.url, token)
    config = work / "schemathesis.toml"
    config.write_text(config_toml(call_ids, next_tokens, token, reports / "cache"))
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        str(DOCUMENT),
        "--url",
        stack.url,
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--report",
        "json,ndjson" + (",html" if reports != work else ""),
        "--report-dir",
        str(reports),
    ]
    environment = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'functions'}",
        ENV_RETELL_API_KEY: LOCAL_DEV_KEY,
        ENV_RUN_TOKEN: token,
        ENV_SETTINGS_TOKEN: issue(SETTINGS_CLINIC, "admin"),
    }
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - this environment's schemathesis, arguments built here
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300 + 3 * examples, check=False
    )
    return result, time.perf_counter() - started


def run(examples: int, seed: int | None = None, echo: bool = False, reports: Path | None = None) -> Outcome:
    """The whole run: stack up, seeded, tested, stack down. Schemathesis' reports (JSON, NDJSON events, HTML) and
    the stack's log go to ``reports`` when given (emptied first), else to a temporary folder."""
    seed = seed if seed is not None else int.from_bytes(os.urandom(4), "big")
    with tempfile.TemporaryDirectory(prefix="conformance-") as folder:
        work = Path(folder)
        if reports is not None:
            shutil.rmtree(reports, ignore_errors=True)
            reports.mkdir(parents=True)
        folder_of_reports = reports or work
        notes = []
        stack = dev_process.start({"LOG_LEVEL": "WARNING", **dev_process.LOAD_RUN_BUDGET})
        try:
            stack.wait_ready()
            result, seconds = _schemathesis(stack, examples, seed, work, folder_of_reports)
        finally:
            try:
                stack.interrupt(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:  # killed: what it answered still counts
                notes.append(f"make dev did not stop within {STOP_TIMEOUT} s of Ctrl-C and was killed")
        output = result.stdout + result.stderr
        if echo:
            print(output)
        if reports is not None:
            (reports / "make-dev.log").write_text("".join(stack.output))
        written = {path.suffix: path for path in folder_of_reports.iterdir() if path.suffix in {".json", ".ndjson"}}
        if ".json" not in written:
            raise RuntimeError(f"schemathesis wrote no report (exit {result.returncode}):\n{output[-4000:]}")
        report = json.loads(written[".json"].read_text())
        outcome = Outcome(
            examples, seed, seconds, result.returncode, output, report, stack_log=list(stack.output), notes=notes
        )
        _tally(outcome, written[".ndjson"])
        return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Schemathesis against the local stack (docs/openapi.json).")
    parser.add_argument("--examples", type=int, default=300, help="examples per operation (default 300)")
    parser.add_argument("--seed", type=int, default=None, help="schemathesis' seed (default: a random one)")
    parser.add_argument("--reports", type=Path, default=None, help="keep schemathesis' reports in this folder")
    args = parser.parse_args(argv)
    outcome = run(args.examples, args.seed, echo=True, reports=args.reports)
    if errors := outcome.server_errors():
        print(f"the local stack's first tracebacks:\n{errors}")
    print(outcome.summary())
    return 0 if outcome.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
