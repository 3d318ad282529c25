"""Scheduling, retrying and cancelling jobs."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from .. import dispatch, signals
from ..bulk_insert import insert_new
from ..exceptions import InvalidArguments, InvalidSchedule, InvalidTransition, JobNotFound, JobsError
from ..models import Job, JobLog
from ..registry import Task
from ..states import CANCELLABLE, RETRYABLE, JobStatus
from . import validation
from .dependencies import fail_dependants, pending_dependencies
from .journal import describe_actor, log_event

logger = logging.getLogger("jobs.services")

S = JobStatus


@dataclass
class BulkResult:
    """What a bulk action did: the jobs it changed and, per refused id, why."""

    done: list[Job] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def get_job(job_id: Any) -> Job:
    """Raises: JobNotFound for ids that are not UUIDs or not in the database."""
    try:
        pk = job_id if isinstance(job_id, uuid.UUID) else uuid.UUID(str(job_id))
        return Job.objects.get(pk=pk)
    except (ValueError, Job.DoesNotExist):
        raise JobNotFound(f"No job with id {str(job_id)[:64]!r}.") from None


def build_job(
    task: str | Task,
    *,
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    queue: str | None = None,
    priority: str | None = None,
    run_at: datetime | None = None,
    delay: float | timedelta | None = None,
    max_attempts: int | None = None,
    timeout: int | None = None,
    user: Any = None,
    depends_on: Iterable[Any] = (),
    tags: Sequence[str] | None = None,
    correlation_id: str = "",
    source: str = "code",
    parent: Job | None = None,
    recurring_job: Any = None,
    now: datetime | None = None,
) -> tuple[Job, list[Job]]:
    """Validate a request and return the unsaved Job with the dependencies still pending."""
    now = now or timezone.now()
    registered = validation.resolve_task(task)
    args, kwargs = validation.check_arguments(registered, args, kwargs)
    priority = validation.resolve_priority(priority, registered)
    due = validation.resolve_run_at(run_at, delay, now)
    tags, correlation_id = validation.check_labels(tags, correlation_id)
    depends_on = validation.check_depends_on(depends_on)
    waiting_for = pending_dependencies([get_job(dep) for dep in depends_on])
    if due and waiting_for:
        raise InvalidSchedule(
            "A job can wait for a time or for other jobs, not both.",
            fields={"depends_on": "conflicts with run_at"},
        )
    status = S.SCHEDULED if due else S.DEFERRED if waiting_for else S.QUEUED
    created_by = user if getattr(user, "is_authenticated", False) else None
    job = Job.new(
        task=registered.name,
        args=args,
        kwargs=kwargs,
        queue=validation.resolve_queue(queue, registered, priority),
        priority=priority,
        status=status,
        max_attempts=validation.resolve_max_attempts(max_attempts, registered),
        timeout=validation.resolve_timeout(timeout, registered),
        run_at=due,
        created_at=now,
        enqueued_at=now if status == S.QUEUED else None,
        tags=tags,
        correlation_id=correlation_id,
        source=source,
        parent_id=parent.pk if parent is not None else None,
        created_by_id=created_by.pk if created_by is not None else None,
        recurring_job_id=recurring_job.pk if recurring_job is not None else None,
    )
    # Keep the objects behind the ids, so reading them back costs no query.
    for name, obj in (("parent", parent), ("created_by", created_by), ("recurring_job", recurring_job)):
        if obj is not None:
            setattr(job, name, obj)
    job.pending_dependencies = waiting_for
    job.all_dependencies = tuple(depends_on)
    return job, waiting_for


def dispatch_job(job: Job) -> None:
    """Send a saved Job's execution copy to Redis according to its status."""
    if job.status == S.SCHEDULED:
        dispatch.schedule(job, job.run_at)
    elif job.status == S.DEFERRED:
        dispatch.enqueue(job, depends_on=[str(dep.pk) for dep in getattr(job, "pending_dependencies", [])])
    else:
        dispatch.enqueue(job)


def schedule_job(task: str | Task, *, user: Any = None, via: str = "code", **options: Any) -> Job:
    """Create a Job and send it to RQ once the surrounding transaction commits.

    Inside a transaction that rolls back, nothing is ever sent. If Redis is unreachable
    at commit, the row stays and the reconcile step enqueues it later (an outbox).

    Raises:
        UnknownTask, InvalidArguments, PayloadTooLarge, UnknownQueue, InvalidSchedule,
        JobNotFound (an unknown dependency), DependencyFailed.
    """
    job, _waiting_for = build_job(task, user=user, source=options.pop("source", via), **options)
    with transaction.atomic():
        job.save(force_insert=True)
        if job.all_dependencies:
            job.depends_on.set([get_job(dep).pk for dep in job.all_dependencies])
        if job.created_by is not None or via != "code":
            log_event(
                job, JobLog.Event.CREATED, f"Scheduled by {describe_actor(user, via)}.", user=user, via=via
            )
        transaction.on_commit(lambda: dispatch_job(job), robust=True)
        transaction.on_commit(lambda: signals.send(signals.job_created, job=job))
    return job


def schedule_jobs(
    requests: Iterable[Mapping[str, Any]], *, user: Any = None, via: str = "code", now: datetime | None = None
) -> list[Job]:
    """Schedule many jobs at once: all of them, or (on any bad request) none.

    Each request is a mapping of :func:`schedule_job`'s arguments, ``task`` included.
    Rows go in with one COPY or prepared INSERT (:mod:`jobs.bulk_insert`) and queued
    jobs reach Redis with RQ's ``enqueue_many``, one pipeline per queue.

    Raises:
        JobsError: for the first bad request, its position in the message.
    """
    now = now or timezone.now()
    jobs: list[Job] = []
    for position, request in enumerate(_requests(requests)):
        if not isinstance(request, Mapping):
            raise InvalidArguments(f"Job {position}: each request must be a mapping of options.")
        options = dict(request)
        try:
            job, _ = build_job(options.pop("task", None), user=user, source=via, now=now, **options)
        except JobsError as exc:
            exc.message = f"Job {position}: {exc.message}"
            exc.args = (exc.message,)
            raise
        except TypeError as exc:
            raise InvalidArguments(f"Job {position}: {exc}") from exc
        jobs.append(job)
    with transaction.atomic():
        insert_new(jobs)
        links = [
            Job.depends_on.through(from_job_id=job.pk, to_job_id=get_job(dep).pk)
            for job in jobs
            for dep in job.all_dependencies
        ]
        Job.depends_on.through.objects.bulk_create(links)
        transaction.on_commit(lambda: _dispatch_bulk(jobs), robust=True)
        transaction.on_commit(lambda: [signals.send(signals.job_created, job=job) for job in jobs])
    return jobs


def _requests(requests: Any) -> list[Any]:
    if isinstance(requests, str | bytes | Mapping):
        raise InvalidArguments("schedule_jobs takes a list of requests.")
    try:
        return list(requests)
    except TypeError as exc:
        raise InvalidArguments("schedule_jobs takes a list of requests.") from exc


def _dispatch_bulk(jobs: list[Job]) -> None:
    dispatch.enqueue_many(job for job in jobs if job.status == S.QUEUED)
    for job in jobs:
        if job.status != S.QUEUED:
            dispatch_job(job)


def retry_job(job_id: Any, *, user: Any = None, via: str = "code", now: datetime | None = None) -> Job:
    """Send a failed or cancelled job back to its queue for one more attempt.

    ``max_attempts`` grows when needed so the new attempt is allowed; a job whose
    dependencies are still pending waits for them again.

    Raises:
        JobNotFound, InvalidTransition (not failed or cancelled), DependencyFailed.
    """
    now = now or timezone.now()
    job = get_job(job_id)
    if job.status not in RETRYABLE:
        raise _refusal(job, "retried", "only failed or cancelled jobs can be retried")
    waiting_for = pending_dependencies(list(job.depends_on.all()))
    target = S.DEFERRED if waiting_for else S.QUEUED
    with transaction.atomic():
        changed = Job.objects.filter(pk=job.pk, status__in=RETRYABLE).update(
            status=target,
            max_attempts=Greatest(F("max_attempts"), F("attempts") + 1),
            run_at=None,
            enqueued_at=now,
            finished_at=None,
            result=None,
            progress=0,
            progress_message="",
        )
        if not changed:
            raise _refusal(get_job(job.pk), "retried", "only failed or cancelled jobs can be retried")
        job.refresh_from_db()
        job.pending_dependencies = waiting_for
        log_event(job, JobLog.Event.MANUAL, f"Retried by {describe_actor(user, via)}.", user=user, via=via)

        def send() -> None:
            dispatch.forget_failure([str(job.pk)])
            dispatch_job(job)

        transaction.on_commit(send, robust=True)
    return job


def cancel_job(job_id: Any, *, user: Any = None, via: str = "code", now: datetime | None = None) -> Job:
    """Cancel a job: a waiting one never starts, a running one is stopped.

    The row changes first (so the execution wrapper refuses to start it even if RQ
    still hands it out); the RQ copy is removed, or the running attempt is killed with
    RQ's stop-job command, after commit. Jobs that depend on it fail with the reason.

    Raises:
        JobNotFound, InvalidTransition (already finished).
    """
    now = now or timezone.now()
    job = get_job(job_id)
    if job.status not in CANCELLABLE:
        raise _refusal(job, "cancelled", "it has already finished")
    was = job.status
    with transaction.atomic():
        changed = Job.objects.filter(pk=job.pk, status=was).update(status=S.CANCELLED, finished_at=now)
        if not changed:
            return cancel_job(job.pk, user=user, via=via, now=now)
        job.refresh_from_db()
        stopping = " The running attempt is being stopped." if was == S.STARTED else ""
        log_event(
            job,
            JobLog.Event.CANCELLED,
            f"Cancelled by {describe_actor(user, via)}.{stopping}",
            user=user,
            via=via,
        )
        fail_dependants(job, "was cancelled", now=now)
        transaction.on_commit(lambda: signals.send(signals.job_cancelled, job=job, user=user, was=was))
        job_key = str(job.pk)
        if was == S.STARTED:
            transaction.on_commit(lambda: dispatch.stop(job_key), robust=True)
        else:
            transaction.on_commit(lambda: dispatch.remove(job_key), robust=True)
    return job


def rerun_job(job_id: Any, *, user: Any = None, via: str = "code") -> Job:
    """Schedule a fresh copy of any job (same task, arguments and queue), now."""
    original = get_job(job_id)
    return schedule_job(
        original.task,
        args=original.args,
        kwargs=original.kwargs,
        queue=original.queue,
        priority=original.priority,
        max_attempts=original.max_attempts,
        timeout=original.timeout,
        tags=original.tags,
        correlation_id=original.correlation_id,
        parent=original,
        user=user,
        via=via,
    )


def retry_jobs(job_ids: Iterable[Any], *, user: Any = None, via: str = "code") -> BulkResult:
    """Retry each job that can be; report the others with the reason."""
    return _each(retry_job, job_ids, user=user, via=via)


def cancel_jobs(job_ids: Iterable[Any], *, user: Any = None, via: str = "code") -> BulkResult:
    """Cancel each job that can be; report the others with the reason."""
    return _each(cancel_job, job_ids, user=user, via=via)


def delete_job(job_id: Any, *, user: Any = None, via: str = "code") -> Job:
    """Delete a job and its timeline; a waiting job's RQ copy goes too.

    A running job is refused: cancel it first, so its attempt is stopped rather than
    left running without a row to report to.

    Raises:
        JobNotFound, InvalidTransition (running).
    """
    job = get_job(job_id)
    with transaction.atomic():
        deleted, _ = Job.objects.filter(pk=job.pk).exclude(status=S.STARTED).delete()
        if not deleted:
            raise _refusal(get_job(job.pk), "deleted", "cancel it first")
        job_key = str(job.pk)
        transaction.on_commit(lambda: dispatch.remove(job_key), robust=True)
    logger.info("job_id=%s event=deleted by=%s", job.pk, describe_actor(user, via))
    return job


def delete_jobs(job_ids: Iterable[Any], *, user: Any = None, via: str = "code") -> BulkResult:
    """Delete each job that can be; report the others with the reason."""
    return _each(delete_job, job_ids, user=user, via=via)


def _each(action, job_ids: Iterable[Any], **options: Any) -> BulkResult:
    result = BulkResult()
    for job_id in job_ids:
        try:
            result.done.append(action(job_id, **options))
        except JobsError as exc:
            result.refused[str(job_id)] = exc.message
    return result


def _refusal(job: Job, verb: str, reason: str) -> InvalidTransition:
    return InvalidTransition(f"Job {job.pk} is {job.status} and can't be {verb}: {reason}.")
