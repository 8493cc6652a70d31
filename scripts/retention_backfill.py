"""``make retention-backfill``: once, after deploying retention and erasure onto a stack that already holds calls.

Every call stored before gets its number's digest (so an erasure finds it: the number index), and every final one
its final time, its TTL bound and its place in the retention purge's index; every clinic's settings join the purge's
list of clinics. A one-off, paged Scan (the functions never scan); each call is rewritten by the repository on the
condition that it did not change meanwhile (one that did is left: it was written by the new code, so it has them
already), and a repeat rewrites nothing already done.

Run with the stack's table and page-token secret (``TABLE_NAME``, ``PAGE_TOKEN_SECRET_NAME``; the stack's outputs and
``docs/operator-guide.md`` name them) and credentials that may scan and write the table and read the secret.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shared.dal.call_repository import CallRepository, call_from_item
from shared.dal.items import from_item, to_attribute
from shared.dal.pagination import PageTokens
from shared.dal.settings_repository import SettingsRepository
from shared.dal.table_design import OPEN_WORK_PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from shared.logic.ports import StaleWrite
from shared.models.call import Call, is_erased_number


def _no_page_tokens() -> bytes:
    raise RuntimeError("the backfill pages no API list")


def _backfilled(call: Call, digest: Callable[[str], str], now: datetime) -> Call | None:
    changes: dict[str, Any] = {}
    if call.number_digest is None and not is_erased_number(call.phone_number):
        changes["number_digest"] = digest(call.phone_number)
    if call.status.is_terminal and call.final_at is None:
        changes["final_at"] = call.updated_at
    if not changes:
        return None
    return call.model_copy(update={**changes, "version": call.version + 1, "updated_at": now})


def backfill(client: Any, table: str, digest: Callable[[str], str], now: datetime) -> Counter[str]:
    """Rewrite what the table holds from before retention and erasure; what was done, counted."""
    calls = CallRepository(client, table, PageTokens(_no_page_tokens))
    settings = SettingsRepository(client, table)
    done: Counter[str] = Counter()
    request: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "#sk IN (:call, :settings)",
        "ExpressionAttributeNames": {"#sk": SORT_KEY},
        "ExpressionAttributeValues": {":call": to_attribute("CALL"), ":settings": to_attribute("SETTINGS")},
    }
    while True:
        response = client.scan(**request)
        for item in response.get("Items", []):
            values = from_item(item)
            if values[SORT_KEY] == "SETTINGS":
                if OPEN_WORK_PARTITION_KEY not in values:
                    clinic_id = str(values["clinicId"])
                    stored = settings.get(clinic_id)
                    if stored is not None:
                        settings.put(clinic_id, stored, updated_by=str(values.get("updatedBy", "backfill")), now=now)
                        done["clinics registered"] += 1
                continue
            call = call_from_item(item)
            new = _backfilled(call, digest, now)
            if new is None and (not call.status.is_terminal or TTL_ATTRIBUTE in values):
                continue
            try:
                calls.replace(new or call.model_copy(update={"version": call.version + 1}), expected=call)
            except StaleWrite:
                done["calls changed meanwhile"] += 1
                continue
            done["calls rewritten"] += 1
        if "LastEvaluatedKey" not in response:
            return done
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def main() -> None:
    import boto3

    from shared.bootstrap.common import number_digests

    table, secret = os.environ.get("TABLE_NAME"), os.environ.get("PAGE_TOKEN_SECRET_NAME")
    if not table or not secret:
        sys.exit("set TABLE_NAME and PAGE_TOKEN_SECRET_NAME (the stack's table and page-token secret)")
    secrets = boto3.client("secretsmanager")
    digest = number_digests(lambda: str(secrets.get_secret_value(SecretId=secret)["SecretString"]).encode())
    done = backfill(boto3.client("dynamodb"), table, digest, datetime.now(UTC))
    for what, count in sorted(done.items()):
        print(f"{what}: {count}")
    print("done")


if __name__ == "__main__":
    main()
