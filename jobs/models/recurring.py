"""RecurringJob: a named schedule that creates Jobs."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.core.recurring_rules import validation_error
from jobs.core.states import MisfirePolicy, Priority


class RecurringJob(models.Model):
    """A named schedule that creates Jobs; its timing is a django-celery-beat schedule."""

    MisfirePolicy = MisfirePolicy

    name = models.CharField(max_length=200, unique=True)
    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    queue = models.CharField(max_length=100, blank=True, help_text=_("Empty: the task's queue."))
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    crontab = models.ForeignKey(
        "django_celery_beat.CrontabSchedule",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    interval = models.ForeignKey(
        "django_celery_beat.IntervalSchedule",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    clocked = models.ForeignKey(
        "django_celery_beat.ClockedSchedule",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enabled = models.BooleanField(default=True)
    start_at = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True)
    max_concurrent_runs = models.PositiveIntegerField(default=1)
    misfire_policy = models.CharField(
        max_length=10, choices=MisfirePolicy.choices, default=MisfirePolicy.RUN_ONCE
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    run_count = models.PositiveIntegerField(default=0)
    success_count = models.PositiveIntegerField(default=0)
    failure_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(
        default=0, help_text=_("Runs skipped: max concurrent runs reached, or missed while down.")
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["enabled", "next_run_at"], name="recurring_due")]
        permissions = [
            ("trigger_recurring_job", _("Can trigger recurring jobs")),
            ("pause_recurring_job", _("Can pause and resume recurring jobs")),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The rules live in :mod:`jobs.core.recurring_rules`, so forms and services refuse alike."""
        error = validation_error(self)
        if error is not None:
            raise error

    @property
    def success_rate(self) -> float | None:
        finished = self.success_count + self.failure_count
        return None if not finished else self.success_count / finished
