"""The shapes of the identifiers that become parts of storage keys: clinic, call, consultation, idempotency key.

Every key-forming value is checked against one of these patterns where it enters the system (token claims, path,
body, header), and the key builders in ``shared.dal.table_design`` check again. None of the patterns admits ``#``,
the key delimiter, or any character outside printable ASCII, so one tenant's value can never spell another
tenant's key: ``acme#c1`` is refused as a clinic id instead of reaching the lock of clinic ``acme``.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import StringConstraints

CLINIC_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
"""A Cognito ``custom:clinic_id``: a slug or a UUID, up to 64 characters."""

CALL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$"
"""A call id (ours are 32 hex digits; the pattern is looser so an old or hand-made id is a 404, not a 422)."""

CONSULTATION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$"
"""A practice-management consultation id (IDEXX Neo's are numbers)."""

IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9_\-:.]{1,128}$"
"""An ``Idempotency-Key`` header: a UUID or any client token of that alphabet."""

ClinicId = Annotated[str, StringConstraints(pattern=CLINIC_ID_PATTERN)]
CallId = Annotated[str, StringConstraints(pattern=CALL_ID_PATTERN)]
ConsultationId = Annotated[str, StringConstraints(pattern=CONSULTATION_ID_PATTERN)]

_KEY_PART = re.compile(r"[A-Za-z0-9_.:\-]{1,128}")


def is_key_part(value: str) -> bool:
    """True if ``value`` may stand between two ``#`` delimiters of a storage key (the union of the shapes above)."""
    return _KEY_PART.fullmatch(value) is not None
