"""Jobs: what a job and its timeline look like, and what scheduling and bulk actions read."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jobs.api.serializers.base import StrictSerializer, job_id, text
from jobs.core.rules import MAX_ATTEMPTS, MAX_DELAY_SECONDS
from jobs.core.states import Priority
from jobs.models import Job, JobLog
from jobs.services import BulkResult, flow
from jobs.services.actions import bulk_limit
from jobs.services.shapes import JOB_FIELDS, JOB_LOG_FIELDS


class JobListSerializer(serializers.ListSerializer):
    """Reads the wait reasons of a whole page in one Redis round trip, not one per job."""

    def to_representation(self, data: Any) -> list[Any]:
        jobs = list(data.all() if hasattr(data, "all") else data)
        self.context[WAIT_REASONS] = flow.job_waits(jobs)
        return super().to_representation(jobs)


WAIT_REASONS = "wait_reasons"


class JobSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(read_only=True)
    duration = serializers.FloatField(read_only=True, allow_null=True)
    depends_on = serializers.SerializerMethodField()
    wait_reason = serializers.SerializerMethodField(
        help_text='Why a scheduled job waits on flow control, e.g. "waiting: bank-api breaker open '
        "until 10:42:05\" (a breaker, a concurrency or a rate limit); null when it doesn't."
    )

    class Meta:
        model = Job
        fields = JOB_FIELDS
        read_only_fields = JOB_FIELDS
        list_serializer_class = JobListSerializer

    def get_depends_on(self, job: Job) -> list[str]:
        return [str(dep.pk) for dep in job.depends_on.all()]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_wait_reason(self, job: Job) -> str | None:
        reasons = self.context.get(WAIT_REASONS)
        return reasons.get(str(job.pk)) if reasons is not None else flow.job_wait(job)


class JobLogSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = JobLog
        fields = JOB_LOG_FIELDS
        read_only_fields = JOB_LOG_FIELDS


class ScheduleJobSerializer(StrictSerializer):
    """One job to schedule; :func:`jobs.services.options_from_request` turns it into options."""

    task = text(Job, "task")
    args = serializers.ListField(child=serializers.JSONField(), required=False, default=list)
    kwargs = serializers.DictField(child=serializers.JSONField(), required=False, default=dict)
    queue = text(Job, "queue", required=False, allow_null=True, allow_blank=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_null=True)
    run_at = serializers.DateTimeField(required=False, allow_null=True)
    delay_seconds = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=MAX_DELAY_SECONDS
    )
    max_attempts = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ATTEMPTS
    )
    depends_on = serializers.ListField(child=job_id(), required=False, default=list)
    tags = serializers.ListField(
        child=serializers.CharField(), required=False, allow_null=True, help_text="Short labels."
    )
    correlation_id = text(Job, "correlation_id", required=False, allow_blank=True, default="")


class BulkScheduleSerializer(StrictSerializer):
    jobs = ScheduleJobSerializer(many=True, allow_empty=False, max_length=bulk_limit("schedule_job"))


def _ids(action: str) -> serializers.ListField:
    return serializers.ListField(
        child=job_id(),
        allow_empty=False,
        max_length=bulk_limit(action),
        help_text="Job ids; each is acted on by itself, so one refusal stops no other.",
    )


class BulkIdsSerializer(StrictSerializer):
    """The jobs a bulk action names, each once, in the order given."""

    def validate_ids(self, ids: list[str]) -> list[str]:
        return list(dict.fromkeys(ids))


class BulkRetrySerializer(BulkIdsSerializer):
    ids = _ids("retry_job")


class BulkCancelSerializer(BulkIdsSerializer):
    ids = _ids("cancel_job")


class BulkDeleteSerializer(BulkIdsSerializer):
    ids = _ids("delete_job")


class BulkResultSerializer(serializers.Serializer):
    done = serializers.SerializerMethodField(help_text="The jobs acted on, in the order given.")
    refused = serializers.DictField(child=serializers.CharField(), help_text="Each refused id, and why.")

    def get_done(self, result: BulkResult) -> list[str]:
        return [str(job.pk) for job in result.done]
