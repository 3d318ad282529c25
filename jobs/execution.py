"""What an RQ worker actually runs for a Job.

Every RQ job Jobdesk creates calls :func:`run_job` with the Job's id. It claims the
row (a compare-and-set, so a cancelled job or a second copy never runs), runs the
registered task with its context, and records the outcome: two writes to the database
per successful job (start and finish) plus one read, and one Redis pipeline for the
counters. It works the same under a forking worker and a non-forking one.

A failed attempt re-raises after it is recorded, so RQ too sees the execution as failed
and keeps the job's dependants waiting.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connections
from django.utils import timezone
from rq import get_current_job
from rq.timeouts import JobTimeoutException

from . import stats
from .exceptions import JobsError
from .registry import get_task
from .services import lifecycle

logger = logging.getLogger("jobs.execution")

LOG_FLUSH_EVERY = 50


class ResultNotSerialisable(JobsError):
    code = "result_not_serialisable"


@dataclass
class JobContext:
    """Handed to tasks registered with ``takes_context=True`` as their first argument."""

    job_id: str
    task: str
    queue: str
    attempt: int
    max_attempts: int
    worker: str
    _logs: list[tuple[datetime, int, str]] = field(default_factory=list, repr=False)

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts

    def progress(self, percent: float, message: str = "") -> None:
        """Report progress (0–100); it shows live on the job's page."""
        self.flush_logs()
        lifecycle.report_progress(self.job_id, percent, message, attempt=self.attempt)

    def log(self, level: int | str, message: str) -> None:
        """Add a line to the job's timeline."""
        if isinstance(level, str):
            level = logging.getLevelName(level.upper())
            level = level if isinstance(level, int) else logging.INFO
        self._logs.append((timezone.now(), level, str(message)))
        if len(self._logs) >= LOG_FLUSH_EVERY:
            self.flush_logs()

    def flush_logs(self) -> None:
        if self._logs:
            entries, self._logs = self._logs, []
            lifecycle.write_logs(self.job_id, entries, attempt=self.attempt)


class _TimelineHandler(logging.Handler):
    """Copies what the task logs through ``logging`` into its timeline."""

    IGNORED = ("rq.", "jobs.", "django.db")

    def __init__(self, context: JobContext) -> None:
        super().__init__(level=logging.INFO)
        self.context = context

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(self.IGNORED):
            return
        try:
            self.context.log(record.levelno, record.getMessage())
        except Exception:  # a task's log line must never fail the task
            self.handleError(record)


@contextmanager
def _capture_logs(context: JobContext) -> Iterator[None]:
    handler = _TimelineHandler(context)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _worker_name() -> str:
    rq_job = get_current_job()
    name = getattr(rq_job, "worker_name", None) if rq_job else None
    return name or f"{socket.gethostname()}.{os.getpid()}"


def _json_result(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ResultNotSerialisable(f"The task's result is not JSON-serialisable: {exc}") from exc


def _in_raw_transaction(wrapper) -> bool:
    raw = wrapper.connection
    if raw is None or wrapper.in_atomic_block:
        return False
    if hasattr(raw, "in_transaction"):  # sqlite3
        return bool(raw.in_transaction)
    info = getattr(raw, "info", None)  # psycopg
    return info is not None and info.transaction_status.name in {"INTRANS", "INERROR"}


def _roll_back_what_the_task_left_open() -> None:
    """A task that began a transaction by hand and never ended it loses that work.

    As if its process had exited; otherwise the job's own outcome would be written
    inside the task's transaction and never committed.
    """
    for wrapper in connections.all(initialized_only=True):
        if _in_raw_transaction(wrapper):
            logger.warning("a task left a transaction open on %r; rolled back", wrapper.alias)
            wrapper.connection.rollback()


def describe_failure(exc: BaseException, timeout: int | None) -> str:
    if isinstance(exc, JobTimeoutException):
        return f"Timed out after {timeout} s" if timeout else "Timed out"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run_job(job_id: str) -> Any:
    """Run one attempt of a Job (the function every Jobdesk RQ job names)."""
    job = lifecycle.start_attempt(job_id, _worker_name())
    if job is None:
        logger.info("job_id=%s skipped: not startable (cancelled, or already run)", job_id)
        return None
    began = time.monotonic()
    context = JobContext(
        job_id=str(job.pk),
        task=job.task,
        queue=job.queue,
        attempt=job.attempts,
        max_attempts=job.max_attempts,
        worker=job.worker_name,
    )
    logger.info(
        "job_id=%s task=%s queue=%s attempt=%s event=started", job.pk, job.task, job.queue, job.attempts
    )
    try:
        task = get_task(job.task)
        try:
            with _capture_logs(context):
                result = _json_result(task.run(context, job.args, job.kwargs))
        finally:
            _roll_back_what_the_task_left_open()
        context.flush_logs()
    except Exception as exc:
        runtime = time.monotonic() - began
        context.flush_logs()
        reason = describe_failure(exc, job.timeout)
        permanent = isinstance(exc, JobsError)
        status = lifecycle.record_failure(job, reason, traceback.format_exc(), permanent=permanent)
        stats.count(job.queue, "failed" if status == "failed" else "retried", runtime)
        logger.warning(
            "job_id=%s task=%s queue=%s attempt=%s duration=%.3f event=%s reason=%r",
            job.pk,
            job.task,
            job.queue,
            job.attempts,
            runtime,
            status or "discarded",
            reason,
        )
        raise
    runtime = time.monotonic() - began
    lifecycle.record_success(job, result)
    stats.count(job.queue, "succeeded", runtime)
    logger.info(
        "job_id=%s task=%s queue=%s attempt=%s duration=%.3f event=succeeded",
        job.pk,
        job.task,
        job.queue,
        job.attempts,
        runtime,
    )
    return result
