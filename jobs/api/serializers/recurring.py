"""Recurring jobs: what one looks like, and what creating or editing one reads."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jobs.api.serializers.base import StrictSerializer, text
from jobs.api.serializers.schedules import SCHEDULE, ScheduleField
from jobs.core.rules import MAX_CONCURRENT_RUNS
from jobs.core.schedules import describe_schedule, schedule_spec
from jobs.models import RecurringJob
from jobs.services.shapes import RECURRING_JOB_FIELDS


class RecurringJobSerializer(serializers.ModelSerializer):
    priority = serializers.CharField(read_only=True, help_text="Empty: the task's priority.")
    schedule = serializers.SerializerMethodField()
    schedule_description = serializers.SerializerMethodField()

    class Meta:
        model = RecurringJob
        fields = RECURRING_JOB_FIELDS
        read_only_fields = RECURRING_JOB_FIELDS

    @extend_schema_field(SCHEDULE)
    def get_schedule(self, rj: RecurringJob) -> dict[str, Any]:
        return schedule_spec(rj)

    def get_schedule_description(self, rj: RecurringJob) -> str:
        return describe_schedule(rj)


class RecurringJobWriteSerializer(StrictSerializer):
    """Create (all required fields) or PATCH (partial=True: only what was sent)."""

    name = text(RecurringJob, "name")
    task = text(RecurringJob, "task")
    args = serializers.ListField(child=serializers.JSONField(), required=False)
    kwargs = serializers.DictField(child=serializers.JSONField(), required=False)
    queue = text(RecurringJob, "queue", required=False, allow_blank=True)
    priority = text(RecurringJob, "priority", required=False, allow_blank=True)
    schedule = ScheduleField()
    enabled = serializers.BooleanField(required=False)
    start_at = serializers.DateTimeField(required=False, allow_null=True)
    end_at = serializers.DateTimeField(required=False, allow_null=True)
    max_concurrent_runs = serializers.IntegerField(required=False, min_value=1, max_value=MAX_CONCURRENT_RUNS)
    misfire_policy = serializers.ChoiceField(choices=RecurringJob.MisfirePolicy.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
