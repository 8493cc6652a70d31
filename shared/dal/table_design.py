"""The one DynamoDB table's keys and indexes. The CDK stack builds the table from these names, and the tests build
moto's table from the synthesized template, so code, infrastructure and tests cannot drift apart.

Items (key patterns; ``gsi1`` lists a clinic's calls in time order):

* call: ``CALL#{callId}`` / ``CALL``; gsi1 ``CLINIC#{clinicId}`` / ``{scheduledFor}#{callId}``
* clinic settings: ``CLINIC#{clinicId}`` / ``SETTINGS``
* consultation lock: ``CONSULT#{clinicId}#{consultationId}`` / ``LOCK``, present while that consultation has an
  active (not terminal) call
* idempotency record: ``IDEMPOTENCY#{clinicId}#{key}`` / ``IDEMPOTENCY``, expiring through TTL
* dialing leases: ``LEASES#CLINIC#{clinicId}`` and ``LEASES#WORKSPACE`` / ``LEASES``, a map of call id to the
  epoch second its lease expires (the calls in flight)
"""

PARTITION_KEY = "pk"
SORT_KEY = "sk"
CLINIC_CALLS_INDEX = "gsi1"
CLINIC_CALLS_PARTITION_KEY = "gsi1pk"
CLINIC_CALLS_SORT_KEY = "gsi1sk"
TTL_ATTRIBUTE = "expiresAt"


def call_key(call_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"CALL#{call_id}", SORT_KEY: "CALL"}


def settings_key(clinic_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"CLINIC#{clinic_id}", SORT_KEY: "SETTINGS"}


def consultation_lock_key(clinic_id: str, consultation_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"CONSULT#{clinic_id}#{consultation_id}", SORT_KEY: "LOCK"}


def idempotency_key(clinic_id: str, key: str) -> dict[str, str]:
    return {PARTITION_KEY: f"IDEMPOTENCY#{clinic_id}#{key}", SORT_KEY: "IDEMPOTENCY"}


def clinic_calls_partition(clinic_id: str) -> str:
    return f"CLINIC#{clinic_id}"


def clinic_leases_key(clinic_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"LEASES#CLINIC#{clinic_id}", SORT_KEY: "LEASES"}


def workspace_leases_key() -> dict[str, str]:
    return {PARTITION_KEY: "LEASES#WORKSPACE", SORT_KEY: "LEASES"}
