"""``make soak``: N calls (default 10,000) through ``make dev``, checked against the simulated Retell's own log.

The local stack is started as ``make dev`` is (a child process on free ports) with the dialing limits raised.
Clinics open all day every day with one retry a minute later get N calls over HTTP, to the simulated Retell's
scenario numbers in a fixed mix, planned so that calling safety lets every one through at once (``plan_calls``).
When every call is terminal (or the deadline passes) it reports:

* **lost**: a call scheduled that is missing or not terminal;
* **double dials**: more than one call placed at Retell for one (call, attempt);
* **disagreements**: a call whose final status, outcome or attempt count is not what the simulated Retell's script
  did on its dials (the dial sequence is read back from ``GET /_sim/calls`` and ``POST /v3/list-calls``);
* throughput (calls/s, first schedule to the last call's final write), the dial lag, the wall time, and the peak
  resident memory of the local stack's processes (``/proc``, sampled every second).

Exits 1 if anything was lost, double-dialed or disagreed (or a schedule request was refused).

``python -m bench.soak --calls 500`` (``make soak N=500``); ``--help`` lists the knobs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import statistics
import subprocess
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from local.dev import LOCAL_DEV_KEY
from shared.models.settings import MAX_DIALS_PER_NUMBER
from standins import dev_process
from standins.daytime import LONGEST_WAIT, daytime_prefixes
from standins.http_server import free_port
from standins.retell_sim import scenarios
from standins.tokens import issue

ROOT = Path(__file__).resolve().parents[1]
CLINIC = "soak"
MAX_RETRIES = 1  # the soak clinics' policy: one retry, a minute later
DIALS_PER_CALL = {scenarios.NO_ANSWER: 2, scenarios.BUSY: 2, scenarios.NO_ANSWER_THEN_ANSWERS: 2}
"""Dials a call of these numbers takes (its retry); every other takes one (a 429 is given back, not counted)."""
FRESH_FROM = 5_550_200
"""Answered calls call numbers from here on: above every scenario number of the simulated Retell."""
AREA_PREFIXES = (
    *("+1415", "+1213", "+1310", "+1408", "+1510", "+1619", "+1650", "+1714", "+1818", "+1916", "+1206", "+1503"),
    *("+1212", "+1305", "+1404", "+1617", "+1202", "+1215", "+1718", "+1813", "+1704", "+1412"),
    *("+1312", "+1214", "+1512", "+1612", "+1713", "+1314", "+1414", "+1615", "+1816"),
    *("+1303", "+1801", "+1505", "+1602", "+1808", "+1671"),
    *("+44207", "+44208", "+44161", "+8135", "+8136"),
)
"""Prefixes under which the simulated Retell plays its scenarios (by the last seven digits), in many time zones: the
ones whose owners are in daytime for the whole run are used (``standins.daytime``)."""
TERMINAL = {"completed", "failed", "cancelled"}
ACTIVE = "scheduled,initiated,in_progress"

# The numbers called, in proportion (per 100 calls): mostly answered, and every kind of ending.
MIX: tuple[tuple[str, int], ...] = (
    (scenarios.ANSWERS, 70),
    (scenarios.OWNER_HANGS_UP, 8),
    (scenarios.VOICEMAIL, 6),
    (scenarios.NO_ANSWER, 5),
    (scenarios.BUSY, 4),
    (scenarios.DIAL_FAILED, 4),
    (scenarios.NO_ANSWER_THEN_ANSWERS, 2),
    (scenarios.RATE_LIMITED_ONCE, 1),
)

# What each of the simulated Retell's endings means for the call (docs/developer-guide.md: how a call is placed).
FINAL_ENDINGS = {
    "agent_hangup": ("completed", "answered"),
    "user_hangup": ("completed", "answered"),
    "voicemail_reached": ("completed", "voicemail"),
    "dial_failed": ("failed", "not_connected"),
}
RETRIED_ENDINGS = {"dial_no_answer": "no_answer", "dial_busy": "busy"}


# -- the verdict on one call -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dial:
    """One create-phone-call request the simulated Retell logged for a call."""

    attempt: str
    status_code: int
    retell_call_id: str | None
    received_at: str


@dataclass
class Findings:
    lost: list[str] = field(default_factory=list)
    double_dials: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)


def judge(
    call_id: str,
    call: dict[str, Any] | None,
    dials: list[Dial],
    endings: Mapping[str, str | None],
    max_attempts: int,
    findings: Findings,
) -> None:
    """Compare one call with what the simulated Retell did for it; add what is wrong to ``findings``."""
    placed_per_attempt: dict[str, list[str]] = defaultdict(list)
    for dial in dials:
        ids = placed_per_attempt[dial.attempt]
        if dial.status_code == 201 and dial.retell_call_id and dial.retell_call_id not in ids:
            ids.append(dial.retell_call_id)
    for attempt, ids in placed_per_attempt.items():
        if len(ids) > 1:
            findings.double_dials.append(f"{call_id} attempt {attempt}: {len(ids)} calls placed ({', '.join(ids)})")
    if call is None:
        findings.lost.append(f"{call_id}: scheduled, but not in the clinic's list")
        return
    if call["status"] not in TERMINAL:
        findings.lost.append(f"{call_id}: still {call['status']} (attempt {call.get('attempt')})")
        return
    placed = [ids[0] for _, ids in sorted(placed_per_attempt.items(), key=lambda pair: int(pair[0])) if ids]
    reasons = [endings.get(retell_id) for retell_id in placed]
    if not placed:
        findings.disagreements.append(f"{call_id}: {call['status']} but never dialed")
        return
    expected: tuple[str, str | None]
    last = reasons[-1]
    if any(reason not in RETRIED_ENDINGS for reason in reasons[:-1]):
        findings.disagreements.append(f"{call_id}: dialed again after {reasons[:-1]}")
        return
    if last in RETRIED_ENDINGS:
        if len(placed) < max_attempts:
            findings.disagreements.append(f"{call_id}: {call['status']} after {len(placed)} of {max_attempts} tries")
            return
        expected = ("failed", RETRIED_ENDINGS[last])
    elif last in FINAL_ENDINGS:
        expected = FINAL_ENDINGS[last]
    else:
        findings.disagreements.append(f"{call_id}: the simulated Retell ended it with {last!r}, unknown here")
        return
    got = (call["status"], call.get("outcome"))
    if got != expected:
        findings.disagreements.append(f"{call_id}: {got} but Retell's dials ended {reasons}: expected {expected}")
    elif call.get("attempt") != len(placed):
        findings.disagreements.append(f"{call_id}: attempt {call.get('attempt')} but {len(placed)} dials placed")
    elif call.get("retellCallId") not in (None, placed[-1]):
        findings.disagreements.append(f"{call_id}: Retell call {call.get('retellCallId')}, the last dial {placed[-1]}")


# -- the local stack, and its memory -------------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree[parent].append(int(entry.name))
    return tree


def _descendants(root: int) -> Iterator[int]:
    tree, stack = _children(), [root]
    while stack:
        pid = stack.pop()
        yield pid
        stack.extend(tree.get(pid, []))


def _label(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            words = cmdline.read().decode(errors="replace").split("\0")
    except OSError:
        return str(pid)
    text = " ".join(words)
    if "resource_tracker" in text:
        return "multiprocessing's resource tracker"
    if "multiprocessing" in text:
        return "moto server"
    if "local.dev" in text:
        return "local.dev"
    return words[0].rsplit("/", 1)[-1] or str(pid)


def _status_kib(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(f"{field_name}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler:
    """The resident memory of a process tree, every ``every`` seconds: the peak of the sum, and each process's own
    high-water mark (``VmHWM``, which the kernel keeps between samples)."""

    def __init__(self, root: int, every: float = 1.0):
        self.root, self.every = root, every
        self.peak_kib = 0
        self.high_water_kib: dict[int, int] = {}
        self.latest_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def start(self) -> MemorySampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def sample(self) -> int:
        total = 0
        for pid in _descendants(self.root):
            total += _status_kib(pid, "VmRSS")
            self.high_water_kib[pid] = max(self.high_water_kib.get(pid, 0), _status_kib(pid, "VmHWM"))
        self.latest_kib = total
        self.peak_kib = max(self.peak_kib, total)
        return total

    def by_process(self) -> str:
        """Each process's resident memory now, largest first: ``local.dev 150 MiB, moto server 120 MiB, ...``."""
        sizes = [(_status_kib(pid, "VmRSS"), _label(pid)) for pid in _descendants(self.root)]
        return ", ".join(f"{name} {kib / 1024:,.0f}" for kib, name in sorted(sizes, reverse=True) if kib)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)


@dataclass
class Stack:
    process: subprocess.Popen[bytes]
    api: str
    sim: str
    log_path: Path


def start_stack(args: argparse.Namespace, log_path: Path) -> Stack:
    api, sim, moto = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "PORT": str(api),
        "RETELL_SIM_PORT": str(sim),
        "MOTO_PORT": str(moto),
        "LOG_LEVEL": "WARNING",
        "RETELL_CONCURRENCY_LIMIT": str(args.workspace_limit),
        "RETELL_SIM_STEP_SECONDS": str(args.step),
        "RETELL_SIM_WEBHOOK_WORKERS": str(args.webhook_workers),
        "EXECUTE_WORKERS": str(args.execute_workers),
        "WEBHOOK_CONCURRENCY": str(args.webhook_concurrency),
        **dev_process.LOAD_RUN_BUDGET,
    }
    env.pop("RETELL_API_KEY", None)  # the simulated Retell, never a real one
    env.pop("RETELL_BASE_URL", None)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "dev"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = Stack(process, f"http://127.0.0.1:{api}", f"http://127.0.0.1:{sim}", log_path)
    deadline = time.monotonic() + 180  # a fresh clone synthesizes the table definition once
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"make dev exited with {process.returncode}; see {log_path}")
        try:
            api_up = httpx.get(f"{stack.api}/health", timeout=1).status_code == 200
            if api_up and httpx.get(f"{stack.sim}/_sim/health", timeout=1).status_code == 200:
                return stack
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_stack(stack)
    raise SystemExit(f"make dev was not ready within 180 s; see {log_path}")


def stop_stack(stack: Stack) -> None:
    """Ctrl-C, as a user stops it; SIGKILL to the group if it has not stopped within a minute."""
    try:
        os.killpg(stack.process.pid, signal.SIGINT)
        stack.process.wait(timeout=60)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(stack.process.pid, signal.SIGKILL)
        stack.process.wait(timeout=10)


# -- the run -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One call of the soak: the clinic that schedules it and the number it calls."""

    clinic: str
    number: str


def plan_calls(count: int, seed: int, prefixes: list[str]) -> list[Planned]:
    """``count`` calls in the mix's proportions, in a shuffled (but repeatable) order, that calling safety lets
    through at once: every number is under one of ``prefixes`` (owners in daytime for the whole run), and no clinic
    dials one number more than ``MAX_DIALS_PER_NUMBER`` times, so the soak spreads a scenario's calls over the
    prefixes and then over as many clinics (``soak-0``, ``soak-1``, ...) as that takes. An answered call's number is
    a fresh one (any number the simulated Retell has no scenario for answers)."""
    total = sum(weight for _, weight in MIX)
    picked = [number for number, weight in MIX for _ in range(count * weight // total)]
    picked += [scenarios.ANSWERS] * (count - len(picked))
    random.Random(seed).shuffle(picked)
    fresh = (prefix + f"{last_seven:07d}" for last_seven in range(FRESH_FROM, 10_000_000) for prefix in prefixes)
    used: Counter[str] = Counter()
    planned = []
    for scenario in picked:
        if scenario == scenarios.ANSWERS:
            planned.append(Planned(f"{CLINIC}-0", next(fresh)))
            continue
        uses = used[scenario]
        used[scenario] += 1
        per_clinic = len(prefixes) * (MAX_DIALS_PER_NUMBER // DIALS_PER_CALL.get(scenario, 1))
        number = prefixes[uses % len(prefixes)] + scenario[-7:]
        planned.append(Planned(f"{CLINIC}-{uses // per_clinic}", number))
    return planned


def configure_clinic(client: httpx.Client, clinic_limit: int) -> None:
    settings = client.get("/clinic/settings").raise_for_status().json()["data"]
    weekdays = settings["businessHours"].keys()
    body = {
        **settings,
        "timezone": "UTC",
        "businessHours": {day: [["00:00", "24:00"]] for day in weekdays},
        "closedDates": [],
        "retry": {"maxRetries": MAX_RETRIES, "backoffSeconds": [60], "retryOnVoicemail": False},
        "maxConcurrentCalls": clinic_limit,
    }
    client.put("/clinic/settings", json=body).raise_for_status()


def schedule_all(
    api: str, tokens: Mapping[str, str], planned: list[Planned], clients: int, run_id: str, due: datetime | None = None
) -> tuple[dict[str, str], list[str], float]:
    """POST every call (``Idempotency-Key`` per call, so a retried request never schedules twice) as its clinic
    (``tokens``: clinic -> bearer token), each due at once, or all at ``due``. Returns call id -> number, the
    refusals, and the seconds it took."""
    scheduled: dict[str, str] = {}
    refused: list[str] = []
    lock = threading.Lock()

    def post_one(client: httpx.Client, index: int, clinic: str, number: str) -> str | None:
        """The call id, or ``None`` with the refusal recorded; a dropped connection or a 5xx is tried again."""
        body = {
            "phoneNumber": number,
            "petName": "Luna",
            "ownerName": f"Owner {index}",
            "clinicName": "Paws & Claws",
            "clinicPhone": "+14155559876",
            "consent": {"given": True},
            "dischargeSummary": "Spay surgery; keep the cone on for 10 days and call if the wound looks red.",
        }
        if due is not None:
            body["scheduledFor"] = due.strftime("%Y-%m-%dT%H:%M:%SZ")
        outcome = ""
        for _ in range(4):
            try:
                response = client.post(
                    "/calls/schedule",
                    json=body,
                    headers={"Idempotency-Key": f"{run_id}-{index}", "Authorization": f"Bearer {tokens[clinic]}"},
                )
            except httpx.HTTPError as error:
                outcome = type(error).__name__
            else:
                if response.status_code == 201:
                    return str(response.json()["data"]["callId"])
                outcome = f"{response.status_code} {response.text[:200]}"
                if response.status_code < 500:
                    break
            time.sleep(1)
        with lock:
            refused.append(f"call {index} to {number}: {outcome}")
        return None

    def post_share(share: list[tuple[int, Planned]]) -> None:
        with httpx.Client(base_url=api, timeout=60) as client:
            for index, call in share:
                call_id = post_one(client, index, call.clinic, call.number)
                if call_id is not None:
                    with lock:
                        scheduled[call_id] = call.number

    work = list(enumerate(planned))
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(post_share, [work[i::clients] for i in range(clients)]))
    return scheduled, refused, time.perf_counter() - started


def list_calls(client: httpx.Client, statuses: str | None = None) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    params: dict[str, str] = {"limit": "100"}
    if statuses:
        params["status"] = statuses
    while True:
        page = client.get("/calls", params=params, timeout=120).raise_for_status().json()["data"]
        calls.extend(page["items"])
        if not page.get("nextToken"):
            return calls
        params["nextToken"] = page["nextToken"]


def sim_health(sim: str) -> dict[str, Any]:
    return dict(httpx.get(f"{sim}/_sim/health", timeout=30).json())


def wait_until_done(
    stack: Stack, clinics: list[httpx.Client], deadline: float, memory: MemorySampler, expected: int
) -> tuple[bool, int]:
    """Until no call is active and the simulated Retell has no webhook left to send, or the deadline. The clinics'
    active calls are listed every 30 s, and every 10 s while the simulated Retell is idle (retries and re-queued
    calls wait on their schedules). Returns whether it finished, and the calls active at the last look."""
    active, last_listing = expected, time.monotonic()
    while time.monotonic() < deadline:
        health = sim_health(stack.sim)
        since = time.monotonic() - last_listing
        if since >= 30 or (health["webhooksPending"] == 0 and since >= 10):
            active = sum(len(list_calls(client, ACTIVE)) for client in clinics)
            last_listing = time.monotonic()
            print(
                f"  {datetime.now(UTC):%H:%M:%S}  active {active:>6}  dials placed {health['callsPlaced']:>6}  "
                f"webhooks pending {health['webhooksPending']:>5}  RSS {memory.latest_kib / 1024:7.0f} MiB",
                flush=True,
            )
            if active == 0 and health["webhooksPending"] == 0:
                return True, 0
        if stack.process.poll() is not None:
            raise SystemExit(f"make dev exited with {stack.process.returncode} during the soak; see {stack.log_path}")
        time.sleep(2)
    return False, active


def retell_endings(sim: str) -> dict[str, str | None]:
    """Every call the simulated Retell placed -> how its script ended it."""
    endings: dict[str, str | None] = {}
    body: dict[str, Any] = {"limit": 1000}  # Retell's most per page
    while True:
        page = httpx.post(
            f"{sim}/v3/list-calls", headers={"Authorization": f"Bearer {LOCAL_DEV_KEY}"}, json=body, timeout=120
        )
        listed = page.raise_for_status().json()
        endings.update({call["call_id"]: call.get("disconnection_reason") for call in listed["items"]})
        if not listed["has_more"]:
            return endings
        body["pagination_key"] = listed["pagination_key"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=int(os.environ.get("N") or 10_000), help="N (default 10,000)")
    parser.add_argument("--deadline-minutes", type=float, default=None, help="default: 10 + 6 per 1,000 calls")
    parser.add_argument("--workspace-limit", type=int, default=200, help="RETELL_CONCURRENCY_LIMIT (200)")
    parser.add_argument("--clinic-limit", type=int, default=500, help="the clinic's maxConcurrentCalls (500)")
    parser.add_argument("--step", type=float, default=1.0, help="RETELL_SIM_STEP_SECONDS (1.0)")
    parser.add_argument("--webhook-workers", type=int, default=16, help="RETELL_SIM_WEBHOOK_WORKERS (16)")
    parser.add_argument("--execute-workers", type=int, default=8, help="EXECUTE_WORKERS (8)")
    parser.add_argument("--webhook-concurrency", type=int, default=4, help="WEBHOOK_CONCURRENCY (4)")
    parser.add_argument("--clients", type=int, default=4, help="HTTP clients scheduling at once (4)")
    parser.add_argument(
        "--due-in",
        type=float,
        default=None,
        help="every call due together, this many seconds after the first request (default: each due when scheduled)",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--log", type=Path, default=ROOT / "test-artifacts" / "soak" / "make-dev.log")
    args = parser.parse_args(argv)
    deadline_minutes = args.deadline_minutes or 10 + 6 * args.calls / 1000

    wall = time.perf_counter()
    print(
        f"make soak: {args.calls:,} calls through make dev (workspace limit {args.workspace_limit}, clinic limit "
        f"{args.clinic_limit}, simulated Retell step {args.step} s); make dev's output: {args.log}",
        flush=True,
    )
    stack = start_stack(args, args.log)
    memory = MemorySampler(stack.process.pid).start()
    findings = Findings()
    try:
        ready_kib = memory.sample()
        ready_split = memory.by_process()
        first_request = datetime.now(UTC)
        prefixes = daytime_prefixes(
            AREA_PREFIXES, first_request, until=first_request + min(timedelta(minutes=deadline_minutes), LONGEST_WAIT)
        )
        planned = plan_calls(args.calls, args.seed, prefixes)
        tokens = {clinic: issue(clinic, "admin") for clinic in sorted({call.clinic for call in planned})}
        print(f"  {len(tokens)} clinic(s), numbers under {len(prefixes)} prefixes in daytime: {', '.join(prefixes)}")
        with contextlib.ExitStack() as open_clients:
            clients = [
                open_clients.enter_context(
                    httpx.Client(base_url=stack.api, headers={"Authorization": f"Bearer {token}"}, timeout=60)
                )
                for token in tokens.values()
            ]
            for client in clients:
                configure_clinic(client, args.clinic_limit)
            due = first_request + timedelta(seconds=args.due_in) if args.due_in is not None else None
            scheduled, refused, scheduling_seconds = schedule_all(
                stack.api, tokens, planned, args.clients, uuid.uuid4().hex[:8], due
            )
            print(
                f"  scheduled {len(scheduled):,} calls in {scheduling_seconds:.0f} s "
                f"({len(scheduled) / scheduling_seconds:.1f}/s), {len(refused)} refused; waiting for them to end",
                flush=True,
            )
            finished, _ = wait_until_done(
                stack, clients, time.monotonic() + deadline_minutes * 60, memory, len(scheduled)
            )
            final = {call["callId"]: call for client in clients for call in list_calls(client)}
        requests = httpx.get(f"{stack.sim}/_sim/calls", timeout=120).raise_for_status().json()
        endings = retell_endings(stack.sim)
        end_kib = memory.sample()
        end_split = memory.by_process()
    finally:
        memory.stop()
        stop_stack(stack)
    wall_seconds = time.perf_counter() - wall

    dials: dict[str, list[Dial]] = defaultdict(list)
    for entry in requests:
        metadata = entry.get("metadata") or {}
        dials[str(metadata.get("call_id"))].append(
            Dial(str(metadata.get("attempt")), entry["status_code"], entry.get("call_id"), entry["received_at"])
        )
    for call_id in scheduled:
        judge(call_id, final.get(call_id), dials.get(call_id, []), endings, MAX_RETRIES + 1, findings)

    ours = [final[call_id] for call_id in scheduled if call_id in final]
    statuses = Counter(call["status"] for call in ours)
    outcomes = Counter(f"{call['status']}/{call.get('outcome')}" for call in ours if call["status"] in TERMINAL)
    begin = max(first_request, due) if due is not None else first_request  # a burst's work starts at its due time
    last_write = max((datetime.fromisoformat(call["updatedAt"]) for call in ours), default=begin)
    span = max((last_write - begin).total_seconds(), 1e-3)
    terminal = sum(statuses[status] for status in TERMINAL)
    lags = [
        (datetime.fromisoformat(first[0].received_at) - datetime.fromisoformat(call["requestedFor"])).total_seconds()
        for call in ours
        if (first := dials.get(call["callId"]))
    ]
    placed = sum(1 for entry in requests if entry["status_code"] == 201 and entry.get("call_id"))
    workspace_peak = max(memory.high_water_kib.values(), default=0)

    rows = [
        ("calls scheduled", f"{len(scheduled):,} of {args.calls:,} ({len(refused)} refused)"),
        ("terminal", f"{terminal:,}: " + ", ".join(f"{name} {count:,}" for name, count in sorted(outcomes.items()))),
        ("lost (missing or not terminal)", f"{len(findings.lost):,}" + ("" if finished else " (deadline passed)")),
        ("double dials (one call, one attempt)", f"{len(findings.double_dials):,}"),
        ("disagreements with the simulated Retell", f"{len(findings.disagreements):,}"),
        ("create-phone-call requests / calls placed", f"{len(requests):,} / {placed:,}"),
        ("scheduling over HTTP", f"{len(scheduled) / scheduling_seconds:.1f} calls/s ({args.clients} clients)"),
        (
            "end to end (first request or due time to the last final write)",
            f"{terminal / span:.2f} calls/s over {span:.0f} s",
        ),
        (
            "dial lag after the due time (first attempt)",
            f"median {statistics.median(lags):.1f} s, p95 {percentile(lags, 0.95):.1f} s, max {max(lags):.1f} s"
            if lags
            else "-",
        ),
        ("wall time (start to stop)", f"{wall_seconds / 60:.1f} min"),
        (
            "peak RSS, make dev's processes (sampled each second)",
            f"{memory.peak_kib / 1024:,.0f} MiB (largest process's VmHWM {workspace_peak / 1024:,.0f} MiB)",
        ),
        ("RSS when ready (MiB)", f"{ready_kib / 1024:,.0f}: {ready_split}"),
        ("RSS at the end (MiB)", f"{end_kib / 1024:,.0f}: {end_split}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"\n{'figure':<{width}}  value\n{'-' * width}  {'-' * 40}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    problems = (
        ("refused", refused),
        ("lost", findings.lost),
        ("double dials", findings.double_dials),
        ("disagreements", findings.disagreements),
    )
    for title, entries in problems:
        if entries:
            print(f"\n{title} ({len(entries)}), the first 10:")
            for entry in entries[:10]:
                print(f"  {entry}")
    failed = any(entries for _, entries in problems)
    print("\nsoak " + ("FAILED" if failed else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
