"""What is sent to Retell to place one attempt of a call (contract: "What is sent to Retell")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared.domain.calling_safety import ClinicIdentity, clinic_identity
from shared.models.call import Call
from shared.models.settings import ClinicSettings

CREATE_CALL_BUDGET = timedelta(seconds=120)
"""How long a create-phone-call may take: retell-sdk 6.2.13 gives that one request 120 s when the client keeps its
default timeout (``resources/call.py``), Retell's own expectation of a slow create. Until it has passed, the first
request may still be placing the call, and Retell honours an idempotency key only for retries of a *finished*
request: nothing resends a dial within this time (``shared.logic.execution``, ``shared.domain.reconciliation``)."""


class DialMisconfigured(Exception):
    """The clinic (and the deployment) lack what a dial needs; no dial can succeed until settings change."""


@dataclass(frozen=True)
class DialDefaults:
    """The deployment's fallbacks for clinics that have not set their own agent or number."""

    agent_id: str | None = None
    from_number: str | None = None


@dataclass(frozen=True)
class DialSpec:
    from_number: str
    to_number: str
    agent_id: str
    idempotency_key: str
    metadata: dict[str, Any]
    dynamic_variables: dict[str, str]


KEY_REUSE_WINDOW = timedelta(minutes=50)
"""How long after a key was first sent a redial may still use it. Retell honours an idempotency key for an hour
("retry the same request for up to one hour without creating another call", retell-sdk's
``call_create_phone_call_params``), counted from when it received the first request, which is after our claim; the
10 minutes left cover the time from a claim to its request reaching Retell, the request's own budget
(``CREATE_CALL_BUDGET``) and a clock that differs from Retell's by a few minutes."""


def dial_key(call: Call) -> str:
    """The idempotency key of the current dial (claimed) of the call, also its ``dial_key`` in Retell's metadata.

    Unique to one dial of one attempt: a re-queued attempt is a new dial (new schedule token) and gets a new key,
    because Retell would otherwise answer it with the earlier call. Except for a dial the reconciler found Retell
    had not placed (``Call.unplaced_dial_key``): list-calls may lag, so that dial may have been placed after all,
    and its redial reuses its key while Retell honours it (``KEY_REUSE_WINDOW``), so that Retell answers it with the
    call already placed instead of ringing the owner again. After the window a new key is the only choice (the old
    one would no longer protect anything); execute then looks the old key up once more first (``stale_dial_key``),
    now that Retell's listing has had most of an hour to show it, and adopts the call if Retell lists it."""
    return _reusable_key(call) or f"{call.call_id}-a{call.attempt}-{call.schedule_token}"


def stale_dial_key(call: Call) -> str | None:
    """The key of an unplaced dial of this attempt that the current dial may no longer reuse (past
    ``KEY_REUSE_WINDOW``): to be looked up in Retell before dialing under a new key."""
    if _unplaced_key_of_this_attempt(call) is None or _reusable_key(call) is not None:
        return None
    return call.unplaced_dial_key


def _unplaced_key_of_this_attempt(call: Call) -> str | None:
    # Keys name their attempt: one left over from an earlier attempt (ended by its webhooks) is never reused.
    key = call.unplaced_dial_key
    return key if key is not None and key.startswith(f"{call.call_id}-a{call.attempt}-") else None


def _reusable_key(call: Call) -> str | None:
    key = _unplaced_key_of_this_attempt(call)
    entry = call.current_attempt()
    if key is None or call.unplaced_dial_at is None or entry is None or entry.claimed_at is None:
        return None
    return key if entry.claimed_at < call.unplaced_dial_at + KEY_REUSE_WINDOW else None


def voice_agent(settings: ClinicSettings, language: str, defaults: DialDefaults) -> str | None:
    """The agent that calls in ``language``: the clinic's agent for it; for the clinic's default language, its
    ``agentId`` or the deployment's. Never another language's agent: an owner is not called in a language they were
    not meant to be."""
    agents = settings.agents.get(language)
    if agents is not None and agents.agent_id:
        return agents.agent_id
    if language == settings.default_language:
        return settings.agent_id or defaults.agent_id
    return None


def dial_spec(call: Call, settings: ClinicSettings, defaults: DialDefaults) -> DialSpec:
    agent_id = voice_agent(settings, call.language, defaults)
    if agent_id is None and call.language != settings.default_language:
        raise DialMisconfigured(f"the clinic has no agent for {call.language} any more")
    from_number = settings.from_number or defaults.from_number
    missing = [name for name, value in (("agentId", agent_id), ("fromNumber", from_number)) if not value]
    if missing:
        raise DialMisconfigured(f"the clinic's settings have no {' or '.join(missing)}, and no default is deployed")
    assert agent_id is not None
    assert from_number is not None
    identity = clinic_identity(call.clinic_name, call.clinic_phone, settings)
    if identity.missing:  # refused at scheduling; only a later change of the clinic's settings gets here
        raise DialMisconfigured(f"the agent could not say who is calling: no {' or '.join(identity.missing)}")
    key = dial_key(call)
    return DialSpec(
        from_number=from_number,
        to_number=call.phone_number,
        agent_id=agent_id,
        idempotency_key=key,
        metadata={"call_id": call.call_id, "clinic_id": call.clinic_id, "attempt": call.attempt, "dial_key": key},
        dynamic_variables=dynamic_variables(call, identity),
    )


def dynamic_variables(call: Call, identity: ClinicIdentity) -> dict[str, str]:
    """What the agent's prompt uses (``{{pet_name}}`` ...), for a dial and a text alike. Retell substitutes only
    string values; an absent value would be read out as "{{name}}", so it is sent as ""."""
    return {
        "pet_name": call.pet_name,
        "owner_name": call.owner_name,
        "vet_name": call.vet_name or "",
        "clinic_name": identity.name or "",
        "clinic_phone": identity.phone or "",
        "discharge_summary_content": call.discharge_summary or "",
    }
