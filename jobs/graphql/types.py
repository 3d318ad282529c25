"""GraphQL object types, their fields read from :mod:`jobs.services.shapes`.

REST's serializers read the same lists, so a field added there appears in both. Each
type declares only how GraphQL spells what the model can't say itself: ids are ``ID``
(a job's is its UUID, as in REST and the admin), JSON columns are :class:`JSON` values,
usernames are strings. Relations GraphQL adds on top (a job's ``logs``, its
``recurringJob`` object) are declared here too.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from jobs.core.schedules import describe_schedule, schedule_spec
from jobs.graphql.attempts import attempt_history_field
from jobs.graphql.scalars import JSON
from jobs.models import Alert, AlertRule, Job, JobLog, QueueStats, RecurringJob
from jobs.services import flow, shapes


class ErrorType(graphene.ObjectType):
    """Why a mutation was refused: ``code`` as in REST's error body, ``field`` if one is at fault."""

    code = graphene.String(required=True)
    message = graphene.String(required=True)
    field = graphene.String()


class JobLogType(DjangoObjectType):
    user = graphene.String()

    class Meta:
        model = JobLog
        fields = shapes.JOB_LOG_FIELDS
        convert_choices_to_enum = False

    def resolve_user(self: JobLog, info: Any) -> str | None:
        return self.user.username if self.user_id else None


class RecurringJobType(DjangoObjectType):
    args = JSON(required=True)
    kwargs = JSON(required=True)
    schedule = JSON(required=True, description="What schedule_spec gives: crontab, interval or clocked.")
    schedule_description = graphene.String(required=True)

    class Meta:
        model = RecurringJob
        fields = shapes.RECURRING_JOB_FIELDS
        convert_choices_to_enum = False

    def resolve_schedule(self: RecurringJob, info: Any) -> dict[str, Any]:
        return schedule_spec(self)

    def resolve_schedule_description(self: RecurringJob, info: Any) -> str:
        return describe_schedule(self)


class JobType(DjangoObjectType):
    id = graphene.ID(required=True, description="The job's UUID, as in REST and the admin.")
    args = JSON(required=True)
    kwargs = JSON(required=True)
    result = JSON(description="What the task returned, as a JSON value.")
    tags = graphene.List(graphene.NonNull(graphene.String), required=True)
    duration = graphene.Float()
    parent = graphene.ID(description="The job this one re-runs, if any.")
    recurring_job = graphene.Field(RecurringJobType)
    depends_on = graphene.List(graphene.NonNull(graphene.ID), required=True)
    logs = graphene.List(graphene.NonNull(JobLogType), required=True)
    attempt_history = attempt_history_field()
    wait_reason = graphene.String(
        description='Why a scheduled job waits on flow control, e.g. "waiting: bank-api breaker open '
        "until 10:42:05\" (a breaker, a concurrency or a rate limit); null when it doesn't."
    )

    class Meta:
        model = Job
        fields = shapes.JOB_FIELDS
        convert_choices_to_enum = False

    def resolve_id(self: Job, info: Any) -> str:
        return str(self.pk)

    def resolve_parent(self: Job, info: Any) -> str | None:
        return str(self.parent_id) if self.parent_id else None

    def resolve_logs(self: Job, info: Any) -> list[JobLog]:
        return list(self.logs.all())

    def resolve_depends_on(self: Job, info: Any) -> list[str]:
        return [str(dep.pk) for dep in self.depends_on.all()]

    def resolve_wait_reason(self: Job, info: Any) -> str | None:
        return flow.job_wait(self)


class QueueType(DjangoObjectType):
    paused_by = graphene.String()
    success_rate = graphene.Float()
    average_runtime_ms = graphene.Float()

    class Meta:
        model = QueueStats
        fields = shapes.QUEUE_FIELDS

    def resolve_paused_by(self: QueueStats, info: Any) -> str | None:
        return self.paused_by.username if self.paused_by_id else None


class AlertRuleType(DjangoObjectType):
    class Meta:
        model = AlertRule
        fields = shapes.ALERT_RULE_FIELDS
        convert_choices_to_enum = False


class AlertType(DjangoObjectType):
    """An open incident; alerts have no REST shape, so their fields are listed here."""

    rule = graphene.Field(AlertRuleType, required=True)

    class Meta:
        model = Alert
        fields = (
            "id", "rule", "subject", "message", "value", "started_at", "last_notified_at", "resolved_at",
        )  # fmt: skip


class TaskType(graphene.ObjectType):
    name = graphene.String(required=True)
    signature = graphene.String(required=True)
    parameters = JSON(required=True, description="Each parameter's name, kind, required and default.")
    queue = graphene.String()
    priority = graphene.String(required=True)
    max_attempts = graphene.Int(required=True)
    backoff = JSON(required=True, description="strategy, initial, max_delay and jitter.")
    timeout = graphene.Int()
    description = graphene.String(required=True)


class WorkerType(graphene.ObjectType):
    name = graphene.String(required=True)
    hostname = graphene.String(required=True)
    pid = graphene.Int()
    queues = graphene.List(graphene.NonNull(graphene.String), required=True)
    state = graphene.String(required=True)
    current_job_id = graphene.ID()
    birth = graphene.DateTime()
    last_heartbeat = graphene.DateTime()
    successful_jobs = graphene.Int(required=True)
    failed_jobs = graphene.Int(required=True)
    lost = graphene.Boolean(required=True)


class QueueMetricsType(graphene.ObjectType):
    queue = graphene.String(required=True)
    paused = graphene.Boolean(required=True)
    depth = graphene.Int(required=True)
    running = graphene.Int(required=True)
    scheduled = graphene.Int(required=True)
    processed = graphene.Int(required=True)
    succeeded = graphene.Int(required=True)
    failed_total = graphene.Int(required=True)
    success_rate = graphene.Float()
    throughput_per_minute = graphene.Float(required=True)
    runtime_p50 = graphene.Float()
    runtime_p95 = graphene.Float()
    runtime_p99 = graphene.Float()
