"""moto stand-ins for the stack's AWS resources, shared by the test fixtures and ``make invoke``'s sandbox."""

from __future__ import annotations

import boto3

from tests.support.stack_template import create_table_request, synthesized_template

REGION = "us-east-1"
ACCOUNT = "123456789012"
FAKE_CREDENTIALS = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


RETELL_TEST_KEY = "key_test_0123456789abcdef"
DEFAULT_AGENT_ID = "agent_default_test"
DEFAULT_FROM_NUMBER = "+14155559000"


def create_stand_ins(table_name: str, group_name: str, retell_key: str = RETELL_TEST_KEY) -> dict[str, str]:
    """Inside ``mock_aws``: the table (as synthesized), the schedule group, the Scheduler DLQ and the Retell key's
    secret. Returns the environment the functions read to find them."""
    boto3.client("dynamodb", region_name=REGION).create_table(
        **create_table_request(synthesized_template(), table_name)
    )
    boto3.client("scheduler", region_name=REGION).create_schedule_group(Name=group_name)
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName=f"{group_name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    secret_name = f"{group_name}/retell-api-key"
    boto3.client("secretsmanager", region_name=REGION).create_secret(Name=secret_name, SecretString=retell_key)
    return {
        "RETELL_SECRET_NAME": secret_name,
        "RETELL_DEFAULT_AGENT_ID": DEFAULT_AGENT_ID,
        "RETELL_DEFAULT_FROM_NUMBER": DEFAULT_FROM_NUMBER,
        "TABLE_NAME": table_name,
        "SCHEDULE_GROUP_NAME": group_name,
        "EXECUTE_FUNCTION_ARN": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{group_name}-execute",
        "SCHEDULER_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/{group_name}-scheduler",
        "SCHEDULER_DLQ_ARN": dlq_arn,
    }
