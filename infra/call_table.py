"""The DynamoDB table, shaped by ``shared.dal.table_design`` (the same names the repository uses)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

from shared.dal import table_design as design


class CallTable(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        string = dynamodb.AttributeType.STRING
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=design.PARTITION_KEY, type=string),
            sort_key=dynamodb.Attribute(name=design.SORT_KEY, type=string),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=design.TTL_ATTRIBUTE,
            deletion_protection=True,
            # Every change, before and after, for the notices function (``functions/notices``): notices are made
            # from the calls' transitions outside the calls' own processing.
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.table.add_global_secondary_index(
            index_name=design.CLINIC_CALLS_INDEX,
            partition_key=dynamodb.Attribute(name=design.CLINIC_CALLS_PARTITION_KEY, type=string),
            sort_key=dynamodb.Attribute(name=design.CLINIC_CALLS_SORT_KEY, type=string),
            projection_type=dynamodb.ProjectionType.INCLUDE,
            non_key_attributes=list(design.CLINIC_CALLS_ATTRIBUTES),
        )
        self.table.add_global_secondary_index(
            index_name=design.OPEN_WORK_INDEX,
            partition_key=dynamodb.Attribute(name=design.OPEN_WORK_PARTITION_KEY, type=string),
            sort_key=dynamodb.Attribute(name=design.OPEN_WORK_SORT_KEY, type=string),
            projection_type=dynamodb.ProjectionType.INCLUDE,
            non_key_attributes=list(design.OPEN_WORK_ATTRIBUTES),
        )
        self.table.add_global_secondary_index(
            # Sparse: the calls needing follow-up per clinic, the notices still to deliver, the clinics that
            # name notice recipients.
            index_name=design.FOLLOW_UP_INDEX,
            partition_key=dynamodb.Attribute(name=design.FOLLOW_UP_PARTITION_KEY, type=string),
            sort_key=dynamodb.Attribute(name=design.FOLLOW_UP_SORT_KEY, type=string),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        self.table.add_global_secondary_index(
            # Sparse by nature (every call has one entry): a clinic's calls to one number, by the number's digest,
            # for an erasure. Keys only: the erasure reads each call.
            index_name=design.NUMBER_INDEX,
            partition_key=dynamodb.Attribute(name=design.NUMBER_PARTITION_KEY, type=string),
            projection_type=dynamodb.ProjectionType.KEYS_ONLY,
        )
