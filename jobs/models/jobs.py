"""Job and JobLog: the database is the source of truth for every job and its timeline.

The RQ job is the execution copy of a :class:`Job` and shares its UUID, so one id works
in the admin URL, REST, GraphQL, logs and ``rq info``.
"""

from __future__ import annotations

import functools
import logging
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.core.states import TERMINAL, JobStatus, Priority
from jobs.exceptions import JobNotFound


class JobQuerySet(models.QuerySet):
    def scheduled(self) -> JobQuerySet:
        return self.filter(status=JobStatus.SCHEDULED)

    def deferred(self) -> JobQuerySet:
        return self.filter(status=JobStatus.DEFERRED)

    def queued(self) -> JobQuerySet:
        return self.filter(status=JobStatus.QUEUED)

    def started(self) -> JobQuerySet:
        return self.filter(status=JobStatus.STARTED)

    def succeeded(self) -> JobQuerySet:
        return self.filter(status=JobStatus.SUCCEEDED)

    def failed(self) -> JobQuerySet:
        return self.filter(status=JobStatus.FAILED)

    def cancelled(self) -> JobQuerySet:
        return self.filter(status=JobStatus.CANCELLED)

    def unfinished(self) -> JobQuerySet:
        return self.exclude(status__in=TERMINAL)


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    queue = models.CharField(max_length=100)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=1)
    timeout = models.PositiveIntegerField(null=True, blank=True, help_text=_("Seconds per attempt."))
    run_at = models.DateTimeField(null=True, blank=True, help_text=_("When the next attempt is due."))
    created_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    traceback = models.TextField(blank=True)
    worker_name = models.CharField(max_length=200, blank=True)
    execution_id = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("The execution that owns the running attempt; with attempts, its fencing token."),
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("When that execution's worker last said it runs.")
    )
    tags = models.JSONField(default=list, blank=True)
    correlation_id = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=50, default="code")
    # Mostly NULL: indexed below only where set, so most inserts skip those indexes.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    recurring_job = models.ForeignKey(
        "RecurringJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs", db_index=False
    )
    scheduled_for = models.DateTimeField(
        null=True, blank=True, help_text=_("The recurring schedule's run time this job is.")
    )
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependants")
    # Set on workflow and batch members, so the step that ends a job knows without a query.
    workflow = models.ForeignKey(
        "Workflow", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs", db_index=False
    )
    batch = models.ForeignKey(
        "Batch", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs", db_index=False
    )

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        indexes = [
            models.Index(fields=["-created_at"], name="job_created"),
            models.Index(fields=["status", "-created_at"], name="job_status_created"),
            models.Index(fields=["queue", "status", "-created_at"], name="job_queue_status_created"),
            models.Index(fields=["task", "-created_at"], name="job_task_created"),
            # The console's task + state filter: without it a rare pair walks every row.
            models.Index(fields=["task", "status", "-created_at"], name="job_task_status_created"),
            models.Index(fields=["-finished_at"], name="job_finished"),
            models.Index(
                fields=["recurring_job", "-created_at"],
                name="job_recurring_created",
                condition=models.Q(recurring_job__isnull=False),
            ),
            models.Index(fields=["parent"], name="job_parent", condition=models.Q(parent__isnull=False)),
            models.Index(
                fields=["created_by"], name="job_created_by", condition=models.Q(created_by__isnull=False)
            ),
            models.Index(fields=["correlation_id"], name="job_correlation"),
            models.Index(fields=["status", "run_at"], name="job_status_run_at"),
            # The oldest waiting jobs of a queue, for jobs.engine.abandoned's look for popped ids.
            models.Index(
                fields=["queue", "enqueued_at"],
                name="job_queued_enqueued",
                condition=models.Q(status="queued"),
            ),
            models.Index(
                fields=["workflow"], name="job_workflow", condition=models.Q(workflow__isnull=False)
            ),
            models.Index(
                fields=["batch", "status"], name="job_batch_status", condition=models.Q(batch__isnull=False)
            ),
        ]
        constraints = [
            # The exactly-once key: two schedulers can't both create one recurring run.
            models.UniqueConstraint(
                fields=["recurring_job", "scheduled_for"],
                name="job_recurring_run_once",
                condition=models.Q(recurring_job__isnull=False),
            ),
        ]
        permissions = [
            ("schedule_job", _("Can schedule jobs")),
            ("retry_job", _("Can retry jobs")),
            ("cancel_job", _("Can cancel jobs")),
        ]

    def __str__(self) -> str:
        return f"{self.task} ({self.id})"

    @classmethod
    def new(cls, **values: Any) -> Job:
        """``Job(**values)`` for field attnames (``parent_id``, not ``parent``).

        Built positionally, the way Django builds rows it read, which takes a quarter
        of the keyword path's time; scheduling 10,000 jobs in one call builds 10,000.

        Raises:
            TypeError: for a name that is not a field's attname.
        """
        template, factories, positions = _job_row_template()
        row = template.copy()
        for position, attname, factory in factories:
            if attname not in values:
                row[position] = factory()
        try:
            for attname, value in values.items():
                row[positions[attname]] = value
        except KeyError:
            unknown = sorted(set(values) - set(positions))
            raise TypeError(f"Job has no fields {', '.join(unknown)}.") from None
        return cls(*row)

    @property
    def is_finished(self) -> bool:
        return self.status in TERMINAL

    @property
    def duration(self) -> float | None:
        """Seconds the last attempt ran, or has run so far."""
        if not self.started_at:
            return None
        end = self.finished_at if self.finished_at and self.finished_at >= self.started_at else None
        return ((end or timezone.now()) - self.started_at).total_seconds()


@functools.cache
def _job_row_template() -> tuple[list[Any], list[tuple[int, str, Any]], dict[str, int]]:
    """Job's concrete fields as a row of constant defaults, the positions whose default
    is a factory (``uuid4``, ``list``, ``timezone.now``), and each attname's position."""
    fields = Job._meta.concrete_fields
    template = [None if _by_factory(field) else field.get_default() for field in fields]
    factories = [
        (position, field.attname, field.default)
        for position, field in enumerate(fields)
        if _by_factory(field)
    ]
    return template, factories, {field.attname: position for position, field in enumerate(fields)}


def _by_factory(field: models.Field) -> bool:
    return field.has_default() and callable(field.default)


class JobLog(models.Model):
    """One line of a job's append-only timeline."""

    class Event(models.TextChoices):
        CREATED = "created", _("Created")
        STARTED = "started", _("Started")
        PROGRESS = "progress", _("Progress")
        LOG = "log", _("Log")
        SUCCEEDED = "succeeded", _("Succeeded")
        RETRYING = "retrying", _("Retry scheduled")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        MANUAL = "manual", _("Manual action")
        RECOVERED = "recovered", _("Recovered")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="logs")
    created_at = models.DateTimeField(default=timezone.now)
    level = models.PositiveSmallIntegerField(default=logging.INFO)
    event = models.CharField(max_length=20, choices=Event.choices, default=Event.LOG)
    message = models.TextField(blank=True)
    attempt = models.PositiveIntegerField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interface = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["job", "created_at", "id"], name="joblog_job_created")]

    def __str__(self) -> str:
        return f"{self.get_event_display()}: {self.message[:80]}"

    @property
    def level_name(self) -> str:
        return logging.getLevelName(self.level)


def get_job(job_id: Any) -> Job:
    """Raises: JobNotFound for ids that are not UUIDs or not in the database."""
    try:
        pk = job_id if isinstance(job_id, uuid.UUID) else uuid.UUID(str(job_id))
        return Job.objects.get(pk=pk)
    except (ValueError, Job.DoesNotExist):
        raise JobNotFound(f"No job with id {str(job_id)[:64]!r}.") from None
