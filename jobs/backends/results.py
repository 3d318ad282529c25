"""A ``TaskResult`` read from the Job row and its attempt history.

=====================  ===============================================================
TaskResult             from
=====================  ===============================================================
``id``                 the Job's id (the same in the admin, REST, GraphQL and RQ)
``status``             the Job's status, through :data:`jobs.backends.mapping.STATUS`
``enqueued_at``        when the Job was created (``enqueue()`` was called)
``started_at``         when its first attempt started
``last_attempted_at``  when its latest attempt started
``finished_at``        when it finished, once it has (succeeded, failed, cancelled)
``worker_ids``         the worker of every attempt, first to last (``attempts`` counts them)
``errors``             one per failed attempt: exception class path and traceback
``return_value``       the Job's stored result
=====================  ===============================================================
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import datetime
from typing import Any

from jobs import conf
from jobs.backends.compat import DEFAULT_TASK_QUEUE_NAME, Task, TaskError, TaskResult, TaskResultStatus
from jobs.backends.mapping import BAND_PRIORITY, band, result_status
from jobs.core.states import JobStatus
from jobs.models import Job
from jobs.models.attempts import Attempt, history
from jobs.services import get_job

_NO_FAILED_ATTEMPT_YET = frozenset({JobStatus.STARTED, JobStatus.SUCCEEDED})
_ENQUEUED = "_task_result_as_enqueued"
"""Where a new Job keeps the TaskResult built for it (see :func:`as_enqueued`)."""
_ENQUEUING: ContextVar[Task | None] = ContextVar("jobs_backends_enqueuing", default=None)


def _attempts(job: Job) -> list[Attempt]:
    """The history, without a query where none can have failed yet (the common case)."""
    if job.attempts == 0:
        return []
    if job.attempts == 1 and job.status in _NO_FAILED_ATTEMPT_YET:
        return history(job, rows=[])
    return history(job)


def task_as_enqueued(task: Task, job: Job, queues: set[str]) -> Task:
    """The task as the job was asked for; the registered one when nothing differs."""
    changes: dict[str, Any] = {}
    if band(task.priority) != job.priority:
        changes["priority"] = BAND_PRIORITY[job.priority]
    if task.queue_name == DEFAULT_TASK_QUEUE_NAME:
        if job.queue in queues and job.queue != _routed_queue(job.priority):
            changes["queue_name"] = job.queue
    elif job.queue != task.queue_name and job.queue in queues:
        changes["queue_name"] = job.queue
    if job.run_at and not job.attempts and task.run_after != job.run_at:
        changes["run_after"] = job.run_at
    return replace(task, **changes) if changes else task


def _routed_queue(priority: str) -> str:
    settings = conf.get()
    return settings.priority_queues.get(priority, settings.DEFAULT_QUEUE)


def build(
    task: Task,
    job: Job,
    alias: str,
    *,
    status: TaskResultStatus | None = None,
    finished_at: datetime | None = None,
    return_value: Any = None,
) -> TaskResult:
    """The TaskResult of ``job``; the keywords override what an in-memory row can't know yet."""
    attempts = _attempts(job)
    status = status or result_status(job.status)
    done = status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
    worker_ids = [attempt.worker for attempt in attempts]
    worker_ids += [job.worker_name] * (job.attempts - len(worker_ids))
    result = TaskResult(
        task=task,
        id=str(job.pk),
        status=status,
        enqueued_at=job.created_at,
        started_at=attempts[0].started_at if attempts else job.started_at,
        finished_at=(finished_at or job.finished_at) if done else None,
        last_attempted_at=job.started_at,
        args=job.args,
        kwargs=job.kwargs,
        backend=alias,
        errors=[
            TaskError(exception_class_path=a.exception_class_path, traceback=a.traceback)
            for a in attempts
            if a.outcome == JobStatus.FAILED
        ],
        worker_ids=worker_ids,
    )
    value = return_value if return_value is not None else job.result
    if status == TaskResultStatus.SUCCESSFUL:
        object.__setattr__(result, "_return_value", value)
    return result


@contextmanager
def enqueuing(task: Task) -> Iterator[None]:
    """While ``enqueue()`` runs ``schedule_job`` for ``task`` (its commit may announce the job)."""
    token = _ENQUEUING.set(task)
    try:
        yield
    finally:
        _ENQUEUING.reset(token)


def as_enqueued(task: Task, job: Job, alias: str) -> TaskResult:
    """The READY result of a Job just created for ``task``, built once per Job.

    ``enqueue()`` returns it and ``task_enqueued`` announces it, in whichever order the
    commit puts them (after ``enqueue()`` inside a transaction, during it in autocommit):
    one result, with the task as the caller asked for it.
    """
    kept = job.__dict__.get(_ENQUEUED)
    if kept is None or kept.task != task:
        kept = build(task, job, alias)
        job.__dict__[_ENQUEUED] = kept
    return kept


def enqueued_result(job: Job) -> TaskResult | None:
    """For ``task_enqueued``: the result of a Job ``enqueue()`` is creating or has created."""
    kept = job.__dict__.get(_ENQUEUED)
    if kept is not None:
        return kept
    task = _ENQUEUING.get()
    if task is None or task.module_path != job.task:
        return None
    return as_enqueued(task, job, task.backend)


def running_result(task: Task, job_id: str) -> TaskResult:
    """For a task that takes context: its result as the running attempt sees it."""
    job = get_job(job_id)
    backend = task.get_backend()
    return build(
        task_as_enqueued(task, job, backend.queues), job, backend.alias, status=TaskResultStatus.RUNNING
    )
