"""Jobs: what a job and its timeline look like, and what scheduling and bulk actions read."""

from __future__ import annotations

from rest_framework import serializers

from jobs.api.serializers.base import StrictSerializer, job_id, text
from jobs.core.rules import MAX_ATTEMPTS, MAX_DELAY_SECONDS
from jobs.core.states import Priority
from jobs.models import Job, JobLog
from jobs.services import BulkResult
from jobs.services.actions import bulk_limit
from jobs.services.shapes import JOB_FIELDS, JOB_LOG_FIELDS


class JobSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(read_only=True)
    duration = serializers.FloatField(read_only=True, allow_null=True)
    depends_on = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = JOB_FIELDS
        read_only_fields = JOB_FIELDS

    def get_depends_on(self, job: Job) -> list[str]:
        return [str(dep.pk) for dep in job.depends_on.all()]


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
