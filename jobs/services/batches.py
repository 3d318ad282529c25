"""Batches: many jobs under one handle, with progress, callbacks and retry-failed.

``schedule_batch(requests, on_complete=step(...), on_success=step(...))`` creates the
jobs with the bulk path (one COPY or prepared INSERT, ``enqueue_many`` per queue),
each linked to the batch. A callback receives the batch's summary (id, name, total,
done, succeeded, failed) as its first argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from jobs import signals
from jobs.core import workflows as composition
from jobs.core.states import JobStatus
from jobs.engine import batches as engine
from jobs.engine import broker
from jobs.engine.creation import dispatch_job, insert_bulk
from jobs.engine.flow.unique import Key
from jobs.exceptions import InvalidArguments, InvalidTransition, InvalidWorkflow
from jobs.models import Batch, Job
from jobs.models.workflows import get_batch
from jobs.services.jobs import BulkResult, build_bulk_request, cancel_jobs, retry_jobs

S = JobStatus
MAX_BATCH = 100_000
"""Most jobs one batch may hold."""


def schedule_batch(
    requests: Iterable[Mapping[str, Any]],
    *,
    name: str = "",
    on_complete: Any = None,
    on_success: Any = None,
    user: Any = None,
    via: str = "code",
    now: datetime | None = None,
) -> Batch:
    """Create every job of the batch, or (on any bad request) none.

    Raises:
        InvalidWorkflow (no jobs, too many, a bad callback), UnknownTask (a callback or
        job task not registered), InvalidArguments, and the refusals of ``schedule_jobs``.
    """
    now = now or timezone.now()
    callbacks = {
        "on_complete": composition.check_callback(on_complete),
        "on_success": composition.check_callback(on_success),
    }
    jobs, keys = _build(requests, user, via, now)
    created_by = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        batch = Batch.objects.create(
            name=str(name)[:200],
            total=len(jobs),
            created_by=created_by,
            source=via,
            created_at=now,
            **callbacks,
        )
        for job in jobs:
            job.batch_id = batch.pk
        answers = insert_bulk(jobs, keys)
        created = [job for job, answer in zip(jobs, answers, strict=True) if answer is job]
        if len(created) < len(jobs):  # duplicates answered by jobs outside the batch
            batch.total = len(created)
            batch.save(update_fields=["total"])
        transaction.on_commit(lambda: _dispatch(created), robust=True)
        transaction.on_commit(lambda: [signals.send(signals.job_created, job=job) for job in created])
    return batch


def _build(
    requests: Iterable[Mapping[str, Any]], user: Any, via: str, now: datetime
) -> tuple[list[Job], list[list[Key]]]:
    if isinstance(requests, str | bytes | Mapping):
        raise InvalidArguments("A batch takes a list of job requests.")
    jobs: list[Job] = []
    keys: list[list[Key]] = []
    for position, request in enumerate(requests):
        if position >= MAX_BATCH:
            raise InvalidWorkflow(f"A batch holds at most {MAX_BATCH} jobs.")
        job, job_keys = build_bulk_request(position, request, user, via, now)
        if job.all_dependencies:
            raise InvalidArguments(f"Job {position}: a batch's jobs don't wait for others; use a workflow.")
        jobs.append(job)
        keys.append(job_keys)
    if not jobs:
        raise InvalidWorkflow("A batch needs at least one job.")
    return jobs, keys


def _dispatch(jobs: list[Job]) -> None:
    broker.enqueue_many(job for job in jobs if job.status == S.QUEUED)
    for job in jobs:
        if job.status != S.QUEUED:
            dispatch_job(job)


def batches() -> QuerySet[Batch]:
    return Batch.objects.all()


def batch_progress(batch_id: Any) -> dict[str, int]:
    """Raises: BatchNotFound."""
    return engine.progress(get_batch(batch_id))


def retry_batch(batch_id: Any, *, user: Any = None, via: str = "code") -> BulkResult:
    """Retry every failed or cancelled job of the batch.

    Raises: BatchNotFound, InvalidTransition (nothing failed).
    """
    batch = get_batch(batch_id)
    failed = list(batch.jobs.filter(status__in=[S.FAILED, S.CANCELLED]).values_list("pk", flat=True))
    if not failed:
        raise InvalidTransition(f"Batch {batch.pk} has no failed or cancelled job to retry.")
    return retry_jobs(failed, user=user, via=via)


def cancel_batch(batch_id: Any, *, user: Any = None, via: str = "code") -> BulkResult:
    """Cancel every unfinished job of the batch.

    Raises: BatchNotFound, InvalidTransition (nothing left to cancel).
    """
    batch = get_batch(batch_id)
    waiting = list(
        batch.jobs.exclude(status__in=[S.SUCCEEDED, S.FAILED, S.CANCELLED]).values_list("pk", flat=True)
    )
    if not waiting:
        raise InvalidTransition(f"Batch {batch.pk} has no unfinished job to cancel.")
    Batch.objects.filter(pk=batch.pk, cancelled_at__isnull=True).update(cancelled_at=timezone.now())
    return cancel_jobs(waiting, user=user, via=via)
