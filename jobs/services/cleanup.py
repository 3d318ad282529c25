"""Deleting old finished jobs, so the Job and JobLog tables don't grow forever.

Succeeded jobs are kept ``JOBS['SUCCEEDED_RETENTION_DAYS']`` days (7) after they
finished, or their task's ``result_retention``; failed ones
``JOBS['FAILED_RETENTION_DAYS']`` (30) — long enough to read and retry them.
Cancelled jobs count as failed here. Rows go in batches of primary keys, one short
transaction each, so no lock is held for long and workers keep writing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from jobs import conf
from jobs.core.registry import all_tasks
from jobs.core.states import JobStatus
from jobs.models import Job, JobLog

logger = logging.getLogger("jobs.cleanup")

BATCH = 1000


def delete_old_jobs(now: datetime | None = None, batch_size: int = BATCH) -> dict[str, int]:
    """Delete finished jobs past their retention, with their logs; returns counts."""
    now = now or timezone.now()
    counts = {
        "succeeded": _delete_succeeded(now, batch_size),
        "failed": _delete(
            Job.objects.filter(status__in=(JobStatus.FAILED, JobStatus.CANCELLED)),
            now - timedelta(days=conf.get().FAILED_RETENTION_DAYS),
            batch_size,
        ),
    }
    logger.info("cleanup deleted %s", counts)
    return counts


def _delete_succeeded(now: datetime, batch_size: int) -> int:
    """Each task's own ``result_retention`` first, then the default for every other task."""
    own = {t.name: t.result_retention for t in all_tasks() if t.result_retention is not None}
    succeeded = Job.objects.filter(status=JobStatus.SUCCEEDED)
    deleted = sum(_delete(succeeded.filter(task=name), now - kept, batch_size) for name, kept in own.items())
    default = now - timedelta(days=conf.get().SUCCEEDED_RETENTION_DAYS)
    return deleted + _delete(succeeded.exclude(task__in=own), default, batch_size)


def _delete(jobs, finished_before: datetime, batch_size: int) -> int:
    old = jobs.filter(finished_at__lt=finished_before).order_by("finished_at")
    deleted = 0
    while True:
        pks = list(old.values_list("pk", flat=True)[:batch_size])
        if not pks:
            return deleted
        with transaction.atomic():
            JobLog.objects.filter(job_id__in=pks).delete()
            deleted += Job.objects.filter(pk__in=pks).delete()[1].get(Job._meta.label, 0)
