"""Models of monitoring: per-task figures and their history, alert rules and what they fired.

Imported by :mod:`jobs.models`, so they belong to the ``jobs`` app. Workers never write
these rows: they add to counters in Redis and the housekeeper folds them in (see
:mod:`jobs.monitoring.figures`); alerts are evaluated by the housekeeper
(see :mod:`jobs.monitoring.alerts.evaluate`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.core.alert_rules import validation_error
from jobs.core.states import AlertKind


class TaskStatsCounters(models.Model):
    """The counters a task's totals and each minute of its history share."""

    queue = models.CharField(max_length=100)
    task = models.CharField(max_length=200)
    processed = models.PositiveBigIntegerField(default=0)
    succeeded = models.PositiveBigIntegerField(default=0)
    failed = models.PositiveBigIntegerField(default=0)
    retried = models.PositiveBigIntegerField(default=0)
    runtime_total_ms = models.PositiveBigIntegerField(default=0)
    wait_total_ms = models.PositiveBigIntegerField(default=0)
    waited = models.PositiveBigIntegerField(default=0, help_text=_("Attempts whose wait time is counted."))
    run_buckets = models.JSONField(
        default=list, help_text=_("Attempts per run-time bucket (not cumulative).")
    )
    wait_buckets = models.JSONField(default=list, help_text=_("Attempts per wait-time bucket."))

    class Meta:
        abstract = True


class TaskStats(TaskStatsCounters):
    """All-time figures of one task in one queue (what Prometheus counters read)."""

    last_processed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["task", "queue"]
        verbose_name = _("task statistics")
        verbose_name_plural = _("task statistics")
        constraints = [models.UniqueConstraint(fields=["queue", "task"], name="taskstats_queue_task")]

    def __str__(self) -> str:
        return f"{self.task} on {self.queue}"


class TaskStatsHistory(TaskStatsCounters):
    """One minute of one task in one queue; kept ``JOBS['METRICS_HISTORY_DAYS']`` days."""

    minute = models.DateTimeField()

    class Meta:
        ordering = ["minute", "task", "queue"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "task", "minute"], name="taskstats_history_minute")
        ]
        indexes = [models.Index(fields=["minute"], name="taskstats_history_time")]

    def __str__(self) -> str:
        return f"{self.task} on {self.queue} @ {self.minute:%Y-%m-%d %H:%M}"


class AlertRule(models.Model):
    """A condition an on-call engineer wants to hear about, and where to send it."""

    Kind = AlertKind

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    queue = models.CharField(max_length=100, blank=True, help_text=_("Empty: every queue."))
    task = models.CharField(max_length=200, blank=True, help_text=_("Empty: every task."))
    threshold = models.FloatField(help_text=_("N in the rule's description."))
    window_minutes = models.PositiveIntegerField(
        default=5, help_text=_("Failure rate and SLA: the minutes looked back over.")
    )
    min_jobs = models.PositiveIntegerField(
        default=1, help_text=_("Failure rate: finished jobs needed in the window before it can fire.")
    )
    repeat_minutes = models.PositiveIntegerField(
        default=60, help_text=_("While the condition holds, notify again at most this often.")
    )
    enabled = models.BooleanField(default=True)
    webhook_url = models.CharField(max_length=500, blank=True)
    email_recipients = models.TextField(blank=True, help_text=_("Comma-separated addresses."))
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The rules live in :mod:`jobs.core.alert_rules`, so the admin and the services refuse alike."""

        error = validation_error(self)
        if error is not None:
            raise error

    @property
    def recipients(self) -> list[str]:
        return [address.strip() for address in self.email_recipients.split(",") if address.strip()]


class Alert(models.Model):
    """One incident: a rule's condition held for one subject (a queue, a task, a job…)."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    subject = models.CharField(max_length=300)
    message = models.TextField()
    value = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField()
    last_notified_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject"], condition=Q(resolved_at__isnull=True), name="alert_open_once"
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "-started_at"], name="alert_active")]

    def __str__(self) -> str:
        return f"{self.rule}: {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.resolved_at is None


class AlertEvent(models.Model):
    """Every notification an alert sent (fired, repeated, resolved): the visible history."""

    class Kind(models.TextChoices):
        FIRING = "firing", _("Firing")
        REPEAT = "repeat", _("Still firing")
        RESOLVED = "resolved", _("Resolved")

    class Delivery(models.TextChoices):
        NONE = "", _("Not configured")
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    message = models.TextField()
    value = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    webhook_status = models.CharField(max_length=10, choices=Delivery.choices, blank=True)
    webhook_error = models.TextField(blank=True)
    email_status = models.CharField(max_length=10, choices=Delivery.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at"], name="alertevent_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:80]}"
