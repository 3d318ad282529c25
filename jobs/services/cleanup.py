"""Deleting old finished jobs, so the Job and JobLog tables don't grow forever.

Succeeded jobs are kept ``JOBS['SUCCEEDED_RETENTION_DAYS']`` days (7) after they
finished, or their task's ``result_retention``; failed ones
``JOBS['FAILED_RETENTION_DAYS']`` (30) — long enough to read and retry them.
Cancelled jobs count as failed here. Rows go in batches of primary keys, one short
transaction each, so no lock is held for long and workers keep writing.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from jobs import conf
from jobs.core.registry import all_tasks
from jobs.core.states import JobStatus
from jobs.models import Job, JobLog
from jobs.monitoring import counters

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


def _delete(jobs: QuerySet[Job], finished_before: datetime, batch_size: int) -> int:
    old = jobs.filter(finished_at__lt=finished_before).order_by("finished_at")
    deleted = 0
    while True:
        with transaction.atomic():
            rows = delete_rows(old, batch_size)
        if not rows:
            return deleted
        deleted += len(rows)


def delete_rows(jobs: QuerySet[Job], limit: int) -> list[tuple[Any, str, str]]:
    """Delete up to ``limit`` rows of ``jobs`` with their logs; returns (pk, queue, status) of each.

    The rows are locked before they go, so the statuses are the ones deleted and the
    per-queue state counts lose exactly those. Call inside a transaction.
    """
    rows = list(jobs.select_for_update(of=("self",)).values_list("pk", "queue", "status")[:limit])
    if rows:
        pks = [pk for pk, _, _ in rows]
        JobLog.objects.filter(job_id__in=pks).delete()
        Job.objects.filter(pk__in=pks).delete()
        gone = Counter((queue, status) for _, queue, status in rows)
        counters.record_state_changes({key: -n for key, n in gone.items()})
    return rows
