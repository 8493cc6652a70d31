"""``make iam-report``: per function, the grants of its role (action x resource, as the synthesized template writes
them) that no checked request used in the last recorded run (``.build/iam-requests.json``, written by every pytest
session that ran the functions; ``make iam-report`` runs the integration and e2e tests first when there is none).

A grant no test used is either dead (remove it: least privilege) or a path no test takes (write the test). Grants
on services the functions' code never calls are listed apart: Lambda's runtime writes the logs and X-Ray segments,
DynamoDB uses the table's key for them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from standins.iam_harness import template
from standins.iam_policy import LocalResources, role_policies

TALLY = Path(__file__).resolve().parents[1] / ".build" / "iam-requests.json"
NOT_CALLED_BY_CODE = ("logs:", "xray:", "kms:")


def report(recorded: dict[str, dict[str, dict[str, int]]]) -> list[str]:
    lines: list[str] = []
    policies = role_policies(template(), LocalResources("us-east-1", "123456789012", ()))
    total_unused = 0
    for function, policy in sorted(policies.items()):
        used = recorded.get("grants", {}).get(function, {})
        requests = sum(recorded.get("requests", {}).get(function, {}).values())
        grants = sorted({(g.action, g.resource) for g in policy.grants()})
        unused = [g for g in grants if f"{g[0]} {g[1]}" not in used and not g[0].startswith(NOT_CALLED_BY_CODE)]
        runtime = [g for g in grants if g[0].startswith(NOT_CALLED_BY_CODE)]
        total_unused += len(unused)
        lines.append(
            f"{function}: {requests:,} requests checked, {len(grants) - len(runtime) - len(unused)} grants used"
        )
        lines += [f"  unused  {action} on {resource}" for action, resource in unused]
        if runtime:
            lines.append(f"  ({len(runtime)} grants for the runtime and DynamoDB's key use: logs, xray, kms)")
    lines.append(f"{total_unused} grants no checked request used")
    return lines


def main() -> int:
    if not TALLY.exists():
        print(f"no tally at {TALLY}: run the integration tests first (make iam-report does)", file=sys.stderr)
        return 1
    print(f"from {TALLY} (the last pytest session that ran the functions)")
    print("\n".join(report(json.loads(TALLY.read_text()))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
