"""FleetWorker: one worker process a pool supervisor started, as the database remembers it.

RQ's registry knows a worker only while it heart-beats; these rows keep what an
operator asks about a fleet — which pool a process belongs to, whether its health
check passes, its memory, why it went — and are what the "fewer than N healthy
workers" alert and every fleet page read. The supervisor (``manage.py jobs_workers``)
writes them; a row whose supervisor is gone stops being refreshed (``seen_at``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FleetWorker(models.Model):
    class State(models.TextChoices):
        STARTING = "starting", _("Starting")
        """Spawned; its first heartbeat is not due yet."""
        RUNNING = "running", _("Running")
        STOPPING = "stopping", _("Stopping")
        """Asked to shut down gracefully (scale-down, resize, recycle, operator, unhealthy)."""
        GONE = "gone", _("Gone")

    name = models.CharField(max_length=200, unique=True)
    pool = models.CharField(max_length=100)
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.STARTING)
    healthy = models.BooleanField(default=True)
    failures = models.PositiveSmallIntegerField(default=0)
    """Health checks failed in a row."""
    busy = models.PositiveSmallIntegerField(default=0)
    memory_mb = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)
    """When its supervisor last wrote this row."""
    stopped_at = models.DateTimeField(null=True, blank=True)
    exit_status = models.IntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    """Why it was stopped or marked unhealthy, in a sentence."""

    class Meta:
        ordering = ["pool", "host", "name"]
        verbose_name = _("fleet worker")
        verbose_name_plural = _("fleet workers")
        indexes = [models.Index(fields=["state", "pool"], name="fleetworker_state_pool")]
        permissions = [("manage_fleet", _("Can resize worker pools and stop workers"))]

    def __str__(self) -> str:
        return self.name
