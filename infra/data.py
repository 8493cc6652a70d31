"""Data: what the system keeps.

Owns the customer-managed KMS key (call data at rest: the table; also the alert topic, see ``infra/operations.py``),
the calls table (``infra/call_table.py``, shaped by ``shared.dal.table_design``), the Retell API key's secret (its
value is put after deploying, never in the template) and the generated key that authenticates the API's page tokens.
The key, the table and the Retell secret are retained when the stack is deleted.

Its resources are created beside it, in the stack's scope, so that their construct paths (and so their logical IDs)
are the ones they were deployed with: see ``infra/stack.py``. Who may read or write them is granted in
``infra/functions.py``.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.call_table import CallTable


class Data(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            scope,
            "DataKey",
            description="Encrypts call data (owner names, phones, discharge summaries) and alerts at rest",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.calls = CallTable(scope, "Calls", key=self.key)
        self.table: dynamodb.Table = self.calls.table
        self.retell_secret = secretsmanager.Secret(
            scope,
            "RetellApiKey",
            description="Retell API key (the one with the webhook badge), set after deploying: docs/operator-guide.md",
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.page_token_secret = secretsmanager.Secret(
            scope,
            "PageTokenKey",
            description="Authenticates the API's nextToken values (generated; only the API function reads it)",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
        )
