"""Schemathesis hooks for the conformance run (``scripts/conformance.py`` loads them).

* ``POST /webhooks/retell`` is public, but it acts only on a body signed with the Retell API key. A case that sends
  ``x-retell-signature`` gets a valid signature of the exact bytes it sends, as Retell would sign them, so the
  fuzzed bodies reach the webhook's validation and its effects instead of stopping at ``401``. A case that leaves
  the header out (schemathesis' missing-header checks) is sent as it is.
* ``PUT /clinic/settings`` is sent as an admin of another clinic: the settings it generates (closed every day, say)
  would otherwise close the clinic the other operations use, and call-now would meet nothing but
  ``409 outside_business_hours``. Cases without the run's token (the auth checks) are sent as they are.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import schemathesis
from schemathesis.core.parameters import ParameterLocation

from scripts.conformance import ENV_RETELL_API_KEY, ENV_RUN_TOKEN, ENV_SETTINGS_TOKEN
from shared.api.retell_signature import sign

WEBHOOK_PATH = "/webhooks/retell"
SIGNATURE_HEADER = "x-retell-signature"


def _wire_body(case: schemathesis.Case[Any]) -> bytes | None:
    prepared = case.as_transport_kwargs()
    if prepared.get("json") is not None:
        return json.dumps(prepared["json"]).encode()  # as requests serialises ``json=``
    data = prepared.get("data")
    if isinstance(data, str):
        return data.encode()
    return data if isinstance(data, bytes) else None


def _sign_webhook(case: schemathesis.Case[Any]) -> None:
    if not case.headers or SIGNATURE_HEADER not in case.headers:
        return
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
        return  # the header is what this case gets wrong: keep it wrong
    raw = _wire_body(case)  # the bytes the transport will send (the body itself stays as generated, so
    if raw is None:  # schemathesis still knows whether it is valid)
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # not text: the webhook refuses it before looking at the signature
    case.headers[SIGNATURE_HEADER] = sign(text, os.environ[ENV_RETELL_API_KEY], int(time.time() * 1000))


def _as_the_settings_clinic(case: schemathesis.Case[Any]) -> None:
    if case.headers and case.headers.get("Authorization") == f"Bearer {os.environ[ENV_RUN_TOKEN]}":
        case.headers["Authorization"] = f"Bearer {os.environ[ENV_SETTINGS_TOKEN]}"


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], kwargs: dict[str, Any]) -> None:
    if case.operation.path == WEBHOOK_PATH:
        _sign_webhook(case)
    elif (case.operation.method.upper(), case.operation.path) == ("PUT", "/clinic/settings"):
        _as_the_settings_clinic(case)
