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


class LocalLambdaContext:
    """The parts of a Lambda context the handlers and Powertools read."""

    function_name = "local"
    memory_limit_in_mb = 512
    invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:local"
    aws_request_id = "local-request"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def create_stand_ins(table_name: str, group_name: str) -> dict[str, str]:
    """Inside ``mock_aws``: the table (as synthesized), the schedule group and the Scheduler DLQ. Returns the
    environment the functions read to find them."""
    boto3.client("dynamodb", region_name=REGION).create_table(
        **create_table_request(synthesized_template(), table_name)
    )
    boto3.client("scheduler", region_name=REGION).create_schedule_group(Name=group_name)
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName=f"{group_name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {
        "TABLE_NAME": table_name,
        "SCHEDULE_GROUP_NAME": group_name,
        "EXECUTE_FUNCTION_ARN": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{group_name}-execute",
        "SCHEDULER_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/{group_name}-scheduler",
        "SCHEDULER_DLQ_ARN": dlq_arn,
    }
