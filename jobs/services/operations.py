"""What operators reach for on a busy day: run a scheduled job now, purge finished jobs
by filter, empty a queue.

Each acts through compare-and-set updates (a job that moved on meanwhile is left
alone), writes its timeline lines with who did it, and takes the Redis copies out
after commit. Bulk work goes in batches of :data:`BATCH`, one short transaction each.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from jobs.core.states import TERMINAL, JobStatus
from jobs.core.validation import check_queue
from jobs.engine import broker, emptying
from jobs.engine.dependants import fail_dependants
from jobs.exceptions import InvalidTransition
from jobs.models import Job, JobLog
from jobs.models.jobs import get_job
from jobs.models.journal import describe_actor, log_event
from jobs.monitoring import counters
from jobs.services.cleanup import delete_rows

logger = logging.getLogger("jobs.services")

S = JobStatus
BATCH = 1000


def run_job_now(job_id: Any, *, user: Any = None, via: str = "code") -> Job:
    """Send a scheduled job (first run or a retry's back-off) to its queue now.

    Raises:
        JobNotFound, InvalidTransition (not scheduled any more).
    """
    job = get_job(job_id)
    now = timezone.now()
    with transaction.atomic():
        changed = Job.objects.filter(pk=job.pk, status=S.SCHEDULED).update(
            status=S.QUEUED, run_at=None, enqueued_at=now
        )
        if not changed:
            job.refresh_from_db()
            raise InvalidTransition(f"Job {job.pk} is {job.status}: only a scheduled job can be run now.")
        job.refresh_from_db()
        log_event(job, JobLog.Event.MANUAL, f"Run now by {describe_actor(user, via)}.", user=user, via=via)

        def send() -> None:
            broker.remove(str(job.pk))
            broker.enqueue(job)

        transaction.on_commit(send, robust=True)
    return job


def purge_jobs(jobs: QuerySet[Job], *, limit: int, user: Any = None, via: str = "code") -> int:
    """Delete up to ``limit`` finished jobs (succeeded, failed, cancelled) of ``jobs``.

    ``jobs`` is any filter of the Job table (the list's filters); waiting and running
    jobs in it are never touched. Returns how many were deleted.
    """
    finished = jobs.filter(status__in=TERMINAL).order_by()
    deleted = 0
    while deleted < limit:
        with transaction.atomic():
            rows = delete_rows(finished, min(BATCH, limit - deleted))
            copies = [(pk, queue) for pk, queue, _ in rows]
            transaction.on_commit(lambda copies=copies: _drop(copies), robust=True)
        if not rows:
            break
        deleted += len(rows)
    logger.info("event=purged jobs=%s by=%s", deleted, describe_actor(user, via))
    return deleted


def empty_queue(name: str, *, user: Any = None, via: str = "code") -> int:
    """Cancel every job waiting in queue ``name``; running jobs go on. Returns how many.

    The rows stay (cancelled, with a timeline line saying who emptied the queue), so
    they can be found and retried; jobs that depended on them fail, as on any cancel.

    Raises:
        UnknownQueue.
    """
    check_queue(name)
    waiting = Job.objects.filter(queue=name, status=S.QUEUED)
    cancelled = 0
    message = f"Cancelled by {describe_actor(user, via)}: queue {name} emptied."
    while batch := list(waiting.only("id", "task", "queue", "attempts")[:BATCH]):
        with transaction.atomic():
            cancelled += _cancel_batch(batch, message, user=user, via=via)
    logger.info("queue=%s event=emptied jobs=%s by=%s", name, cancelled, describe_actor(user, via))
    return cancelled


def _cancel_batch(batch: list[Job], message: str, *, user: Any, via: str) -> int:
    now = timezone.now()
    pks = [job.pk for job in batch]
    Job.objects.filter(pk__in=pks, status=S.QUEUED).update(status=S.CANCELLED, finished_at=now)
    done = [job for job in Job.objects.filter(pk__in=pks, status=S.CANCELLED, finished_at=now)]
    counters.record_state_changes(Counter((job.queue, S.CANCELLED) for job in done))
    actor = user if getattr(user, "is_authenticated", False) else None
    JobLog.objects.bulk_create(
        JobLog(job=job, event=JobLog.Event.CANCELLED, message=message, attempt=job.attempts,
               user=actor, interface="" if via == "code" else via)
        for job in done
    )  # fmt: skip
    with_dependants = set(
        Job.depends_on.through.objects.filter(to_job__in=done).values_list("to_job_id", flat=True)
    )
    for job in done:
        if job.pk in with_dependants:
            fail_dependants(job, "was cancelled", now=now)
    transaction.on_commit(lambda: _drop([(job.pk, job.queue) for job in done]), robust=True)
    return len(done)


def _drop(rows: list[tuple[Any, str]]) -> None:
    by_queue: dict[str, list[str]] = defaultdict(list)
    for pk, queue in rows:
        by_queue[queue].append(str(pk))
    for queue, ids in by_queue.items():
        emptying.drop_copies(queue, ids)
