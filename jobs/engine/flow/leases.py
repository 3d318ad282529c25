"""A concurrency slot is only as alive as the attempt holding it.

Slots are not renewed in Redis: the attempt's lease in the database (``heartbeat_at``,
renewed by its worker every ``JOBS["JOB_MONITORING_INTERVAL"]`` seconds) is the slot's
lease too. When a scope is full, holders that are no longer ``started`` or whose lease
is older than ``JOBS["WORKER_LOST_AFTER"]`` are evicted, so a killed worker's slot frees
within the lost-worker window without a second heartbeat per job.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jobs import conf
from jobs.core.states import JobStatus
from jobs.engine.flow import slots
from jobs.models import Job

ADMIT_GRACE = 5.0
"""Seconds a freshly taken slot counts as alive before its attempt's row says so."""


def evict_dead(scope: str, now: float) -> int:
    """Free the slots of ``scope`` whose attempt is over or lost; returns how many."""
    candidates = slots.holders(scope, before=now - ADMIT_GRACE)
    if not candidates:
        return 0
    fresh = timezone.now() - timedelta(seconds=conf.get().WORKER_LOST_AFTER)
    alive = {
        str(pk)
        for pk in Job.objects.filter(
            pk__in=candidates, status=JobStatus.STARTED, heartbeat_at__gte=fresh
        ).values_list("pk", flat=True)
    }
    dead = [job_id for job_id in candidates if job_id not in alive]
    slots.evict(scope, dead)
    return len(dead)
