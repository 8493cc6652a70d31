"""The IAM harness bites: with a grant removed from the synthesized template, the request the real code makes is
refused, naming the function, the action and the resource (the two grants fixed by hand on main: the notices
function's ``dynamodb:UpdateItem``, the API's ``dynamodb:Query`` of the follow-up index)."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from typing import Any

from standins import iam_harness
from standins.iam_harness import IamRefused
from tests.conftest import TABLE, ApiClient
from tests.support.lifecycle import Stand

TABLE_ARN = f"arn:aws:dynamodb:us-east-1:123456789012:table/{TABLE}"
FAILS = "+14155550103"  # the dial fails: a call_failed notice for the clinic


def without(function_prefix: str, keep: Callable[[Any], bool]) -> dict[str, Any]:
    """The synthesized template with the statements' actions and resources of the role whose logical ID starts
    with ``function_prefix`` filtered by ``keep`` (a statement left with none is dropped)."""
    template = copy.deepcopy(iam_harness.template())
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        if not any(role["Ref"].startswith(function_prefix) for role in resource["Properties"]["Roles"]):
            continue
        statements = []
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            for field in ("Action", "Resource"):
                values = statement[field] if isinstance(statement[field], list) else [statement[field]]
                statement[field] = [v for v in values if keep(v)]
            if statement["Action"] and statement["Resource"]:
                statements.append(statement)
        resource["Properties"]["PolicyDocument"]["Statement"] = statements
    return template


def test_the_notices_function_without_update_item_cannot_claim_a_notice(stand: Stand) -> None:
    settings = stand.api.get("/clinic/settings").data
    settings["notifications"] = {"emails": ["vet@clinic.example"]}
    assert stand.api.put("/clinic/settings", settings).status == 200
    call = stand.schedule(phoneNumber=FAILS, scheduledFor=stand.clock.now.isoformat())
    assert stand.run_to_the_end(call["callId"])["status"] == "failed"
    template = without("NoticesFunctionRole", lambda value: value != "dynamodb:UpdateItem")
    refusing = iam_harness.using_template(template)
    with refusing, iam_harness.refusals_expected() as refused, contextlib.suppress(IamRefused):
        stand.stream.feed_once(lambda event: stand.invoke("notices", event))
    assert refused, "the notices function claimed its notice without dynamodb:UpdateItem"
    assert {(r.function, r.action, r.resource) for r in refused} == {("notices", "dynamodb:UpdateItem", TABLE_ARN)}
    assert f"the notices function's role may not dynamodb:UpdateItem on {TABLE_ARN}" in str(refused[0])
    assert stand.outbox() == []  # nothing was sent


def test_the_api_without_the_follow_up_index_cannot_list_the_worklist(api: ApiClient) -> None:
    def keep(value: Any) -> bool:
        return "/index/gsi3" not in str(value)

    refusing = iam_harness.using_template(without("ApiRole", keep))
    with refusing, iam_harness.refusals_expected() as refused, contextlib.suppress(IamRefused):
        api.get("/calls", query={"needsFollowUp": "true"})
    assert [(r.function, r.action, r.resource) for r in refused] == [
        ("api", "dynamodb:Query", f"{TABLE_ARN}/index/gsi3")
    ]
    assert api.get("/calls", query={"needsFollowUp": "true"}).status == 200  # with the stack's own policy
