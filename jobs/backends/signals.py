"""django.tasks' signals, sent at the moments Jobdesk sends its own.

=================  ===========================  ==========================================
django.tasks       sent with Jobdesk's          ``task_result.status``
=================  ===========================  ==========================================
``task_enqueued``  ``job_created`` (on commit)  READY
``task_started``   ``job_started``              RUNNING (``attempts`` counts this one)
``task_finished``  ``job_succeeded``            SUCCESSFUL, ``return_value`` set
``task_finished``  ``job_failed``               FAILED, ``errors`` has every failed attempt
``task_finished``  ``job_cancelled``            FAILED
=================  ===========================  ==========================================

``sender`` is the backend's class and ``task_result`` the job's result, as django.tasks
documents. A failed attempt that will be retried sends nothing of django.tasks' (the
task hasn't finished; Jobdesk's ``job_retrying`` says so). Only jobs of django.tasks
tasks are announced; a receiver's error is logged and never fails the job.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import Signal
from django.utils import timezone

from jobs import signals as job_signals
from jobs.backends.compat import (
    TaskResult,
    TaskResultStatus,
    task_backends,
    task_enqueued,
    task_finished,
    task_started,
)
from jobs.backends.results import as_enqueued, build, enqueued_result, task_as_enqueued
from jobs.backends.runner import DjangoTaskRunner
from jobs.core import registry
from jobs.models import Job

logger = logging.getLogger("jobs.signals")


def _announce(signal: Signal, job: Job, **overrides: Any) -> None:
    registered = registry.registered(job.task)
    if registered is None or not isinstance(registered.func, DjangoTaskRunner):
        return
    backend = task_backends[registered.func.task.backend]
    task = task_as_enqueued(registered.func.task, job, backend.queues)
    if signal is task_enqueued:
        result = as_enqueued(task, job, backend.alias)
    else:
        result = build(task, job, backend.alias, **overrides)
    _send(signal, type(backend), result)


def _send(signal: Signal, sender: type, result: TaskResult) -> None:
    for receiver, response in signal.send_robust(sender=sender, task_result=result):
        if isinstance(response, Exception):
            logger.error(
                "receiver %r of a django.tasks signal failed: %r", receiver, response, exc_info=response
            )


def _created(sender: Any, job: Job, **_: Any) -> None:
    """The result ``enqueue()`` returns, when the job is its (see ``results.as_enqueued``)."""
    result = enqueued_result(job)
    if result is None:
        _announce(task_enqueued, job)
    else:
        _send(task_enqueued, type(task_backends[result.backend]), result)


def _started(sender: Any, job: Job, **_: Any) -> None:
    _announce(task_started, job, status=TaskResultStatus.RUNNING)


def _succeeded(sender: Any, job: Job, result: Any = None, **_: Any) -> None:
    _announce(
        task_finished,
        job,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at=timezone.now(),
        return_value=result,
    )


def _failed(sender: Any, job: Job, **_: Any) -> None:
    job.refresh_from_db(fields=["status", "finished_at", "error", "traceback"])
    _announce(task_finished, job, status=TaskResultStatus.FAILED)


def connect() -> None:
    """Listen to Jobdesk's job events (called from the app's ``ready()``, after the history's)."""
    job_signals.job_created.connect(_created, dispatch_uid="jobs.backends.created")
    job_signals.job_started.connect(_started, dispatch_uid="jobs.backends.started")
    job_signals.job_succeeded.connect(_succeeded, dispatch_uid="jobs.backends.succeeded")
    job_signals.job_failed.connect(_failed, dispatch_uid="jobs.backends.failed")
    job_signals.job_cancelled.connect(_failed, dispatch_uid="jobs.backends.cancelled")
