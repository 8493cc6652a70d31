"""cdk-nag (AwsSolutions) acknowledgements: each finding this stack keeps, on the construct it concerns, with the
reason it is right here. Any other finding fails synth (and ``make test``)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import IConstruct

from infra.api import CallsApi, Users
from infra.dashboard import Dashboard
from infra.data import Data
from infra.functions import Functions
from infra.notices import Notices
from infra.scheduling import Scheduling

FUNCTION_ROLE = {
    "AwsSolutions-IAM5[Resource::*]": "X-Ray's PutTraceSegments/PutTelemetryRecords support no resource-level "
    "permissions; Lambda active tracing needs them on '*'.",
    "AwsSolutions-IAM5[Action::kms:ReEncrypt*]": "CDK's standard grant for a table encrypted with a customer-managed "
    "key (KeyEncryptDecrypt), scoped to that one key's ARN.",
    "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]": "CDK's standard grant for a table encrypted with a "
    "customer-managed key (KeyEncryptDecrypt), scoped to that one key's ARN.",
}
SCHEDULES = (
    "Schedules are created at runtime, one per call attempt, with names unknown at deploy time "
    "(call-<id>-a<n>-<token>); the permission is confined to this stack's schedule group."
)
FUNCTION = (
    "Python 3.13, not 3.14: the layers are byte-compiled by a 3.13 interpreter at synth, and .pyc of another "
    "version would be ignored by the runtime (about 1.5 s more per cold start). Move with the build interpreter."
)
DEAD_LETTER_QUEUE = "This queue is itself a dead-letter queue (Scheduler DLQ / Lambda on-failure destination)."
PUBLIC_ROUTES = {
    "GET--health": "Liveness check for monitors and the extension's connection test; it returns no data.",
    "POST--webhooks--retell": "Retell cannot present a Cognito token; every request is authenticated by its "
    "HMAC signature (x-retell-signature) over the raw body, checked in the function, 401 otherwise.",
}
ROTATION_REASON = (
    "A Retell API key can only be rotated in Retell's dashboard, so there is no rotation Lambda; the secret "
    "accepts {apiKey, previousApiKey} so a manual rotation has no downtime (docs/operator-guide.md)."
)
PAGING_KEY_ROTATION = (
    "The page-token key only authenticates nextToken values, which are worth nothing outside one clinic's list; "
    "rotating it (put-secret-value, or deleting and redeploying) only makes lists in progress start again."
)
# Only when a deployment turns threat protection off (threatProtection=false): MFA is required either way.
USER_POOL_WITHOUT_THREAT_PROTECTION = {
    "AwsSolutions-COG8": "This deployment chose the Essentials plan (threatProtection=false): the Plus plan's threat "
    "protection is billed per monthly active user. Every user still signs in with SRP and a required TOTP code.",
}

DASHBOARD_BUCKET = {
    "AwsSolutions-S1": "The bucket holds only the dashboard's built files and its config.json (the API's address and "
    "the app client's id, which every browser that opens the dashboard gets anyway); no patient data, and "
    "CloudFront through origin access control is its only reader. Server access logs would record nothing of use.",
}
DASHBOARD_DISTRIBUTION = {
    "AwsSolutions-CFR1": "Clinic staff sign in from wherever they work (home, a second site, travel); what protects "
    "the data is Cognito sign-in on the API. The distribution serves static files that hold no data.",
    "AwsSolutions-CFR2": "The distribution serves static files only (no data, no dynamic origin); the API it calls "
    "is throttled by API Gateway and needs a Cognito token. Attach a WAF web ACL per deployment where a clinic "
    "group's policy asks for one (it is billed per ACL and per request).",
    "AwsSolutions-CFR3": "Static files with no data: a CloudFront access log would only count page loads; the API's "
    "access logs record every request that reads or changes anything.",
    "AwsSolutions-CFR4": "The distribution uses the default *.cloudfront.net certificate, for which CloudFront's "
    "security policy is fixed; browsers negotiate TLS 1.2 or 1.3 with it. A custom domain with an ACM certificate "
    "and TLSv1.2_2021 is the per-deployment upgrade.",
}
BUCKET_DEPLOYMENT = (
    "CDK's BucketDeployment custom resource, run only while deploying, copies the built dashboard from the CDK "
    "assets bucket into the dashboard's bucket and invalidates the distribution; aws-cdk-lib defines its role, "
    "grants (scoped to those two buckets; CloudFront invalidation on '*') and runtime."
)


def _ack(construct: IConstruct, rule: str, reason: str) -> None:
    cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def nag_resource_text(stack: cdk.Stack, value: str) -> str:
    """A resource string as cdk-nag prints it in a rule id (``<AWS::Region>``, ``<Logical.Arn>``)."""
    resolved: Any = stack.resolve(value)
    if isinstance(resolved, str):
        return resolved
    parts = resolved["Fn::Join"][1]
    rendered = []
    for part in parts:
        if isinstance(part, str):
            rendered.append(part)
        elif "Ref" in part:
            rendered.append(f"<{part['Ref']}>")
        else:
            logical, attribute = part["Fn::GetAtt"]
            rendered.append(f"<{logical}.{attribute}>")
    return "".join(rendered)


def acknowledge(
    stack: cdk.Stack, *, data: Data, scheduling: Scheduling, functions: Functions, api: CallsApi, users: Users
) -> None:
    schedules_rule = f"AwsSolutions-IAM5[Resource::{nag_resource_text(stack, scheduling.schedules_arn)}]"
    for function in functions.by_folder.values():
        for rule, reason in FUNCTION_ROLE.items():
            _ack(function.role, rule, reason)
        _ack(function.role, schedules_rule, SCHEDULES)
        _ack(function.function, "AwsSolutions-L1", FUNCTION)
    for queue in scheduling.dead_letter_queues.values():
        _ack(queue, "AwsSolutions-SQS3", DEAD_LETTER_QUEUE)
    for route_id, reason in PUBLIC_ROUTES.items():
        _ack(api.http_api.node.find_child(route_id), "AwsSolutions-APIG4", reason)
    _ack(data.retell_secret, "AwsSolutions-SMG4", ROTATION_REASON)
    _ack(data.page_token_secret, "AwsSolutions-SMG4", PAGING_KEY_ROTATION)
    if not users.threat_protection:
        for rule, reason in USER_POOL_WITHOUT_THREAT_PROTECTION.items():
            _ack(users.pool, rule, reason)


def acknowledge_dashboard(stack: cdk.Stack, dashboard: Dashboard) -> None:
    """The clinic dashboard's findings: its static files' hosting, and CDK's file-copying function (a singleton
    CDK puts at the stack's root)."""
    for rule, reason in DASHBOARD_BUCKET.items():
        _ack(dashboard.bucket, rule, reason)
    for rule, reason in DASHBOARD_DISTRIBUTION.items():
        _ack(dashboard.distribution, rule, reason)
    (copier,) = [child for child in stack.node.children if child.node.id.startswith("Custom::CDKBucketDeployment")]
    bucket_objects = nag_resource_text(stack, f"{dashboard.bucket.bucket_arn}/*")
    for rule in (
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        "AwsSolutions-IAM5[Action::s3:GetObject*]",
        "AwsSolutions-IAM5[Action::s3:GetBucket*]",
        "AwsSolutions-IAM5[Action::s3:List*]",
        "AwsSolutions-IAM5[Action::s3:DeleteObject*]",
        "AwsSolutions-IAM5[Action::s3:Abort*]",
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]",
        f"AwsSolutions-IAM5[Resource::{bucket_objects}]",
        "AwsSolutions-IAM5[Resource::*]",
        "AwsSolutions-L1",
    ):
        _ack(copier, rule, BUCKET_DEPLOYMENT)


SES_IDENTITY = (
    "SES authorizes SendEmail against the sender's identity and, in the sandbox, each recipient's; recipients are "
    "the clinics' own addresses, unknown at deploy time. The statement is limited by the condition ses:FromAddress "
    "to the one sender the deployment names (notificationSender)."
)


def acknowledge_notices(stack: cdk.Stack, notices: Notices) -> None:
    function = notices.function
    for rule, reason in FUNCTION_ROLE.items():
        _ack(function.role, rule, reason)
    _ack(function.function, "AwsSolutions-L1", FUNCTION)
    _ack(notices.dead_letters, "AwsSolutions-SQS3", DEAD_LETTER_QUEUE)
    if not notices.sends_email:
        return
    identities = nag_resource_text(stack, notices.ses_identities)
    _ack(function.role, f"AwsSolutions-IAM5[Resource::{identities}]", SES_IDENTITY)
