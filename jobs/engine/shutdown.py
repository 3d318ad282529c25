"""Graceful shutdown for the forking worker, so a deploy is a non-event.

RQ's warm shutdown (the first SIGTERM or SIGINT) stops taking jobs and waits for the
running one however long it takes; its cold shutdown (a second signal) kills the
work-horse and exits, leaving the job ``started`` until its lease runs out and it is
counted as a failed attempt. :class:`GracefulShutdown` changes both:

- After the first signal the running job gets ``JOBS['WORKER_SHUTDOWN_TIMEOUT']``
  seconds (``JOBDESK_WORKER_SHUTDOWN_TIMEOUT``, the pool's ``shutdown_timeout``).
  A job that finishes in time is recorded as usual.
- At the deadline (checked every ``JOBS['JOB_MONITORING_INTERVAL']`` seconds), or at
  once on a second signal, the work-horse is killed and the job goes back to
  ``queued`` with its attempt given back, and a line in its timeline says why. RQ's
  copy is put back in its queue, so another worker runs it; nothing is marked failed.

The put-back is a compare-and-set on the attempt's token, like every write of an
attempt (:mod:`jobs.engine.lifecycle`): the lost-attempt bookkeeping that follows a
killed work-horse then finds the attempt gone and records nothing.

Recycling after N jobs or above M MiB is :mod:`jobs.engine.recycling`, for both worker
classes. ``JOBS['WORKER_MAX_JOB_TIME']`` (``JOBDESK_WORKER_MAX_JOB_TIME``, a pool's
``max_job_time``) caps every job's timeout, and ``JOBDESK_WORKER_POOL`` labels the
worker's log lines.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from rq.job import Job as RQJob
from rq.queue import Queue
from rq.utils import now as rq_now

from jobs import conf
from jobs.engine import broker, giveback
from jobs.models import Job

logger = logging.getLogger("jobs.worker")


class GracefulShutdown:
    """Mixed into :class:`jobs.engine.worker.Worker` (see the module docstring)."""

    _shutdown_deadline: float | None = None
    _stopping_job: str = ""
    """Why the work-horse was killed, when it was killed for the shutdown."""
    _put_back_row: Job | None = None
    _handling_job = False
    """Set by the worker from a job's dequeue to its recorded outcome."""

    def request_stop(self, signum, frame) -> None:
        timeout = conf.get().WORKER_SHUTDOWN_TIMEOUT
        self._shutdown_deadline = time.monotonic() + timeout
        self._shutdown_timeout = timeout
        logger.info(
            "worker=%s pool=%s event=shutdown_requested shutdown_timeout=%s",
            self.name,
            conf.get().WORKER_POOL,
            f"{timeout:g}",
        )
        super().request_stop(signum, frame)

    def _shutdown(self) -> None:
        """RQ raises StopRequested unless the worker is busy, to break out of waiting for a job.

        Raised while the worker claims a job it dequeued, or records what its horse
        reported, it abandoned that step half-way (a traceback, a job left for the
        housekeeping sweeps, and a worker that went on taking jobs). A stop at any point of
        a job's handling waits for the job, as a busy worker's does.
        """
        if self._handling_job:
            self._stop_requested = True
            self.set_shutdown_requested_date()
            return
        super()._shutdown()

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
        if (
            self._stopping_job
            and claimed is not None
            and giveback.give_back(claimed, self.name, self._stopping_job)
        ):
            self._put_back_row = claimed
            self._claimed = None  # nothing for the lost-attempt bookkeeping to record
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)

    def execute_job(self, job: RQJob, queue: Queue) -> None:
        limit = conf.get().WORKER_MAX_JOB_TIME
        if limit and (job.timeout is None or job.timeout < 0 or job.timeout > limit):
            job.timeout = int(limit)
        super().execute_job(job, queue)
        row, self._put_back_row, self._stopping_job = self._put_back_row, None, ""
        if row is not None:
            broker.forget_failure([str(row.pk)], self.connection)
            broker.enqueue(row)
            logger.info("worker=%s job_id=%s event=put_back queue=%s", self.name, row.pk, row.queue)
