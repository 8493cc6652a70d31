"""moto stand-ins for the stack's AWS resources, shared by the test fixtures and ``make invoke``'s sandbox."""

from __future__ import annotations

from standins.aws_resources import ACCOUNT, FAKE_CREDENTIALS, REGION, create_resources, create_table_request
from standins.stack_template import synthesized_template

__all__ = ["ACCOUNT", "FAKE_CREDENTIALS", "REGION", "create_stand_ins"]

RETELL_TEST_KEY = "key_test_0123456789abcdef"
DEFAULT_AGENT_ID = "agent_default_test"
DEFAULT_TEXT_AGENT_ID = "agent_default_text_test"
DEFAULT_FROM_NUMBER = "+14155559000"


def create_stand_ins(table_name: str, group_name: str, retell_key: str = RETELL_TEST_KEY) -> dict[str, str]:
    """Inside ``mock_aws``: the stack's resources (the table as synthesized) and the Retell defaults."""
    environment = create_resources(create_table_request(synthesized_template(), table_name), group_name, retell_key)
    return {
        **environment,
        "RETELL_DEFAULT_AGENT_ID": DEFAULT_AGENT_ID,
        "RETELL_DEFAULT_TEXT_AGENT_ID": DEFAULT_TEXT_AGENT_ID,
        "RETELL_DEFAULT_FROM_NUMBER": DEFAULT_FROM_NUMBER,
    }
