"""What an RQ worker actually runs for a Job.

Every RQ job Jobdesk creates calls :func:`run_job` with the Job's id. An attempt is
three steps: :func:`claim` the row (a compare-and-set, so a cancelled job or a second
copy never runs), :func:`perform` the registered task with its context, and
:func:`record` the outcome: two database statements per successful job and one Redis
pipeline for the counters.

Under Jobdesk's forking worker the worker process claims and records, and the
work-horse only performs (decision 17): a fresh process pays for every page it touches
and for its own database connection, which cost more than a small job. Under any other
worker class ``run_job`` does all three.

A failed attempt re-raises after it is recorded, so RQ too sees the execution as failed
and keeps the job's dependants waiting.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connections
from django.utils import timezone
from rq import get_current_job
from rq.timeouts import JobTimeoutException

from jobs.core.registry import get_task
from jobs.engine import broker, lifecycle
from jobs.engine.flow import gate as flow_gate
from jobs.engine.log_capture import capture_logs
from jobs.exceptions import PermanentFailure, ResultNotSerialisable, UnknownTask
from jobs.models import Job

logger = logging.getLogger("jobs.execution")

LOG_FLUSH_EVERY = 50


@dataclass
class JobContext:
    """Handed to tasks registered with ``takes_context=True`` as their first argument."""

    job_id: str
    task: str
    queue: str
    attempt: int
    max_attempts: int
    worker: str
    execution_id: str = ""
    _logs: list[tuple[datetime, int, str]] = field(default_factory=list, repr=False)

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts

    def progress(self, percent: float, message: str = "") -> None:
        """Report progress (0–100); it shows live on the job's page."""
        self.flush_logs()
        lifecycle.report_progress(
            self.job_id, percent, message, attempt=self.attempt, execution_id=self.execution_id or None
        )

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


in_task: set[int] = set()
"""Threads running a task's own code right now: where a non-forking worker may raise a
timeout or a stop (:mod:`jobs.engine.fastlane.slots`), never in Jobdesk's bookkeeping."""


def _run_task(task, context: JobContext, job: Job) -> Any:
    thread = threading.get_ident()
    in_task.add(thread)
    try:
        result = task.run(context, job.args, job.kwargs)
        if inspect.isawaitable(result):
            result = coroutine_runner(result, job.timeout)
        return result
    finally:
        in_task.discard(thread)


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


@dataclass
class Outcome:
    """How one attempt ended: what a work-horse reports to the worker that records it.

    ``execution_id`` names the execution that ran it, so only that execution's attempt
    can be settled by it (see :func:`record`).
    """

    ok: bool
    runtime: float
    execution_id: str = ""
    result: Any = None
    reason: str = ""
    traceback: str = ""
    permanent: bool = False
    exception: BaseException | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "runtime": self.runtime,
            "execution_id": self.execution_id,
            "result": self.result,
            "reason": self.reason,
            "traceback": self.traceback,
            "permanent": self.permanent,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


_claimed: dict[str, Job | None] = {}
"""Rows the worker process claimed before forking, by RQ job id (see :func:`hand_down`)."""


def hand_down(job_id: str, job: Job | None) -> None:
    """Worker side, before the fork: the row is claimed (or refused), the horse only runs it.

    The work-horse inherits this in memory, runs the task without touching the database
    and reports its :class:`Outcome` through Redis; the worker process, whose database
    connection lives as long as it does, records it (:func:`record`).
    """
    _claimed[job_id] = job


def take_back(job_id: str) -> None:
    _claimed.pop(job_id, None)


running: dict[str, Job] = {}
"""Attempts this process claimed and hasn't recorded yet, by RQ job id: what a non-forking
worker renews the lease of, and gives back or records as lost when it must stop one."""

CoroutineRunner = Callable[[Awaitable[Any], int | None], Any]


def _run_coroutine(awaitable: Awaitable[Any], timeout: int | None) -> Any:
    """An ``async def`` task in a process of its own (a work-horse): its own event loop.

    RQ's alarm-based timeout interrupts it like any other task.
    """

    async def main() -> Any:
        return await awaitable

    return asyncio.run(main())


coroutine_runner: CoroutineRunner = _run_coroutine
"""How an ``async def`` task's coroutine is run; the non-forking worker shares one loop
between its slots (:mod:`jobs.engine.fastlane.aio`)."""


def run_job(job_id: str) -> Any:
    """Run one attempt of a Job (the function every Jobdesk RQ job names).

    In a work-horse of :class:`jobs.engine.worker.Worker` the worker has claimed the row and
    records the outcome; under any other worker class this process does both.
    """
    if job_id in _claimed:
        job = _claimed.pop(job_id)
        if job is None:  # the worker's claim was refused, and logged
            return None
        outcome = perform(job)
        broker.put_outcome(job_id, outcome.as_dict())
        return _result_or_raise(outcome)
    if job_id in _handed_over:
        job = _handed_over.pop(job_id)
        if job is None:
            return None
        try:
            return _perform_and_record(job)
        finally:
            running.pop(job_id, None)  # recorded: no lease of this process's any more
    job = claim(job_id, _worker_name())
    if job is None:
        return None
    running[job_id] = job
    try:
        return _perform_and_record(job)
    finally:
        running.pop(job_id, None)


_handed_over: dict[str, Job | None] = {}
"""Rows a non-forking worker's slot claimed before RQ started the job, by RQ job id."""


def hand_over(job_id: str, job: Job | None) -> None:
    """Slot side, before RQ's bookkeeping: the row is claimed (or refused) in this process.

    As in the forking class, the claim comes before RQ takes the id out of its
    intermediate list, so a worker killed in between leaves either a queued row whose id
    is still listed (:mod:`jobs.engine.abandoned` puts it back) or a started attempt
    whose lease runs out (the housekeeper retries it). The slot then records in-process.
    """
    _handed_over[job_id] = job


def _perform_and_record(job: Job) -> Any:
    outcome = perform(job)
    record(job, outcome)
    return _result_or_raise(outcome)


def claim(job_id: str, worker_name: str) -> Job | None:
    """Start an attempt; None (and a log line) if the job isn't startable or a limit held it."""
    job = flow_gate.claim(job_id, worker_name, lifecycle.start_attempt)  # flow control (issue 15)
    if job is flow_gate.HELD:  # it waits, and ``event=held`` said why
        return None
    if job is None:
        logger.info("job_id=%s skipped: not startable (cancelled, or already run)", job_id)
        return None
    logger.info(
        "job_id=%s task=%s queue=%s attempt=%s event=started", job.pk, job.task, job.queue, job.attempts
    )
    return job


def perform(job: Job) -> Outcome:
    """Run the task of a claimed job and say how it went; writes only what the task logs."""
    began = time.monotonic()
    context = JobContext(
        job_id=str(job.pk),
        task=job.task,
        queue=job.queue,
        attempt=job.attempts,
        max_attempts=job.max_attempts,
        worker=job.worker_name,
        execution_id=str(job.execution_id or ""),
    )
    try:
        task = get_task(job.task)
        try:
            with capture_logs(context):
                result = _json_result(_run_task(task, context, job))
        finally:
            _roll_back_what_the_task_left_open()
        context.flush_logs()
    except Exception as exc:
        runtime = time.monotonic() - began
        context.flush_logs()
        return Outcome(
            ok=False,
            runtime=runtime,
            execution_id=context.execution_id,
            reason=describe_failure(exc, job.timeout),
            traceback=traceback.format_exc(),
            permanent=isinstance(exc, PermanentFailure | UnknownTask),
            exception=exc,
        )
    return Outcome(
        ok=True, runtime=time.monotonic() - began, execution_id=context.execution_id, result=result
    )


def record(job: Job, outcome: Outcome) -> None:
    """Write how an attempt ended: the row, the back-off, the counters, the log line.

    Only the execution that owns the attempt records it: the row's token must be the
    claim's (``job``) and the outcome must come from that claim's execution.
    """
    if outcome.execution_id and outcome.execution_id != str(job.execution_id):
        logger.warning(
            "job_id=%s event=stale_report outcome of execution %s dropped: token=%s",
            job.pk,
            outcome.execution_id,
            lifecycle.token(job),
        )
        return
    flow_gate.release(job, outcome)  # flow control (issue 15)
    if outcome.ok:
        if not lifecycle.record_success(job, outcome.result):
            return
        logger.info(
            "job_id=%s task=%s queue=%s attempt=%s duration=%.3f event=succeeded",
            job.pk,
            job.task,
            job.queue,
            job.attempts,
            outcome.runtime,
        )
        return
    status = lifecycle.record_failure(job, outcome.reason, outcome.traceback, permanent=outcome.permanent)
    logger.warning(
        "job_id=%s task=%s queue=%s attempt=%s duration=%.3f event=%s reason=%r",
        job.pk,
        job.task,
        job.queue,
        job.attempts,
        outcome.runtime,
        status or "discarded",
        outcome.reason,
    )


def _result_or_raise(outcome: Outcome) -> Any:
    """A failed attempt re-raises, so RQ too sees it failed and holds its dependants."""
    if outcome.exception is not None:
        raise outcome.exception
    return outcome.result
