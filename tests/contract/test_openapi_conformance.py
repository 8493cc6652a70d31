"""The API does what ``docs/openapi.json`` says: schemathesis against the local stack (``make dev`` in a child
process, seeded calls, every check but the ones ``scripts/conformance.py`` says why it leaves out), bounded so it
stays well under a minute. ``make schemathesis`` is the long run (300 examples per operation, a random seed)."""

from __future__ import annotations

import json
import os

import pytest

from scripts import conformance

EXAMPLES = int(os.environ.get("CONFORMANCE_EXAMPLES", "20"))
SEED = int(os.environ.get("CONFORMANCE_SEED", "11"))


@pytest.mark.slow
def test_the_api_answers_as_its_openapi_document_says() -> None:
    outcome = conformance.run(EXAMPLES, SEED)
    if not outcome.passed:
        tracebacks = outcome.server_errors()
        stack = f"\n\nThe local stack's first tracebacks:\n{tracebacks}" if tracebacks else ""
        pytest.fail(f"{outcome.summary()}\n\n{outcome.failures_section()}{stack}", pytrace=False)
    document = json.loads(conformance.DOCUMENT.read_text())
    operations = sum(len(item) for item in document["paths"].values())
    assert outcome.operations == operations, outcome.summary()
