"""GraphQL object types. Job ids are the same UUID strings as REST and the admin."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from jobs.core.schedules import describe_schedule, schedule_spec
from jobs.models import Job, JobLog, QueueStats, RecurringJob


class ErrorType(graphene.ObjectType):
    """Why a mutation was refused: ``code`` as in REST's error body, ``field`` if one is at fault."""

    code = graphene.String(required=True)
    message = graphene.String(required=True)
    field = graphene.String()


class JobLogType(DjangoObjectType):
    user = graphene.String()

    class Meta:
        model = JobLog
        fields = ("id", "created_at", "level", "event", "message", "attempt", "interface")
        convert_choices_to_enum = False

    def resolve_user(self: JobLog, info: Any) -> str | None:
        return self.user.username if self.user_id else None


class RecurringJobType(DjangoObjectType):
    schedule = graphene.JSONString(required=True)
    schedule_description = graphene.String(required=True)

    class Meta:
        model = RecurringJob
        fields = (
            "id", "name", "task", "args", "kwargs", "queue", "priority", "enabled", "start_at",
            "end_at", "max_concurrent_runs", "misfire_policy", "last_run_at", "next_run_at",
            "run_count", "success_count", "failure_count", "skipped_count", "description",
            "created_at", "updated_at",
        )  # fmt: skip
        convert_choices_to_enum = False

    def resolve_schedule(self: RecurringJob, info: Any) -> dict[str, Any]:
        return schedule_spec(self)

    def resolve_schedule_description(self: RecurringJob, info: Any) -> str:
        return describe_schedule(self)


class JobType(DjangoObjectType):
    id = graphene.String(required=True, description="The job's UUID, as in REST and the admin.")
    duration = graphene.Float()
    logs = graphene.List(graphene.NonNull(JobLogType), required=True)
    depends_on = graphene.List(graphene.NonNull(graphene.String), required=True)
    recurring_job = graphene.Field(RecurringJobType)

    class Meta:
        model = Job
        fields = (
            "id", "task", "args", "kwargs", "queue", "priority", "status", "attempts", "max_attempts",
            "timeout", "run_at", "created_at", "enqueued_at", "started_at", "finished_at", "progress",
            "progress_message", "result", "error", "traceback", "worker_name", "tags",
            "correlation_id", "source", "scheduled_for",
        )  # fmt: skip
        convert_choices_to_enum = False

    def resolve_id(self: Job, info: Any) -> str:
        return str(self.pk)

    def resolve_logs(self: Job, info: Any) -> list[JobLog]:
        return list(self.logs.all())

    def resolve_depends_on(self: Job, info: Any) -> list[str]:
        return [str(dep.pk) for dep in self.depends_on.all()]


class QueueType(DjangoObjectType):
    paused_by = graphene.String()
    success_rate = graphene.Float()
    average_runtime_ms = graphene.Float()

    class Meta:
        model = QueueStats
        fields = (
            "name", "paused", "paused_at", "waiting", "running", "scheduled", "failed",
            "processed_total", "succeeded_total", "failed_total", "retried_total",
            "runtime_p50_ms", "runtime_p95_ms", "runtime_p99_ms", "oldest_waiting_at",
            "last_processed_at", "updated_at",
        )  # fmt: skip

    def resolve_paused_by(self: QueueStats, info: Any) -> str | None:
        return self.paused_by.username if self.paused_by_id else None


class TaskType(graphene.ObjectType):
    name = graphene.String(required=True)
    signature = graphene.String(required=True)
    parameters = graphene.JSONString(required=True)
    queue = graphene.String(required=True)
    priority = graphene.String(required=True)
    max_attempts = graphene.Int(required=True)
    backoff = graphene.JSONString(required=True)
    timeout = graphene.Int()
    description = graphene.String(required=True)


class WorkerType(graphene.ObjectType):
    name = graphene.String(required=True)
    hostname = graphene.String(required=True)
    pid = graphene.Int()
    queues = graphene.List(graphene.NonNull(graphene.String), required=True)
    state = graphene.String(required=True)
    current_job_id = graphene.String()
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
