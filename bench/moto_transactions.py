"""What a ``TransactWriteItems`` costs moto's DynamoDB as its table grows: time and memory kept per 1,000
transactions on a table of ``--items`` items, with plain moto 5.2 and with ``standins.moto_atomic``'s patch.

Each run is a fresh process (``--mode moto`` or ``--mode patched``) so the resident-set figures are its own:
``python -m bench.moto_transactions`` runs both and prints a table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from typing import Any

CALL_ATTRIBUTES = {
    "status": {"S": "scheduled"},
    "clinicId": {"S": "soak"},
    "phoneNumber": {"S": "+14155550100"},
    "petName": {"S": "Luna"},
    "ownerName": {"S": "Sarah Johnson"},
    "dischargeSummary": {"S": "Spay surgery; keep the cone on for 10 days. " * 12},
    "attempts": {"L": [{"M": {"attempt": {"N": "1"}, "outcome": {"S": "no_answer"}}}]},
    "version": {"N": "1"},
}


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def measure(mode: str, items: int, transactions: int) -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from standins.aws_resources import FAKE_CREDENTIALS, REGION, cached_table_request

    os.environ.update(FAKE_CREDENTIALS)
    if mode == "patched":
        from standins.moto_atomic import make_moto_dynamodb_atomic

        make_moto_dynamodb_atomic()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(**cached_table_request("bench"))
        for index in range(items):
            item = {"pk": {"S": f"CALL#{index:08d}"}, "sk": {"S": "CALL"}, **CALL_ATTRIBUTES}
            client.put_item(TableName="bench", Item=item)
        pool = {"pk": {"S": "LEASES#WORKSPACE"}, "sk": {"S": "LEASES"}, "leases": {"M": {}}}
        client.put_item(TableName="bench", Item=pool)
        gc.collect()
        before = _rss_kib()
        started = time.perf_counter()
        cancelled = 0
        for index in range(transactions):
            call = {"pk": {"S": f"CALL#{index % items:08d}"}, "sk": {"S": "CALL"}}
            take = {
                "Update": {
                    "TableName": "bench",
                    "Key": {"pk": pool["pk"], "sk": pool["sk"]},
                    "UpdateExpression": "SET #l.#c = :e",
                    "ConditionExpression": "attribute_exists(#l)",
                    "ExpressionAttributeNames": {"#l": "leases", "#c": f"call-{index % 50}"},
                    "ExpressionAttributeValues": {":e": {"N": str(index)}},
                }
            }
            # every fourth transaction is cancelled by its second item's condition, and rolled back
            status = "dialing" if index % 4 else "never"
            write = {
                "Update": {
                    "TableName": "bench",
                    "Key": call,
                    "UpdateExpression": "SET #s = :s",
                    "ConditionExpression": "#s <> :s",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":s": {"S": "scheduled" if status == "never" else status}},
                }
            }
            try:
                client.transact_write_items(TransactItems=[take, write])
            except client.exceptions.TransactionCanceledException:
                cancelled += 1
        elapsed = time.perf_counter() - started
        gc.collect()
        after = _rss_kib()
    return {
        "mode": mode,
        "items": items,
        "transactions": transactions,
        "cancelled": cancelled,
        "ms_per_transaction": 1000 * elapsed / transactions,
        "rss_growth_mib_per_1000": (after - before) / 1024 * 1000 / transactions,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["moto", "patched"])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--transactions", type=int, default=1_000)
    parser.add_argument("--moto-transactions", type=int, default=100, help="plain moto is slow: fewer, scaled")
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(measure(args.mode, args.items, args.transactions)))
        return 0
    rows = []
    for mode, count in (("moto", args.moto_transactions), ("patched", args.transactions)):
        command = [sys.executable, "-m", "bench.moto_transactions", "--mode", mode, "--items", str(args.items)]
        output = subprocess.run([*command, "--transactions", str(count)], capture_output=True, text=True, check=True)
        rows.append(json.loads(output.stdout.strip().splitlines()[-1]))
    print(f"\nmoto DynamoDB, TransactWriteItems of 2 items (some cancelled) on a {args.items:,}-item table")
    print(f"  {'':28}{'transactions':>14}{'ms each':>10}{'RSS kept per 1,000':>22}")
    for row in rows:
        label = "moto 5.2 as shipped" if row["mode"] == "moto" else "with standins.moto_atomic"
        print(
            f"  {label:28}{row['transactions']:>14,}{row['ms_per_transaction']:>10.1f}"
            f"{row['rss_growth_mib_per_1000']:>18.1f} MiB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
