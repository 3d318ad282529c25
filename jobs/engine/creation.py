"""Making a Job from a request, and sending a saved one to RQ by its status.

Both the services (for people and code) and the scheduler (for recurring runs) create
jobs, so this lives below them both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from jobs import signals
from jobs.core import flow, validation
from jobs.core.registry import Task
from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.engine.bulk_insert import insert_new
from jobs.engine.dependants import pending_dependencies
from jobs.engine.flow import unique
from jobs.exceptions import InvalidSchedule, JobNotFound, UnknownDependency
from jobs.models import Job, JobLog
from jobs.models.jobs import get_job
from jobs.models.journal import describe_actor, log_event

S = JobStatus


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
    waiting_for = pending_dependencies([_dependency(dep) for dep in depends_on])
    status = _first_status(due, waiting_for)
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
    _keep_related(job, parent=parent, created_by=created_by, recurring_job=recurring_job)
    job.pending_dependencies = waiting_for
    job.all_dependencies = tuple(depends_on)
    return job, waiting_for


def build_keyed(
    task: str | Task, *, user: Any = None, idempotency_key: Any = None, **options: Any
) -> tuple[Job, list[unique.Key]]:
    """:func:`build_job` for a bulk call, with the uniqueness and idempotency keys the job
    would hold (see :func:`insert_bulk`).

    Raises:
        InvalidArguments: for a bad idempotency key; and :func:`build_job`'s refusals.
    """
    idempotency_key = flow.check_idempotency_key(idempotency_key)
    job, _ = build_job(task, user=user, **options)
    return job, unique.keys_for(job, idempotency_key, user)


def insert_bulk(jobs: list[Job], keys: list[list[unique.Key]]) -> list[Job]:
    """Insert many built jobs inside the caller's transaction; the answer at each position.

    A job without keys goes in with one COPY or prepared INSERT; a job with keys is
    answered by their holder when it has one (an existing job, or an earlier job of the
    same call), so a unique task's duplicates in bulk make no second job either.

    Raises:
        Conflict: an idempotency key reused for a different request.
    """
    insert_new([job for job, job_keys in zip(jobs, keys, strict=True) if not job_keys])
    keyed = [(job, job_keys) for job, job_keys in zip(jobs, keys, strict=True) if job_keys]
    if not keyed:
        return jobs
    answers = iter(unique.create_many_once([job for job, _ in keyed], [k for _, k in keyed], insert_new))
    return [next(answers) if job_keys else job for job, job_keys in zip(jobs, keys, strict=True)]


def _first_status(due: datetime | None, waiting_for: list[Job]) -> JobStatus:
    if due and waiting_for:
        raise InvalidSchedule(
            "A job can wait for a time or for other jobs, not both.",
            fields={"depends_on": "conflicts with run_at"},
        )
    return S.SCHEDULED if due else S.DEFERRED if waiting_for else S.QUEUED


def _keep_related(job: Job, **related: Any) -> None:
    """Keep the objects behind the ids, so reading them back costs no query."""
    for name, obj in related.items():
        if obj is not None:
            setattr(job, name, obj)


def dispatch_job(job: Job) -> None:
    """Send a saved Job's execution copy to Redis according to its status."""
    if job.status == S.SCHEDULED:
        broker.schedule(job, job.run_at)
    elif job.status == S.DEFERRED:
        broker.enqueue(job, depends_on=[str(dep.pk) for dep in getattr(job, "pending_dependencies", [])])
    else:
        broker.enqueue(job)


def create_job(task: str | Task, *, user: Any = None, via: str = "code", **options: Any) -> Job:
    """Save a new Job and send it to RQ once the surrounding transaction commits.

    Inside a transaction that rolls back, nothing is ever sent. If Redis is unreachable
    at commit, the row stays and the reconcile step enqueues it later (an outbox).

    Raises:
        UnknownTask, InvalidArguments, PayloadTooLarge, UnknownQueue, InvalidSchedule,
        JobNotFound (an unknown dependency), DependencyFailed; Conflict for an
        idempotency key reused for a different request.
    """
    idempotency_key = flow.check_idempotency_key(options.pop("idempotency_key", None))
    job, _waiting_for = build_job(task, user=user, source=options.pop("source", via), **options)

    def save() -> None:
        with transaction.atomic():
            job.save(force_insert=True)
            if job.all_dependencies:
                job.depends_on.set([get_job(dep).pk for dep in job.all_dependencies])
            if job.created_by is not None or via != "code":
                log_event(
                    job,
                    JobLog.Event.CREATED,
                    f"Scheduled by {describe_actor(user, via)}.",
                    user=user,
                    via=via,
                )
            transaction.on_commit(lambda: dispatch_job(job), robust=True)
            transaction.on_commit(lambda: signals.send(signals.job_created, job=job))

    # Flow control (issue 15): a unique task's duplicate, or a repeated idempotency key,
    # is answered with the job that holds the key (the database's unique index decides).
    keys = unique.keys_for(job, idempotency_key, user)
    if keys:
        return unique.create_once(job, keys, save)
    save()
    return job


def _dependency(job_id: Any) -> Job:
    """An unknown id in ``depends_on`` is bad input on that field (400), not a 404 for the request."""
    try:
        return get_job(job_id)
    except JobNotFound as exc:
        shown = str(job_id)[:100]
        raise UnknownDependency(
            f"depends_on names no job: {shown}.", fields={"depends_on": f"unknown job {shown}"}
        ) from exc
