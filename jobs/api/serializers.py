"""What the API reads and writes. Write serializers only parse; services hold the rules."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from jobs.core.rules import MAX_ATTEMPTS, MAX_CONCURRENT_RUNS, MAX_DELAY_SECONDS
from jobs.core.schedules import describe_schedule, schedule_spec
from jobs.core.states import Priority
from jobs.models import Job, JobLog, QueueStats, RecurringJob


class StrictSerializer(serializers.Serializer):
    """Refuses fields it doesn't know, so a typo is a 400 rather than silently ignored."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class JobSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(read_only=True)
    duration = serializers.FloatField(read_only=True, allow_null=True)
    depends_on = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id", "task", "args", "kwargs", "queue", "priority", "status", "attempts", "max_attempts",
            "timeout", "run_at", "created_at", "enqueued_at", "started_at", "finished_at", "duration",
            "progress", "progress_message", "result", "error", "traceback", "worker_name", "tags",
            "correlation_id", "source", "parent", "recurring_job", "scheduled_for", "depends_on",
        ]  # fmt: skip
        read_only_fields = fields

    def get_depends_on(self, job: Job) -> list[str]:
        return [str(dep.pk) for dep in job.depends_on.all()]


class JobLogSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = JobLog
        fields = ["id", "created_at", "level", "event", "message", "attempt", "user", "interface"]
        read_only_fields = fields


class ScheduleJobSerializer(StrictSerializer):
    task = serializers.CharField(max_length=200)
    args = serializers.ListField(child=serializers.JSONField(), required=False, default=list)
    kwargs = serializers.DictField(child=serializers.JSONField(), required=False, default=dict)
    queue = serializers.CharField(max_length=100, required=False, allow_null=True, allow_blank=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_null=True)
    run_at = serializers.DateTimeField(required=False, allow_null=True)
    delay_seconds = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=MAX_DELAY_SECONDS
    )
    max_attempts = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ATTEMPTS
    )
    depends_on = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=100), required=False, allow_null=True)
    correlation_id = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def to_service(self) -> dict[str, Any]:
        """The validated body as :func:`jobs.services.schedule_job` keyword arguments."""
        return self.service_options(self.validated_data)

    @staticmethod
    def service_options(validated: dict[str, Any]) -> dict[str, Any]:
        """API names to service names: ``delay_seconds`` is the service's ``delay``."""
        data = dict(validated)
        data["delay"] = data.pop("delay_seconds", None)
        return data


class BulkScheduleSerializer(StrictSerializer):
    jobs = ScheduleJobSerializer(many=True, allow_empty=False, max_length=1000)


class QueueSerializer(serializers.ModelSerializer):
    paused_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    success_rate = serializers.FloatField(read_only=True, allow_null=True)
    average_runtime_ms = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = QueueStats
        fields = [
            "name", "paused", "paused_at", "paused_by", "waiting", "running", "scheduled", "failed",
            "processed_total", "succeeded_total", "failed_total", "retried_total", "success_rate",
            "average_runtime_ms", "runtime_p50_ms", "runtime_p95_ms", "runtime_p99_ms",
            "oldest_waiting_at", "last_processed_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class RecurringJobSerializer(serializers.ModelSerializer):
    priority = serializers.CharField(read_only=True, help_text="Empty: the task's priority.")
    schedule = serializers.SerializerMethodField()
    schedule_description = serializers.SerializerMethodField()

    class Meta:
        model = RecurringJob
        fields = [
            "id", "name", "task", "args", "kwargs", "queue", "priority", "schedule",
            "schedule_description", "enabled", "start_at", "end_at", "max_concurrent_runs",
            "misfire_policy", "last_run_at", "next_run_at", "run_count", "success_count",
            "failure_count", "skipped_count", "description", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_schedule(self, rj: RecurringJob) -> dict[str, Any]:
        return schedule_spec(rj)

    def get_schedule_description(self, rj: RecurringJob) -> str:
        return describe_schedule(rj)


class RecurringJobWriteSerializer(StrictSerializer):
    """Create (all required fields) or PATCH (partial=True: only what was sent)."""

    name = serializers.CharField(max_length=200)
    task = serializers.CharField(max_length=200)
    args = serializers.ListField(child=serializers.JSONField(), required=False)
    kwargs = serializers.DictField(child=serializers.JSONField(), required=False)
    queue = serializers.CharField(max_length=100, required=False, allow_blank=True)
    priority = serializers.CharField(max_length=10, required=False, allow_blank=True)
    schedule = serializers.DictField(child=serializers.DictField())
    enabled = serializers.BooleanField(required=False)
    start_at = serializers.DateTimeField(required=False, allow_null=True)
    end_at = serializers.DateTimeField(required=False, allow_null=True)
    max_concurrent_runs = serializers.IntegerField(required=False, min_value=1, max_value=MAX_CONCURRENT_RUNS)
    misfire_policy = serializers.ChoiceField(choices=RecurringJob.MisfirePolicy.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class TaskSerializer(serializers.Serializer):
    name = serializers.CharField()
    signature = serializers.CharField()
    parameters = serializers.ListField(child=serializers.DictField())
    queue = serializers.CharField(allow_null=True, help_text="Null: chosen by the job's priority.")
    priority = serializers.CharField()
    max_attempts = serializers.IntegerField()
    backoff = serializers.DictField()
    timeout = serializers.IntegerField(allow_null=True)
    description = serializers.CharField(allow_blank=True)


class WorkerSerializer(serializers.Serializer):
    name = serializers.CharField()
    hostname = serializers.CharField()
    pid = serializers.IntegerField(allow_null=True)
    queues = serializers.ListField(child=serializers.CharField())
    state = serializers.CharField()
    current_job_id = serializers.CharField(allow_null=True)
    birth = serializers.DateTimeField(allow_null=True)
    last_heartbeat = serializers.DateTimeField(allow_null=True)
    successful_jobs = serializers.IntegerField()
    failed_jobs = serializers.IntegerField()
    total_working_time = serializers.FloatField()
    lost = serializers.BooleanField()


class QueueMetricsSerializer(serializers.Serializer):
    queue = serializers.CharField()
    paused = serializers.BooleanField()
    depth = serializers.IntegerField()
    running = serializers.IntegerField()
    scheduled = serializers.IntegerField()
    processed = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    failed_total = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True)
    throughput_per_minute = serializers.FloatField()
    runtime_p50 = serializers.FloatField(allow_null=True)
    runtime_p95 = serializers.FloatField(allow_null=True)
    runtime_p99 = serializers.FloatField(allow_null=True)
    wait_p50 = serializers.FloatField(allow_null=True)
    wait_p95 = serializers.FloatField(allow_null=True)


class HealthCheckSerializer(serializers.Serializer):
    name = serializers.CharField()
    ok = serializers.BooleanField()
    detail = serializers.CharField(allow_blank=True)


class HealthSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checks = HealthCheckSerializer(many=True)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.CharField())


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
