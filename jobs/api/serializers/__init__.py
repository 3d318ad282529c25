"""What the API reads and writes, one module per object.

Write serializers only parse; the services hold the rules.

Every bound a serializer declares is read from :mod:`jobs.core.rules` (or the rule
module of its object), the actions table or the model's column, never restated.
"""

from jobs.api.serializers.alerts import AlertRuleSerializer, AlertRuleWriteSerializer, AlertSerializer
from jobs.api.serializers.base import ErrorDetailSerializer, ErrorSerializer, StrictSerializer
from jobs.api.serializers.jobs import (
    BulkCancelSerializer,
    BulkDeleteSerializer,
    BulkIdsSerializer,
    BulkResultSerializer,
    BulkRetrySerializer,
    BulkScheduleSerializer,
    JobLogSerializer,
    JobSerializer,
    ScheduleJobSerializer,
)
from jobs.api.serializers.queues import QueueSerializer
from jobs.api.serializers.recurring import RecurringJobSerializer, RecurringJobWriteSerializer
from jobs.api.serializers.system import (
    HealthCheckSerializer,
    HealthSerializer,
    LiveSerializer,
    QueueMetricsSerializer,
    TaskSerializer,
    WorkerSerializer,
)

__all__ = [
    "AlertRuleSerializer",
    "AlertRuleWriteSerializer",
    "AlertSerializer",
    "BulkCancelSerializer",
    "BulkDeleteSerializer",
    "BulkIdsSerializer",
    "BulkResultSerializer",
    "BulkRetrySerializer",
    "BulkScheduleSerializer",
    "ErrorDetailSerializer",
    "ErrorSerializer",
    "HealthCheckSerializer",
    "HealthSerializer",
    "JobLogSerializer",
    "JobSerializer",
    "LiveSerializer",
    "QueueMetricsSerializer",
    "QueueSerializer",
    "RecurringJobSerializer",
    "RecurringJobWriteSerializer",
    "ScheduleJobSerializer",
    "StrictSerializer",
    "TaskSerializer",
    "WorkerSerializer",
]
