"""Events, event triggers, workflows and batches over REST (shapes from jobs.services.shapes)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from jobs.api.serializers.base import StrictSerializer, text
from jobs.core.events import MAX_NAME
from jobs.core.workflows import POLICIES
from jobs.models import Batch, Event, EventTrigger, Workflow, WorkflowNode
from jobs.services import batches, events, workflows
from jobs.services.shapes import (
    BATCH_FIELDS,
    EVENT_FIELDS,
    EVENT_TRIGGER_FIELDS,
    WORKFLOW_FIELDS,
    WORKFLOW_NODE_FIELDS,
)


class EventSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    jobs = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = EVENT_FIELDS
        read_only_fields = EVENT_FIELDS

    def get_jobs(self, event: Event) -> list[dict[str, Any]]:
        return [
            {
                "trigger": d.trigger_key,
                "job": str(d.job_id) if d.job_id else None,
                "status": d.job.status if d.job else None,
            }
            for d in events.event_jobs(event)
        ]


class PublishEventSerializer(StrictSerializer):
    name = serializers.CharField(max_length=MAX_NAME)
    payload = serializers.JSONField(required=False, default=dict)
    event_id = text(Event, "event_id", required=False, allow_blank=True)


class EventTriggerSerializer(serializers.ModelSerializer):
    class Meta:
        model = EventTrigger
        fields = EVENT_TRIGGER_FIELDS
        read_only_fields = EVENT_TRIGGER_FIELDS


class EventTriggerWriteSerializer(StrictSerializer):
    event_name = text(EventTrigger, "event_name")
    task = text(EventTrigger, "task")
    filter = serializers.JSONField(required=False)
    mapping = serializers.JSONField(required=False)
    queue = text(EventTrigger, "queue", required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False)
    description = text(EventTrigger, "description", required=False, allow_blank=True)


class WorkflowNodeSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    job = serializers.UUIDField(source="job_id", read_only=True)

    class Meta:
        model = WorkflowNode
        fields = WORKFLOW_NODE_FIELDS
        read_only_fields = WORKFLOW_NODE_FIELDS

    def get_state(self, node: WorkflowNode) -> str:
        return workflows.node_state(node)


class WorkflowSerializer(serializers.ModelSerializer):
    nodes = serializers.SerializerMethodField()

    class Meta:
        model = Workflow
        fields = WORKFLOW_FIELDS
        read_only_fields = WORKFLOW_FIELDS

    def get_nodes(self, workflow: Workflow) -> list[dict[str, Any]]:
        if not self.context.get("with_nodes"):
            return []
        return WorkflowNodeSerializer(workflows.workflow_nodes(workflow), many=True).data


class ScheduleWorkflowSerializer(StrictSerializer):
    definition = serializers.JSONField(help_text="A step, chain, group, chord or graph (see the README).")
    name = text(Workflow, "name", required=False, allow_blank=True)
    policy = serializers.ChoiceField(choices=POLICIES, required=False, default="fail_rest")


class NodeSerializer(StrictSerializer):
    node = serializers.IntegerField(min_value=0)


class BatchSerializer(serializers.ModelSerializer):
    done = serializers.SerializerMethodField()
    succeeded = serializers.SerializerMethodField()
    failed = serializers.SerializerMethodField()
    waiting = serializers.SerializerMethodField()

    class Meta:
        model = Batch
        fields = BATCH_FIELDS
        read_only_fields = BATCH_FIELDS

    def _progress(self, batch: Batch) -> dict[str, int]:
        if not hasattr(batch, "_progress"):
            batch._progress = batches.batch_progress(batch.pk)
        return batch._progress

    def get_done(self, batch: Batch) -> int:
        return self._progress(batch)["done"]

    def get_succeeded(self, batch: Batch) -> int:
        return self._progress(batch)["succeeded"]

    def get_failed(self, batch: Batch) -> int:
        return self._progress(batch)["failed"]

    def get_waiting(self, batch: Batch) -> int:
        return self._progress(batch)["waiting"]


class ScheduleBatchSerializer(StrictSerializer):
    jobs = serializers.ListField(
        child=serializers.JSONField(), min_length=1, help_text="Requests as for POST /api/jobs/."
    )
    name = text(Batch, "name", required=False, allow_blank=True)
    on_complete = serializers.JSONField(required=False, allow_null=True, default=None)
    on_success = serializers.JSONField(required=False, allow_null=True, default=None)
