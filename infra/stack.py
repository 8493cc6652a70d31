"""The discharge-call-scheduler stack, as a table of contents: one construct per capability, each in its own file
with a docstring saying what it owns.

* ``Data`` (``infra/data.py``): the KMS key, the calls table, the Retell and page-token secrets;
* ``Scheduling`` (``infra/scheduling.py``): the schedule group, the scheduler role, the dead-letter queues;
* ``Functions`` (``infra/functions.py``): the three Lambda functions, their layers, and each one's grants;
* ``Users`` and ``CallsApi`` (``infra/api.py``): the Cognito user pool, the HTTP API and its JWT authorizer;
* ``Notices`` (``infra/notices.py``): the notices function on the table's stream, its sweep and digest
  rules, its SES permission (the deployment's ``notificationSender`` only);
* ``Operations`` (``infra/operations.py``): the alert topic, alarms and dashboard;
* ``Dashboard`` (``infra/dashboard.py``): the clinic dashboard, private in S3 behind CloudFront, its origin in the
  API's CORS and its config.json written from the stack's outputs;
* the outputs, and the acknowledged cdk-nag findings with their reasons (``infra/nag.py``).

``Data``, ``Scheduling`` and ``Functions`` were split out of this stack after it had been deployed, so they create
their resources beside themselves (in the stack's scope), not inside: a resource's construct path makes its logical
ID, and a new logical ID is a new resource (the retained table, key and Retell secret would be orphaned and replaced
by empty ones, log groups deleted, the fixed-name execute function would fail to create), and it also makes the
schedule group's generated name (a new group would drop every pending schedule). ``Users``, ``Http`` and
``Operations`` always were constructs of their own; their resources are inside them.

``cdk destroy`` leaves the retained data: the calls table, its KMS key, the Cognito user pool and the Retell
secret (RETAIN); everything else (functions, API, queues, alarms, log groups) is deleted.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from infra import nag
from infra.api import CallsApi, Users
from infra.dashboard import Dashboard
from infra.data import Data
from infra.deployment import deployment_from_context
from infra.functions import Functions
from infra.notices import Notices
from infra.operations import Operations
from infra.scheduling import Scheduling


class DischargeCallStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        deployment = deployment_from_context(self.node.try_get_context)
        retention = deployment.log_retention

        self.data = Data(self, "Data")
        self.scheduling = Scheduling(self, "Scheduling")
        self.functions = Functions(
            self,
            "Functions",
            data=self.data,
            scheduling=self.scheduling,
            deployment=deployment,
            log_retention=retention,
        )
        self.dashboard = Dashboard(self, "ClinicDashboard")
        self.users = Users(
            self, "Users", callback_origins=deployment.allowed_origins, threat_protection=deployment.threat_protection
        )
        self.api = CallsApi(
            self,
            "Http",
            functions={
                "api": self.functions.api.function,
                "retell_webhook": self.functions.retell_webhook.function,
            },
            users=self.users,
            deployment=deployment,
            log_retention=retention,
            extra_origins=[self.dashboard.url],
        )
        self.dashboard.serve(
            api_endpoint=self.api.http_api.api_endpoint,
            region=self.region,
            user_pool_id=self.users.pool.user_pool_id,
            user_pool_client_id=self.users.client.user_pool_client_id,
        )
        self.notices = Notices(
            self,
            "Notices",
            data=self.data,
            deployment=deployment,
            layers=self.functions.layers,
            dashboard_url=self.dashboard.url,
            log_retention=retention,
        )
        self.operations = Operations(
            self,
            "Operations",
            key=self.data.key,
            alert_email=deployment.alert_email,
            functions={**self.functions.lambdas, "notices": self.notices.function.function},
            dead_letter_queues=self.scheduling.dead_letter_queues,
            notice_failures=self.notices.dead_letters,
            api=self.api,
        )

        CfnOutput(self, "ApiUrl", value=self.api.url)
        CfnOutput(self, "RetellWebhookUrl", value=f"{self.api.url}webhooks/retell")
        CfnOutput(self, "UserPoolId", value=self.users.pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.users.client.user_pool_client_id)
        CfnOutput(self, "RetellSecretArn", value=self.data.retell_secret.secret_arn)
        CfnOutput(self, "TableName", value=self.data.table.table_name)
        CfnOutput(self, "AlertTopicArn", value=self.operations.topic.topic_arn)
        CfnOutput(self, "DashboardUrl", value=self.dashboard.url)
        nag.acknowledge(
            self, data=self.data, scheduling=self.scheduling, functions=self.functions, api=self.api, users=self.users
        )
        nag.acknowledge_dashboard(self, self.dashboard)
        nag.acknowledge_notices(self, self.notices)
