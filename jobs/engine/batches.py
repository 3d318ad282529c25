"""Batches: many independent jobs under one handle, and their callbacks, each once.

A member that ends calls :func:`member_finished`. When none of the batch's jobs is
unfinished, a compare-and-set on ``completed_at`` starts the ``on_complete`` callback,
and, if every job succeeded, one on ``succeeded_at`` starts ``on_success``: two members
ending at once, or the housekeeping sweep after a dead process, still start each
callback once. After a retry of the failed jobs the batch completes anew only for
``on_success``: ``on_complete`` fires the first time every job has run, as in Sidekiq.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from jobs import signals
from jobs.core.states import TERMINAL, JobStatus
from jobs.engine.creation import create_job
from jobs.exceptions import JobsError
from jobs.models import Batch, Job

logger = logging.getLogger("jobs.batches")
S = JobStatus


def progress(batch: Batch) -> dict[str, int]:
    """``total``, ``done`` (finished), ``succeeded``, ``failed`` (with cancelled) and ``waiting``."""
    counts = dict(Job.objects.filter(batch=batch).values_list("status").annotate(n=Count("id")).order_by())
    succeeded = counts.get(S.SUCCEEDED, 0)
    failed = counts.get(S.FAILED, 0) + counts.get(S.CANCELLED, 0)
    total = sum(counts.values())
    return {
        "total": total,
        "done": succeeded + failed,
        "succeeded": succeeded,
        "failed": failed,
        "waiting": total - succeeded - failed,
    }


def member_finished(batch_id: Any, now: datetime | None = None) -> None:
    """Start the batch's callbacks if this was its last unfinished job."""
    unfinished = Job.objects.filter(batch_id=batch_id).exclude(status__in=TERMINAL)
    if unfinished.exists():
        return
    now = now or timezone.now()
    batch = Batch.objects.get(pk=batch_id)
    with transaction.atomic():
        clean = not Job.objects.filter(batch_id=batch_id).exclude(status=S.SUCCEEDED).exists()
        if Batch.objects.filter(pk=batch_id, completed_at__isnull=True).update(completed_at=now):
            _callback(batch, "on_complete", "complete_job")
            if not clean:
                _announce(batch, succeeded=False)
        if clean and Batch.objects.filter(pk=batch_id, succeeded_at__isnull=True).update(succeeded_at=now):
            _callback(batch, "on_success", "success_job")
            _announce(batch, succeeded=True)


def _announce(batch: Batch, *, succeeded: bool) -> None:
    transaction.on_commit(lambda: signals.send(signals.batch_completed, batch=batch, succeeded=succeeded))


def _callback(batch: Batch, which: str, link: str) -> None:
    spec = getattr(batch, which)
    if not spec:
        return
    summary = {"batch": str(batch.pk), "name": batch.name, **progress(batch)}
    try:
        job = create_job(
            spec["task"], args=[summary, *spec.get("args", [])], kwargs=spec.get("kwargs", {}), source="batch"
        )
    except JobsError as exc:
        logger.warning("batch_id=%s %s could not start: %s", batch.pk, which, exc.message)
        return
    Batch.objects.filter(pk=batch.pk).update(**{link: job})


def complete_stragglers(now: datetime | None = None, redis: Any = None) -> None:
    """Housekeeping: complete batches whose last member ended while nothing heard."""
    for batch_id in Batch.objects.filter(completed_at__isnull=True).values_list("pk", flat=True)[:200]:
        member_finished(batch_id, now=now)
