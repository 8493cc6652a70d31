"""The synthesized CDK template, and moto resources created from it, so tests use the deployed schema."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def synthesized_template() -> dict[str, Any]:
    from app import STACK_NAME, build_app

    assembly = build_app(context={"aws:cdk:bundling-stacks": []}).synth()
    return dict(assembly.get_stack_by_name(STACK_NAME).template)


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template["Resources"].items() if res["Type"] == resource_type}


def create_table_request(template: dict[str, Any], table_name: str) -> dict[str, Any]:
    """``create_table`` arguments for the stack's one table: keys, attributes and GSIs exactly as synthesized."""
    (table,) = resources_of_type(template, "AWS::DynamoDB::Table").values()
    props = table["Properties"]
    request: dict[str, Any] = {
        "TableName": table_name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props["BillingMode"],
    }
    if "GlobalSecondaryIndexes" in props:
        request["GlobalSecondaryIndexes"] = [
            {"IndexName": gsi["IndexName"], "KeySchema": gsi["KeySchema"], "Projection": gsi["Projection"]}
            for gsi in props["GlobalSecondaryIndexes"]
        ]
    return request
