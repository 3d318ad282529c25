"""QueueStats and its per-minute history: queue figures kept by the housekeeper."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class QueueStats(models.Model):
    """Per-queue figures, kept current by the housekeeper so pages never COUNT(*) jobs.

    ``waiting`` is the Redis queue's length; ``running``, ``scheduled`` and ``failed``
    are recounted at every flush (small sets); ``succeeded`` and ``cancelled`` grow
    without bound, so they move by the transitions into and out of those states
    (:mod:`jobs.monitoring.counters`) and are recounted only as a repair.
    """

    name = models.CharField(max_length=100, unique=True)
    paused = models.BooleanField(default=False)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waiting = models.PositiveIntegerField(default=0)
    running = models.PositiveIntegerField(default=0)
    scheduled = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveBigIntegerField(default=0)
    cancelled = models.PositiveBigIntegerField(default=0)
    processed_total = models.PositiveBigIntegerField(default=0)
    succeeded_total = models.PositiveBigIntegerField(default=0)
    failed_total = models.PositiveBigIntegerField(default=0)
    retried_total = models.PositiveBigIntegerField(default=0)
    runtime_total_ms = models.PositiveBigIntegerField(default=0)
    runtime_p50_ms = models.FloatField(null=True, blank=True)
    runtime_p95_ms = models.FloatField(null=True, blank=True)
    runtime_p99_ms = models.FloatField(null=True, blank=True)
    oldest_waiting_at = models.DateTimeField(null=True, blank=True)
    last_processed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        permissions = [("pause_queue", _("Can pause and resume queues"))]

    def __str__(self) -> str:
        return self.name

    @property
    def average_runtime_ms(self) -> float | None:
        finished = self.succeeded_total + self.failed_total
        return None if not finished else self.runtime_total_ms / finished

    @property
    def success_rate(self) -> float | None:
        finished = self.succeeded_total + self.failed_total
        return None if not finished else self.succeeded_total / finished


class QueueStatsHistory(models.Model):
    """One minute of one queue: what charts and rates read."""

    queue = models.CharField(max_length=100)
    minute = models.DateTimeField()
    processed = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    retried = models.PositiveIntegerField(default=0)
    runtime_total_ms = models.PositiveBigIntegerField(default=0)
    waiting = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["queue", "minute"]
        constraints = [models.UniqueConstraint(fields=["queue", "minute"], name="queuestats_history_minute")]
        indexes = [models.Index(fields=["minute"], name="queuestats_history_time")]

    def __str__(self) -> str:
        return f"{self.queue} @ {self.minute:%Y-%m-%d %H:%M}"


def paused_queue_names() -> set[str]:
    """The queues the database says are paused: the truth, whatever Redis remembers."""
    return set(QueueStats.objects.filter(paused=True).values_list("name", flat=True))
