"""The stack's AWS resources, created in moto (in-process for tests and ``make invoke``, moto's server for
``make dev``): the table exactly as the CDK stack synthesizes it, the schedule group, the Scheduler DLQ, execute's
on-failure queue, the Retell key's secret and the verified SES sender identity of the notices."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
ACCOUNT = "123456789012"
LOCAL_NOTIFICATION_SENDER = "notices@discharge-calls.local"
"""The sender identity the local stack verifies in moto's SES (``notificationSender`` in a deployment)."""
FAKE_CREDENTIALS = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


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
    if "StreamSpecification" in props:
        request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    if "GlobalSecondaryIndexes" in props:
        request["GlobalSecondaryIndexes"] = [
            {"IndexName": gsi["IndexName"], "KeySchema": gsi["KeySchema"], "Projection": gsi["Projection"]}
            for gsi in props["GlobalSecondaryIndexes"]
        ]
    return request


def synthesize_template(context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The stack's template, without bundling (no layers are built), with extra CDK ``context`` if given."""
    from app import STACK_NAME, build_app

    assembly = build_app(context={"aws:cdk:bundling-stacks": [], **(context or {})}).synth()
    return dict(assembly.get_stack_by_name(STACK_NAME).template)


def cached_table_request(table_name: str) -> dict[str, Any]:
    """The table's definition from the synthesized stack, cached on disk until the stack's code changes (a synth
    takes seconds; ``make dev`` should start fast)."""
    sources = [*sorted((ROOT / "infra").glob("*.py")), ROOT / "shared/dal/table_design.py", ROOT / "app.py"]
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()[:16]
    cache = ROOT / ".build" / f"table-{digest}.json"
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        # In a child process: the CDK's jsii kernel (a node process) must not outlive the synth in this one.
        program = "import json, standins.aws_resources as r; print(json.dumps(r.synthesize_template()))"
        synthesized = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
            [sys.executable, "-c", program], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        cache.write_text(json.dumps(create_table_request(json.loads(synthesized), "")))
    return {**json.loads(cache.read_text()), "TableName": table_name}


def create_resources(table_request: dict[str, Any], group_name: str, retell_key: str) -> dict[str, str]:
    """Create the resources (wherever boto3 points) and return the environment the functions read to find them."""
    boto3.client("dynamodb", region_name=REGION).create_table(**table_request)
    boto3.client("scheduler", region_name=REGION).create_schedule_group(Name=group_name)
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName=f"{group_name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    failures_url = sqs.create_queue(QueueName=f"{group_name}-execute-failures")["QueueUrl"]
    failures_arn = sqs.get_queue_attributes(QueueUrl=failures_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    secrets = boto3.client("secretsmanager", region_name=REGION)
    secret_name = f"{group_name}/retell-api-key"
    secrets.create_secret(Name=secret_name, SecretString=retell_key)
    page_token_secret = f"{group_name}/page-token-key"
    page_token_key = secrets.get_random_password(PasswordLength=64)["RandomPassword"]
    secrets.create_secret(Name=page_token_secret, SecretString=page_token_key)
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=LOCAL_NOTIFICATION_SENDER)
    return {
        "NOTIFICATION_SENDER": LOCAL_NOTIFICATION_SENDER,
        "DASHBOARD_URL": "http://127.0.0.1:3002",
        "RETELL_SECRET_NAME": secret_name,
        "PAGE_TOKEN_SECRET_NAME": page_token_secret,
        "TABLE_NAME": table_request["TableName"],
        "SCHEDULE_GROUP_NAME": group_name,
        "EXECUTE_FUNCTION_ARN": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{group_name}-execute",
        "SCHEDULER_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/{group_name}-scheduler",
        "SCHEDULER_DLQ_ARN": dlq_arn,
        # Not a function's: Lambda's on-failure destination of execute, which the reconciler reads.
        "EXECUTE_FAILURES_QUEUE_ARN": failures_arn,
    }
