"""Workflows and batches: the database is their source of truth.

A :class:`Workflow` is a graph of :class:`WorkflowNode` rows (see
:mod:`jobs.core.workflows`). A node gets its Job only when it is ready, so Redis never
holds the shape of a workflow: losing Redis loses at most the waiting jobs, which
reconcile restores like any other. Each node counts the nodes it still waits for
(``waiting``) and those that ended badly (``failed_before``); advancing is a
compare-and-set on ``settled`` and on ``job``, so it happens once per node however
often it is attempted (:mod:`jobs.engine.workflows`).

A :class:`Batch` is many independent jobs under one handle (``Job.batch``), with
callbacks when all have finished (``on_complete``) and when all have succeeded
(``on_success``), each started once.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.exceptions import BatchNotFound, WorkflowNotFound


class WorkflowStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Workflow(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=WorkflowStatus.choices, default=WorkflowStatus.RUNNING)
    policy = models.CharField(max_length=20, default="fail_rest")
    failing = models.BooleanField(default=False, help_text=_("A member failed under fail_rest."))
    unsettled = models.PositiveIntegerField(default=0, help_text=_("Nodes not finished or skipped yet."))
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=50, default="code")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="workflow_status_created")]
        permissions = [
            ("schedule_workflow", _("Can schedule workflows")),
            ("retry_workflow", _("Can retry workflows and their nodes")),
            ("cancel_workflow", _("Can cancel workflows and their nodes")),
        ]

    def __str__(self) -> str:
        return self.name or str(self.id)


class NodeOutcome(models.TextChoices):
    PENDING = "", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class WorkflowNode(models.Model):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="nodes")
    key = models.PositiveIntegerField()
    label = models.CharField(max_length=200, blank=True)
    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    queue = models.CharField(max_length=100, blank=True)
    max_attempts = models.PositiveIntegerField(null=True, blank=True)
    predecessors = models.JSONField(default=list, blank=True)
    successors = models.JSONField(default=list, blank=True)
    run_on = models.CharField(max_length=10, default="success")
    pass_result = models.CharField(max_length=10, default="none")
    waiting = models.PositiveIntegerField(default=0)
    failed_before = models.PositiveIntegerField(default=0)
    settled = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=NodeOutcome.choices, default="", blank=True)
    added_by = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The node that added this one while it ran.")
    )
    job = models.OneToOneField(
        "Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="workflow_node"
    )

    class Meta:
        ordering = ["workflow", "key"]
        constraints = [models.UniqueConstraint(fields=["workflow", "key"], name="workflownode_key")]
        # The housekeeping sweep looks only at nodes not settled yet.
        indexes = [
            models.Index(fields=["job"], name="workflownode_unsettled", condition=models.Q(settled=False)),
        ]

    def __str__(self) -> str:
        return f"{self.workflow_id}#{self.key} {self.label or self.task}"


class Batch(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, blank=True)
    total = models.PositiveIntegerField(default=0)
    on_complete = models.JSONField(
        null=True, blank=True, help_text=_("A step run once every job has finished.")
    )
    on_success = models.JSONField(
        null=True, blank=True, help_text=_("A step run once every job has succeeded.")
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    complete_job = models.OneToOneField(
        "Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    success_job = models.OneToOneField(
        "Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=50, default="code")

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("batches")
        indexes = [models.Index(fields=["-created_at"], name="batch_created")]
        permissions = [
            ("schedule_batch", _("Can schedule batches")),
            ("retry_batch", _("Can retry a batch's failed jobs")),
            ("cancel_batch", _("Can cancel a batch")),
        ]

    def __str__(self) -> str:
        return self.name or str(self.id)


def _by_uuid(model: type[models.Model], value: Any, missing: type[Exception], what: str) -> Any:
    try:
        return model.objects.get(pk=value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    except (ValueError, model.DoesNotExist):
        raise missing(f"No {what} with id {str(value)[:64]!r}.") from None


def get_workflow(workflow_id: Any) -> Workflow:
    """Raises: WorkflowNotFound."""
    return _by_uuid(Workflow, workflow_id, WorkflowNotFound, "workflow")


def get_batch(batch_id: Any) -> Batch:
    """Raises: BatchNotFound."""
    return _by_uuid(Batch, batch_id, BatchNotFound, "batch")
