"""The synthesized CDK template, once per test session, so tests use the deployed schema; and the template of the
deployment the local stack stands for (it sends email), cached on disk for the IAM checks (``iam_harness``)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from functools import cache
from typing import Any

from standins.aws_resources import LOCAL_NOTIFICATION_SENDER, ROOT, resources_of_type, synthesize_template

__all__ = ["local_deployment_template", "resources_of_type", "synthesized_template"]

LOCAL_DEPLOYMENT_CONTEXT = {"notificationSender": LOCAL_NOTIFICATION_SENDER}
"""What the local stack is a deployment of: one that names a sender, as it sends the notices' email (moto's SES)."""


@cache
def synthesized_template() -> dict[str, Any]:
    return synthesize_template()


@cache
def local_deployment_template() -> dict[str, Any]:
    """The template with ``LOCAL_DEPLOYMENT_CONTEXT``, from ``.build/`` until the stack's code (or the CDK's
    version, or ``cdk.json``'s context) changes: ``make dev`` starts in seconds and a test session synthesizes it
    once a change. Synthesized in a child process, whose jsii kernel (a node process) ends with it."""
    sources = [*sorted((ROOT / "infra").glob("*.py")), ROOT / "shared/dal/table_design.py", ROOT / "app.py"]
    sources += [ROOT / "cdk.json", ROOT / "uv.lock"]
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in sources if path.exists()))
    digest.update(json.dumps(LOCAL_DEPLOYMENT_CONTEXT, sort_keys=True).encode())
    cache_file = ROOT / ".build" / f"local-template-{digest.hexdigest()[:16]}.json"
    if not cache_file.exists():
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        program = (
            "import json, sys, standins.aws_resources as r; "
            "print(json.dumps(r.synthesize_template(json.loads(sys.argv[1]))))"
        )
        synthesized = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
            [sys.executable, "-c", program, json.dumps(LOCAL_DEPLOYMENT_CONTEXT)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        partial = cache_file.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(synthesized)
        partial.replace(cache_file)  # whole or not at all, when two processes synthesize at once
    return dict(json.loads(cache_file.read_text()))
