"""Graceful shutdown and recycling for the forking worker, so a deploy is a non-event.

RQ's warm shutdown (the first SIGTERM or SIGINT) stops taking jobs and waits for the
running one however long it takes; its cold shutdown (a second signal) kills the
work-horse and exits, leaving the job ``started`` until its lease runs out and it is
counted as a failed attempt. :class:`GracefulShutdown` changes both:

- After the first signal the running job gets ``JOBDESK_WORKER_SHUTDOWN_TIMEOUT``
  seconds (the pool's ``shutdown_timeout``; without it, as long as it takes, as in RQ).
  A job that finishes in time is recorded as usual.
- At the deadline (checked every ``JOBS['JOB_MONITORING_INTERVAL']`` seconds), or at
  once on a second signal, the work-horse is killed and the job goes back to
  ``queued`` with its attempt given back, and a line in its timeline says why. RQ's
  copy is put back in its queue, so another worker runs it; nothing is marked failed.

The put-back is a compare-and-set on the attempt's token, like every write of an
attempt (:mod:`jobs.engine.lifecycle`): the lost-attempt bookkeeping that follows a
killed work-horse then finds the attempt gone and records nothing.

Recycling: with ``JOBDESK_WORKER_MAX_MEMORY_MB`` set, a worker whose own resident
memory is over it after a job stops taking jobs and exits 0, for its supervisor to
replace (N-job recycling is rq's ``--max-jobs``). ``JOBDESK_WORKER_MAX_JOB_TIME`` caps
every job's timeout, and ``JOBDESK_WORKER_POOL`` labels the worker's log lines.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rq.job import Job as RQJob
from rq.queue import Queue
from rq.utils import now as rq_now

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.models import Job, JobLog
from jobs.models.journal import log_event

logger = logging.getLogger("jobs.worker")

PAGE_MB = os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def _env_number(name: str) -> float | None:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else None
    except ValueError:
        logger.error("%s=%r is not a number; ignored", name, value)
        return None


def resident_mb() -> float:
    """This process's resident memory now (``/proc``), or its peak where that isn't."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE_MB
    except (OSError, IndexError, ValueError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def put_back(job: Job, reason: str) -> bool:
    """Give a running attempt back: ``queued`` again, its attempt not counted.

    False when the attempt was no longer this execution's (finished, cancelled, lost).
    """
    owned = Job.objects.filter(
        pk=job.pk, status=JobStatus.STARTED, attempts=job.attempts, execution_id=job.execution_id
    )
    with transaction.atomic():
        if not owned.update(
            status=JobStatus.QUEUED,
            attempts=F("attempts") - 1,
            started_at=None,
            heartbeat_at=None,
            worker_name="",
            progress=0,
            progress_message="",
            enqueued_at=timezone.now(),
        ):
            return False
        log_event(job, JobLog.Event.RECOVERED, reason, level=logging.WARNING, attempt=job.attempts)
    return True


class GracefulShutdown:
    """Mixed into :class:`jobs.engine.worker.Worker` (see the module docstring)."""

    _shutdown_deadline: float | None = None
    _stopping_job: str = ""
    """Why the work-horse was killed, when it was killed for the shutdown."""
    _put_back_row: Job | None = None

    def request_stop(self, signum, frame) -> None:
        timeout = _env_number("JOBDESK_WORKER_SHUTDOWN_TIMEOUT")
        if timeout is not None:
            self._shutdown_deadline = time.monotonic() + timeout
            self._shutdown_timeout = timeout
        logger.info(
            "worker=%s pool=%s event=shutdown_requested shutdown_timeout=%s",
            self.name,
            os.environ.get("JOBDESK_WORKER_POOL", ""),
            "none" if timeout is None else f"{timeout:g}",
        )
        super().request_stop(signum, frame)

    def request_force_stop(self, signum, frame) -> None:
        """A second signal: stop now, with the running job put back in its queue."""
        if rq_now() - self._shutdown_requested_date < timedelta(seconds=1):
            return  # the same stop delivered twice (the group and the supervisor)
        if self.horse_pid:
            self._stop_horse("a second stop signal came")
            return
        raise SystemExit()

    def maintain_heartbeats(self, job: RQJob, execution) -> None:
        deadline = self._shutdown_deadline
        due = deadline is not None and time.monotonic() >= deadline
        if due and self.horse_pid and not self._stopping_job:
            self._stop_horse(f"it was still running {self._shutdown_timeout:g} s after the shutdown began")
        super().maintain_heartbeats(job, execution)

    def _stop_horse(self, why: str) -> None:
        self._stopping_job = why
        self._stop_requested = True
        logger.warning("worker=%s event=shutdown_stopping_job reason=%r", self.name, why)
        self.kill_horse()

    def handle_work_horse_killed(self, job: RQJob, retpid: int, ret_val: int, rusage) -> None:
        claimed = self._claimed
        if self._stopping_job and claimed is not None:
            reason = (
                f"Put back in queue {claimed.queue!r}: worker {self.name} shut down "
                f"and {self._stopping_job}. "
                f"Attempt {claimed.attempts} was stopped and does not count."
            )
            if put_back(claimed, reason):
                self._put_back_row = claimed
                self._claimed = None  # nothing for the lost-attempt bookkeeping to record
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)

    def execute_job(self, job: RQJob, queue: Queue) -> None:
        limit = _env_number("JOBDESK_WORKER_MAX_JOB_TIME")
        if limit is not None and (job.timeout is None or job.timeout < 0 or job.timeout > limit):
            job.timeout = int(limit)
        super().execute_job(job, queue)
        row, self._put_back_row, self._stopping_job = self._put_back_row, None, ""
        if row is not None:
            broker.forget_failure([str(row.pk)], self.connection)
            broker.enqueue(row)
            logger.info("worker=%s job_id=%s event=put_back queue=%s", self.name, row.pk, row.queue)
        self._recycle_if_over_memory()

    def _recycle_if_over_memory(self) -> None:
        limit = _env_number("JOBDESK_WORKER_MAX_MEMORY_MB")
        if limit is None or self._stop_requested:
            return
        used = resident_mb()
        if used > limit:
            logger.info(
                "worker=%s event=recycling reason='resident memory %.0f MB is over the %g MB limit'",
                self.name,
                used,
                limit,
            )
            self._stop_requested = True
