"""Every AWS request a function makes, checked against the IAM policy the synthesized stack gives that function's
role (``iam_policy``, ``iam_requests``), in the tests, ``make dev`` and the benchmarks.

* **Attribution.** ``acting_as(function)`` marks the code that builds or runs a function's graph (``standins.stack``,
  the tests' API client, the event sources' clients). ``install()`` wraps botocore's ``Session.create_client``: a
  client made while a function acts (its graph's clients, and those made later inside its handler: the Lambda
  invoker, Powertools' secrets client) belongs to that function for good, whichever thread later uses it. Clients
  made outside any function (a test's own setup and inspection) are not checked.
* **Checking.** A ``before-parameter-build`` handler on each such client maps the request to what IAM checks and
  evaluates it against the role's policy, resolved onto the resources the environment names when the client was
  made (compiled once per template and resources). A refusal raises ``IamRefused`` (an ``AssertionError``, which
  the product code's ``except ClientError`` does not swallow) and is kept in ``refusals`` (the tests fail on any).
* **Tally.** Each checked request is counted by function and action, and by the template grant that allowed it:
  ``write_tally`` saves them (``make iam-report`` lists the grants nothing used).
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from standins.iam_policy import LocalResources, PolicyError, RolePolicy, role_policies
from standins.iam_requests import Check, ClientMemory, UnmappedOperation, checks_of

_acting: ContextVar[str | None] = ContextVar("iam_acting_as", default=None)


class IamRefused(AssertionError):
    """A request the function's role may not make in AWS."""

    def __init__(self, function: str, check: Check | None, reason: str, operation: str):
        self.function = function
        self.action = check.action if check else operation
        self.resource = check.resource if check else "?"
        super().__init__(
            f"IAM: the {function} function's role may not {self.action} on {self.resource} ({operation}: {reason})"
        )


@contextmanager
def acting_as(function: str) -> Iterator[None]:
    """AWS clients made inside belong to ``function`` (a folder under ``functions/``)."""
    token = _acting.set(function)
    try:
        yield
    finally:
        _acting.reset(token)


def acting_function() -> str | None:
    return _acting.get()


@dataclass
class _State:
    template: dict[str, Any] | None = None
    generation: int = 0
    compiled: dict[tuple[int, LocalResources], dict[str, RolePolicy]] = field(default_factory=dict)
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    grants: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    refusals: list[IamRefused] = field(default_factory=list)
    listeners: list[Callable[[IamRefused], None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


_state = _State()


def template() -> dict[str, Any]:
    if _state.template is None:
        from standins.stack_template import local_deployment_template

        _state.template = local_deployment_template()
    return _state.template


@contextmanager
def using_template(replacement: dict[str, Any]) -> Iterator[None]:
    """Check against ``replacement`` instead of the synthesized template (a test that removes a grant)."""
    previous = template()
    with _state.lock:
        _state.template, _state.generation = replacement, _state.generation + 1
    try:
        yield
    finally:
        with _state.lock:
            _state.template, _state.generation = previous, _state.generation + 1


def policy_of(function: str, local: LocalResources) -> RolePolicy:
    key = (_state.generation, local)
    compiled = _state.compiled.get(key)
    if compiled is None:
        compiled = role_policies(template(), local)
        with _state.lock:
            _state.compiled[key] = compiled
    if function not in compiled:
        raise PolicyError(f"the template has no function {function!r}")
    return compiled[function]


def check(function: str, local: LocalResources, operation: str, checks: list[Check]) -> None:
    """Evaluate ``checks`` (one request's) for ``function``; count them, or record and raise the refusal."""
    try:
        policy = policy_of(function, local)
    except PolicyError as error:
        refuse(IamRefused(function, checks[0] if checks else None, str(error), operation))
    for one in checks:
        decision = policy.evaluate(one.action, one.resource, one.context)
        if not decision.allowed:
            refuse(IamRefused(function, one, decision.reason, operation))
        with _state.lock:
            _state.requests[(function, one.action)] += 1
            for grant in decision.grants:
                _state.grants[(function, grant.action, grant.resource)] += 1


def refuse(refusal: IamRefused) -> NoReturn:
    with _state.lock:
        _state.refusals.append(refusal)
        listeners = list(_state.listeners)
    for listener in listeners:  # at once: a handler's caller may swallow the error (a worker thread, a retry)
        listener(refusal)
    raise refusal


def on_refusal(listener: Callable[[IamRefused], None]) -> None:
    """Call ``listener`` with each refusal as it happens (``make dev`` prints it)."""
    with _state.lock:
        _state.listeners.append(listener)


def refusals() -> list[IamRefused]:
    with _state.lock:
        return list(_state.refusals)


@contextmanager
def refusals_expected() -> Iterator[list[IamRefused]]:
    """Collect the refusals made inside (a test that means to be refused) instead of failing the test for them."""
    before = len(refusals())
    collected: list[IamRefused] = []
    try:
        yield collected
    finally:
        with _state.lock:
            collected += _state.refusals[before:]
            del _state.refusals[before:]


def _attach(client: Any, function: str) -> None:
    local = LocalResources.of(os.environ, client.meta.region_name or "us-east-1", _account())
    memory = ClientMemory()

    def before_parameter_build(params: dict[str, Any], model: Any, **_: Any) -> None:
        service, operation = model.service_model.service_name, model.name
        try:
            checks = checks_of(service, operation, params, local, memory)
        except (UnmappedOperation, KeyError) as error:
            refuse(IamRefused(function, None, f"unmapped: {error}", f"{service}.{operation}"))
        check(function, local, f"{service}.{operation}", checks)

    client.meta.events.register("before-parameter-build", before_parameter_build)


def _account() -> str:
    from standins.aws_resources import ACCOUNT

    return ACCOUNT


_installed = threading.Lock()
_original: list[Any] = []


def install() -> None:
    """Check the requests of every client made while a function acts, from now on (idempotent)."""
    import botocore.session

    with _installed:
        if _original:
            return
        original = botocore.session.Session.create_client
        _original.append(original)

        def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
            client = original(self, *args, **kwargs)
            function = _acting.get()
            if function is not None:
                _attach(client, function)
            return client

        botocore.session.Session.create_client = create_client


def tally() -> dict[str, Any]:
    """What was checked: requests by function and action, and by the grant (action, resource as the template
    writes it) that allowed them."""
    with _state.lock:
        requests, grants = Counter(_state.requests), Counter(_state.grants)
    by_function: dict[str, dict[str, int]] = {}
    for (function, action), count in sorted(requests.items()):
        by_function.setdefault(function, {})[action] = count
    used: dict[str, dict[str, int]] = {}
    for (function, action, resource), count in sorted(grants.items()):
        used.setdefault(function, {})[f"{action} {resource}"] = count
    return {"requests": by_function, "grants": used}


def merge(recorded: dict[str, Any]) -> None:
    """Add another process's tally (``make dev``'s, which the e2e tests drive) to this one's."""
    with _state.lock:
        for function, actions in recorded.get("requests", {}).items():
            for action, count in actions.items():
                _state.requests[(function, action)] += int(count)
        for function, grants in recorded.get("grants", {}).items():
            for grant, count in grants.items():
                action, resource = grant.split(" ", 1)
                _state.grants[(function, action, resource)] += int(count)


def write_tally(path: Path) -> dict[str, Any]:
    recorded = tally()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    return recorded


def summary(recorded: dict[str, Any]) -> str:
    """``IAM: 12,345 AWS requests checked (api 5,000, execute ...)``."""
    totals = {function: sum(actions.values()) for function, actions in recorded["requests"].items()}
    parts = ", ".join(f"{function} {count:,}" for function, count in sorted(totals.items(), key=lambda kv: -kv[1]))
    return f"IAM: {sum(totals.values()):,} AWS requests checked ({parts or 'none'}), {len(refusals())} refused"
