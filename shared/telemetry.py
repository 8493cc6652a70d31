"""The names the functions publish under and the CDK stack watches: service, metrics namespace, every metric.

One enumeration, imported by the handlers (``metrics.add_metric(name=Metric.CALLS_DIALED, ...)``) and by the
stack's dashboard and alarms, so a renamed metric cannot leave an alarm watching nothing. Plain names only: the
stack imports this at synth without importing Powertools.
"""

from __future__ import annotations

from enum import StrEnum

SERVICE_NAME = "discharge-call-scheduler"
METRICS_NAMESPACE = "DischargeCallScheduler"


class Metric(StrEnum):
    CALLS_SCHEDULED = "CallsScheduled"
    CLINIC_RATE_LIMITED = "ClinicRateLimited"
    CALLS_CANCELLED = "CallsCancelled"
    CALLS_CALLED_NOW = "CallsCalledNow"
    CALLS_MOVED_INTO_BUSINESS_HOURS = "CallsMovedIntoBusinessHours"
    CALLS_DIALED = "CallsDialed"
    EXECUTIONS_SKIPPED = "ExecutionsSkipped"
    CALLS_REQUEUED = "CallsRequeued"
    CALLS_CONNECTED = "CallsConnected"
    CALLS_COMPLETED = "CallsCompleted"
    CALLS_FAILED = "CallsFailed"
    CALLS_RETRIED = "CallsRetried"
    CALLS_ANALYZED = "CallsAnalyzed"
    DIALS_UNRESOLVED = "DialsUnresolved"
    RETELL_ACCOUNT_UNAVAILABLE = "RetellAccountUnavailable"
    CALLS_PAUSED = "CallsPausedForAccount"
    DISCONNECTION_REASON_UNKNOWN = "DisconnectionReasonUnknown"
    CALLS_AWAITING_ANALYSIS = "CallsAwaitingAnalysis"
    RECONCILER_CHECKS = "ReconcilerChecks"
    RECONCILER_REPAIRS = "ReconcilerRepairs"
    RECONCILER_CALLS_LOST = "ReconcilerCallsLost"
    SCHEDULE_DELIVERY_LAG = "ScheduleDeliveryLag"
    INVALID_EXECUTE_EVENTS = "InvalidExecuteEvents"
    WEBHOOKS_REJECTED = "WebhooksRejected"
    WEBHOOKS_DUPLICATE = "WebhooksDuplicate"
    WEBHOOKS_UNKNOWN_CALL = "WebhooksUnknownCall"
    WEBHOOKS_IGNORED = "WebhooksIgnored"
    CALLS_WAITING_FOR_DIAL_CAP = "CallsWaitingForDialCap"
    CALLS_CANCELLED_DO_NOT_CALL = "CallsCancelledDoNotCall"
    NUMBERS_LISTED_ON_REQUEST = "NumbersListedOnOwnerRequest"
    FOLLOW_UPS_DONE = "FollowUpsDone"
    TEXTS_SENT = "TextsSent"
    TEXTS_NOT_SENT = "TextsNotSent"
    TEXT_EVENTS = "TextEvents"
    NOTICES_RECORDED = "NoticesRecorded"
    NOTICES_SENT = "NoticesSent"
    NOTICE_DELIVERY_FAILURES = "NoticeDeliveryFailures"
    NOTICES_GIVEN_UP = "NoticesGivenUp"
    NOTICES_HELD = "NoticesHeld"
    DIGESTS_SENT = "DigestsSent"
