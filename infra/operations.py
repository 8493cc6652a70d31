"""Operations: what an operator watches.

Owns the alert topic (encrypted with the data key, which CloudWatch is allowed to use for it; email subscription
optional), the alarms (each dead-letter queue, errors and throttles per function, the API's 5xx rate, unresolved
dials, the Retell account refusing calls, notices not recorded or given up, calls the reconciler gave up on,
unknown disconnection reasons, rejected webhooks) and a dashboard of the call funnel (the handlers' Powertools
metrics).
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.api import CallsApi
from shared.telemetry import METRICS_NAMESPACE, SERVICE_NAME, Metric

FUNNEL = (
    (Metric.CALLS_SCHEDULED, "scheduled"),
    (Metric.CALLS_DIALED, "dialed"),
    (Metric.CALLS_CONNECTED, "connected"),
    (Metric.CALLS_COMPLETED, "completed"),
    (Metric.CALLS_FAILED, "failed"),
    (Metric.CALLS_RETRIED, "retried"),
    (Metric.CALLS_REQUEUED, "re-queued (no lease)"),
    (Metric.CALLS_MOVED_INTO_BUSINESS_HOURS, "moved into business hours"),
    (Metric.CALLS_CANCELLED, "cancelled"),
    (Metric.CALLS_PAUSED, "paused (Retell account)"),
    (Metric.CALLS_WAITING_FOR_DIAL_CAP, "waiting (3 dials per number in 24 h)"),
    (Metric.CALLS_CANCELLED_DO_NOT_CALL, "cancelled (do-not-call)"),
    (Metric.NUMBERS_LISTED_ON_REQUEST, "numbers listed on the owner's request"),
    (Metric.RECONCILER_REPAIRS, "repaired by the reconciler"),
)
"""Powertools metrics the handlers emit (namespace DischargeCallScheduler, dimension service)."""


FIVE_MINUTES = Duration.minutes(5)


def call_metric(name: Metric, statistic: str = "Sum", period: Duration = FIVE_MINUTES) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name.value,
        dimensions_map={"service": SERVICE_NAME},
        statistic=statistic,
        period=period,
    )


class Operations(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: kms.IKey,
        alert_email: str | None,
        functions: dict[str, lambda_.IFunction],
        dead_letter_queues: dict[str, sqs.IQueue],
        api: CallsApi,
        notice_failures: sqs.IQueue | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        # Alarms publish to the encrypted topic: CloudWatch may use the key for this account's alarms, and no more.
        stack = Stack.of(self)
        alarms = iam.ServicePrincipal("cloudwatch.amazonaws.com").with_conditions(
            {
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {
                    "aws:SourceArn": f"arn:{stack.partition}:cloudwatch:{stack.region}:{stack.account}:alarm:*"
                },
            }
        )
        key.grant(alarms, "kms:Decrypt", "kms:GenerateDataKey*")
        self.topic = sns.Topic(
            self, "Alerts", display_name="Discharge call scheduler alerts", master_key=key, enforce_ssl=True
        )
        if alert_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alert_email))
        to_topic = actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []

        def alarm(name: str, metric: cloudwatch.IMetric, threshold: float, description: str) -> None:
            created = cloudwatch.Alarm(
                self,
                name,
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=description,
            )
            created.add_alarm_action(to_topic)
            self.alarms.append(created)

        for name, queue in dead_letter_queues.items():
            alarm(  # messages sent, not visible: the reconciler consumes them within seconds
                f"{name}DeadLetters",
                queue.metric_number_of_messages_sent(period=Duration.minutes(5), statistic="Sum"),
                0,
                f"{name}: an attempt could not be delivered or crashed. The reconciler repaired its call (see its "
                "logs); find the cause.",
            )
        for name, function in functions.items():
            alarm(
                f"{name}Errors",
                function.metric_errors(period=Duration.minutes(5)),
                0,
                f"The {name} function raised errors.",
            )
            alarm(
                f"{name}Throttles",
                function.metric_throttles(period=Duration.minutes(5)),
                0,
                f"The {name} function was throttled.",
            )
        server_errors = cloudwatch.MathExpression(
            expression="100 * errors / MAX([requests, 1])",
            using_metrics={
                "errors": api.http_api.metric_server_error(period=Duration.minutes(5)),
                "requests": api.http_api.metric_count(period=Duration.minutes(5)),
            },
            label="5xx %",
            period=Duration.minutes(5),
        )
        alarm("Api5xxRate", server_errors, 5, "More than 5% of API requests failed with 5xx in 5 minutes.")
        alarm(
            "DialsUnresolved",
            call_metric(Metric.DIALS_UNRESOLVED),
            0,
            "A dial's outcome is unknown after reconciliation: the call is left initiated; check Retell.",
        )
        alarm(
            "RetellAccountUnavailable",
            call_metric(Metric.RETELL_ACCOUNT_UNAVAILABLE, period=Duration.minutes(1)),
            0,
            "Retell refused to place calls for account reasons (401 key, 402 billing, 403, or a call ended "
            "no_valid_payment / credit_exhausted / budget_reached). Dialing is paused, calls wait, nothing fails; "
            "it resumes by itself once a probe dial succeeds. Fix the key or the billing.",
        )
        alarm(
            "ReconcilerCallsLost",
            call_metric(Metric.RECONCILER_CALLS_LOST),
            0,
            "The reconciler failed a call whose dial nobody could account for after two hours: check it in Retell.",
        )
        alarm(
            "DisconnectionReasonUnknown",
            call_metric(Metric.DISCONNECTION_REASON_UNKNOWN),
            0,
            "Retell ended a call with a disconnection_reason the outcome table does not know (the call was failed "
            "to be safe): add it to shared/domain/outcomes.py.",
        )
        if notice_failures is not None:
            alarm(
                "NoticeStreamFailures",
                notice_failures.metric_number_of_messages_sent(period=Duration.minutes(5), statistic="Sum"),
                0,
                "The notices function could not record the notices of some table changes after ten tries (the "
                "stream's position is in the queue): clinics may not have been told; read its logs.",
            )
        alarm(
            "NoticesGivenUp",
            call_metric(Metric.NOTICES_GIVEN_UP),
            0,
            "A notice could not be delivered for three days (SES refusing the sender, a chat webhook gone): check "
            "the clinic's notification settings and the sender identity.",
        )
        alarm(
            "WebhooksRejected",
            call_metric(Metric.WEBHOOKS_REJECTED),
            10,
            "Many webhook signatures failed: a rotated Retell key, or someone probing the endpoint.",
        )

        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=None)
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Call funnel (per 5 minutes)",
                left=[call_metric(name).with_(label=label) for name, label in FUNNEL],
                width=24,
            ),
            cloudwatch.GraphWidget(
                title="Schedule delivery lag (s)",
                left=[
                    call_metric(Metric.SCHEDULE_DELIVERY_LAG, "Maximum"),
                    call_metric(Metric.SCHEDULE_DELIVERY_LAG, "Average"),
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Webhooks",
                left=[
                    call_metric(name)
                    for name in (Metric.WEBHOOKS_DUPLICATE, Metric.WEBHOOKS_UNKNOWN_CALL, Metric.WEBHOOKS_REJECTED)
                ],
                width=12,
            ),
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24),
        )
