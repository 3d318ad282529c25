"""Scheduling, retrying and cancelling jobs."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from jobs import signals
from jobs.core.registry import Task
from jobs.core.states import CANCELLABLE, RETRYABLE, JobStatus
from jobs.engine import broker
from jobs.engine.creation import build_keyed, create_job, dispatch_job, insert_bulk
from jobs.engine.dependants import fail_dependants, pending_dependencies
from jobs.engine.flow.unique import Key
from jobs.exceptions import InvalidArguments, InvalidTransition, JobsError
from jobs.models import Job, JobLog
from jobs.models.jobs import get_job
from jobs.models.journal import describe_actor, log_event
from jobs.monitoring import counters

logger = logging.getLogger("jobs.services")

S = JobStatus


@dataclass
class BulkResult:
    """What a bulk action did: the jobs it changed and, per refused id, why."""

    done: list[Job] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


REQUEST_NAMES = {"delay_seconds": "delay"}
"""Interface field names that differ from the service's: REST and GraphQL say the unit."""


def options_from_request(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A REST body's or GraphQL input's fields as :func:`schedule_job` options."""
    return {REQUEST_NAMES.get(name, name): value for name, value in fields.items()}


def schedule_job(task: str | Task, *, user: Any = None, via: str = "code", **options: Any) -> Job:
    """Create a Job and send it to RQ once the surrounding transaction commits.

    Inside a transaction that rolls back, nothing is ever sent. If Redis is unreachable
    at commit, the row stays and the reconcile step enqueues it later (an outbox).
    ``options`` are those of :func:`jobs.engine.creation.build_job`.

    Raises:
        UnknownTask, InvalidArguments, PayloadTooLarge, UnknownQueue, InvalidSchedule,
        UnknownDependency (an unknown id in depends_on), DependencyFailed.
    """
    return create_job(task, user=user, via=via, **options)


def schedule_jobs(
    requests: Iterable[Mapping[str, Any]], *, user: Any = None, via: str = "code", now: datetime | None = None
) -> list[Job]:
    """Schedule many jobs at once: all of them, or (on any bad request) none.

    Each request is a mapping of :func:`schedule_job`'s arguments, ``task`` included.
    Rows go in with one COPY or prepared INSERT (:mod:`jobs.engine.bulk_insert`) and queued
    jobs reach Redis with RQ's ``enqueue_many``, one pipeline per queue. Uniqueness and
    idempotency keys (``idempotency_key`` in a request) hold as in :func:`schedule_job`:
    a duplicate, of an existing job or of an earlier request of the call, is answered by
    that job at its position, and no second job is made.

    Raises:
        JobsError: for the first bad request, its position in the message; Conflict for
            an idempotency key reused for a different request.
    """
    now = now or timezone.now()
    jobs: list[Job] = []
    keys: list[list[Key]] = []
    for position, request in enumerate(_requests(requests)):
        job, job_keys = build_bulk_request(position, request, user, via, now)
        jobs.append(job)
        keys.append(job_keys)
    with transaction.atomic():
        answers = insert_bulk(jobs, keys)
        created = [job for job, answer in zip(jobs, answers, strict=True) if answer is job]
        links = [
            Job.depends_on.through(from_job_id=job.pk, to_job_id=get_job(dep).pk)
            for job in created
            for dep in job.all_dependencies
        ]
        Job.depends_on.through.objects.bulk_create(links)
        transaction.on_commit(lambda: _dispatch_bulk(created), robust=True)
        transaction.on_commit(lambda: [signals.send(signals.job_created, job=job) for job in created])
    return answers


def build_bulk_request(
    position: int, request: Any, user: Any, via: str, now: datetime
) -> tuple[Job, list[Key]]:
    """One request of a bulk call, built, with its keys; refusals name its position.

    Raises:
        JobsError: the request's refusal, ``Job <position>: …``.
    """
    if not isinstance(request, Mapping):
        raise InvalidArguments(f"Job {position}: each request must be a mapping of options.")
    options = dict(request)
    try:
        return build_keyed(options.pop("task", None), user=user, source=via, now=now, **options)
    except JobsError as exc:
        exc.message = f"Job {position}: {exc.message}"
        exc.args = (exc.message,)
        raise
    except TypeError as exc:
        raise InvalidArguments(f"Job {position}: {exc}") from exc


def _requests(requests: Any) -> list[Any]:
    if isinstance(requests, str | bytes | Mapping):
        raise InvalidArguments("schedule_jobs takes a list of requests.")
    try:
        return list(requests)
    except TypeError as exc:
        raise InvalidArguments("schedule_jobs takes a list of requests.") from exc


def _dispatch_bulk(jobs: list[Job]) -> None:
    broker.enqueue_many(job for job in jobs if job.status == S.QUEUED)
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
    was = job.status
    waiting_for = pending_dependencies(list(job.depends_on.all()))
    target = S.DEFERRED if waiting_for else S.QUEUED
    with transaction.atomic():
        changed = Job.objects.filter(pk=job.pk, status=was).update(
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
            return retry_job(job.pk, user=user, via=via, now=now)
        counters.record_state_changes({(job.queue, was): -1})
        job.refresh_from_db()
        job.pending_dependencies = waiting_for
        log_event(job, JobLog.Event.MANUAL, f"Retried by {describe_actor(user, via)}.", user=user, via=via)

        def send() -> None:
            broker.forget_failure([str(job.pk)])
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
        counters.record_state_changes({(job.queue, S.CANCELLED): 1})
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
            transaction.on_commit(lambda: broker.stop(job_key), robust=True)
        else:
            transaction.on_commit(lambda: broker.remove(job_key), robust=True)
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
    if job.status == S.STARTED:
        raise _refusal(job, "deleted", "cancel it first")
    with transaction.atomic():
        deleted, _ = Job.objects.filter(pk=job.pk, status=job.status).delete()
        if not deleted:
            return delete_job(job.pk, user=user, via=via)
        counters.record_state_changes({(job.queue, job.status): -1})
        job_key = str(job.pk)
        transaction.on_commit(lambda: broker.remove(job_key), robust=True)
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
