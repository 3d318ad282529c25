"""The fast lane's worker class: Jobdesk's rules, RQ's registries, no fork per job.

Run it with ``manage.py rqworker high normal --worker-class jobs.engine.fastlane.worker.FastWorker``
or ``manage.py jobs_worker high normal --fast [--concurrency N]``. Its settings
(``JOBS['WORKER_CONCURRENCY']``, ``WORKER_MAX_JOBS``, ``WORKER_MAX_MEMORY_MB``,
``WORKER_SHUTDOWN_TIMEOUT``) can be set per process through ``JOBDESK_WORKER_*``
environment variables (:data:`jobs.conf.WORKER_ENV`), which is how a supervisor
configures the workers it starts.

The main thread dequeues (paused queues, foreign jobs, outages: the mixins of
:class:`jobs.engine.worker.JobdeskWorker`, as in the forking class) only when a slot is
free, in batches when ``WORKER_PREFETCH`` allows (:mod:`.prefetch`), and hands the job
to that slot (:mod:`.slots`), which runs RQ's own
``perform_job``: RQ's registries and statuses move as under any RQ worker, and
:func:`jobs.engine.execution.run_job` claims, performs and records in the slot. The
monitor thread (:mod:`.monitor`) enforces timeouts and stop commands, renews leases,
and sends the counters the slots summed (:mod:`jobs.engine.counting`).

On SIGTERM (or SIGINT) it takes no more jobs and gives the running ones
``WORKER_SHUTDOWN_TIMEOUT`` seconds (a second signal: none); those still running then are
stopped and given back to their queues uncounted (:mod:`jobs.engine.giveback`).
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from django.db import connections
from rq.command import parse_payload
from rq.executions import Execution
from rq.job import Job as RQJob
from rq.queue import Queue
from rq.utils import now
from rq.worker import SimpleWorker, WorkerStatus

from jobs import conf
from jobs.engine import counting, execution, giveback, lifecycle
from jobs.engine.fastlane import aio
from jobs.engine.fastlane.monitor import HARD_GRACE, Monitor, SlotDeathPenalty
from jobs.engine.fastlane.prefetch import Prefetch
from jobs.engine.fastlane.slots import JobStopped, Running, Slots
from jobs.engine.recycling import reason_to_recycle
from jobs.engine.worker import JobdeskWorker

logger = logging.getLogger("jobs.worker")

STOPPED_SLOT_WAIT = 2.0
"""Seconds a stopped slot has to end before its job is put back in RQ regardless."""


class FastWorker(JobdeskWorker, SimpleWorker):
    """A non-forking Jobdesk worker with ``JOBS['WORKER_CONCURRENCY']`` slot threads."""

    death_penalty_class = SlotDeathPenalty
    PAUSED_FLAGS_MAX_AGE = 0.25
    """A pause reaches the dequeue within this (the promise is one second): a round trip saved."""
    _idle_pending = False
    THROTTLED_EVERY = 1.0
    """Seconds between the main loop's own heartbeats and suspension checks (RQ: every job);
    the monitor beats for busy slots meanwhile."""

    def __init__(self, queues: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(queues, *args, **kwargs)
        settings = conf.get()
        self.concurrency = max(1, settings.WORKER_CONCURRENCY)
        self.pool = settings.WORKER_POOL
        self._limits = (settings.WORKER_MAX_JOBS, settings.WORKER_MAX_MEMORY_MB)
        self.prefetch = (
            Prefetch(self.connection, settings.WORKER_PREFETCH, self.job_class, self.serializer)
            if settings.WORKER_PREFETCH > 0
            else None
        )
        self._slots: Slots | None = None
        self._monitor: Monitor | None = None
        self._stop_deadline: float | None = None
        self.recycle_reason = ""
        self._beat_at = self._suspension_checked_at = float("-inf")

    def bootstrap(self, *args: Any, **kwargs: Any) -> None:
        super().bootstrap(*args, **kwargs)
        execution.coroutine_runner = aio.run
        counting.batch()
        self._slots = Slots(self.concurrency, self._run_slot)
        self._monitor = Monitor(self, self._slots, self._stuck, self.prefetch)
        logger.info(
            "worker=%s fast lane: %s slot(s) prefetch=%s pool=%r",
            self.name,
            self.concurrency,
            self.prefetch.bound if self.prefetch else 0,
            self.pool,
        )

    def set_state(self, state: str, pipeline=None) -> None:
        """Written to Redis only when it changes (RQ writes it before every dequeue), and
        "idle" only once the queues have nothing for this worker (:meth:`_dequeue_unpaused`):
        a busy worker's next job sets "busy" again in its start pipeline."""
        if pipeline is None and (state == self._state or state == WorkerStatus.IDLE):
            self._idle_pending = state == WorkerStatus.IDLE and self._state != state
            return
        self._idle_pending = False
        super().set_state(state, pipeline=pipeline)

    def heartbeat(self, timeout: int | None = None, pipeline=None) -> None:
        if pipeline is None and timeout is None:
            if time.monotonic() - self._beat_at < self.THROTTLED_EVERY:
                return
            self._beat_at = time.monotonic()
        super().heartbeat(timeout, pipeline=pipeline)

    def check_for_suspension(self, burst: bool) -> None:
        if time.monotonic() - self._suspension_checked_at >= self.THROTTLED_EVERY:
            super().check_for_suspension(burst)
            self._suspension_checked_at = time.monotonic()

    def stop_dequeuing(self) -> bool:
        return self._stop_requested or bool(self.recycle_reason)

    def dequeue_job_and_maintain_ttl(self, timeout: int | None, max_idle_time: int | None = None):
        """Take a job only for a free slot: nothing waits in this process for a slot."""
        if not self._slots.wait_free(give_up=self.stop_dequeuing):
            return None
        result = None
        try:
            if not self.stop_dequeuing():
                result = super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
        finally:
            if result is None:
                self._slots.release()
        return result

    def _dequeue_unpaused(self, *, burst: bool):
        """The next job; "idle" is written when there is none and no slot is busy."""
        taken = self._take(burst)
        if taken == "idle" and self._idle_pending and not self._slots.busy():
            super().set_state(WorkerStatus.IDLE)
            self._idle_pending = False
        return taken

    def _take(self, burst: bool):
        """With a prefetch bound, from the buffer, refilled in one batch when it is empty
        (:mod:`.prefetch`); without, as every Jobdesk worker."""
        if self.prefetch is None:
            return super()._dequeue_unpaused(burst=burst)
        paused = self._paused()
        ready = self.prefetch.next(paused)
        if ready is None:
            active = [queue for queue in self._ordered_queues if queue.name not in paused]
            if not active or not self.prefetch.fill(active, self.set_aside_unreadable):
                return super()._dequeue_unpaused(burst=burst)
            ready = self.prefetch.next(self._paused())
            if ready is None:  # none of the batch could start: take one the plain way
                return super()._dequeue_unpaused(burst=burst)
        job, queue = ready
        job.redis_server_version = self.get_redis_server_version()
        logger.info("worker=%s queue=%s job_id=%s dequeued", self.name, queue.name, job.id)
        return job, queue

    def execute_job(self, job: RQJob, queue: Queue) -> None:
        self._slots.submit(Running(job, queue))

    def _run_slot(self, running: Running) -> None:
        """In a slot thread: claim, then RQ's own perform (status, registries, result)
        around ``run_job``, which performs and records (:func:`execution.hand_over`)."""
        job_id = running.rq_job.id
        try:
            claimed = self._claim(job_id)
            if claimed is not None:
                execution.running[job_id] = claimed
            execution.hand_over(job_id, claimed)
            self._start_in_rq(running)
            self.perform_job(running.rq_job, running.queue, running.execution)
        finally:
            execution.running.pop(job_id, None)
            if len(self._slots.busy()) <= 1:
                self.set_state(WorkerStatus.IDLE)
            reason = reason_to_recycle(self._slots.completed + 1, *self._limits)
            if reason and not self.recycle_reason:
                self.recycle(reason)

    def _start_in_rq(self, running: Running) -> None:
        """RQ's two start pipelines (the execution, then the job's status) folded into one."""
        job = running.rq_job
        with self.connection.pipeline() as pipe:
            ttl = self.get_heartbeat_ttl(job)
            running.execution = Execution.create(job, ttl, pipeline=pipe, worker_name=self.name)
            self.executions[running.execution.id] = running.execution
            self.set_state(WorkerStatus.BUSY, pipeline=pipe)
            job.heartbeat(now(), ttl, pipeline=pipe)
            job.prepare_for_execution(self.name, pipeline=pipe)
            pipe.persist(job.key)
            pipe.lrem(running.queue.intermediate_queue_key, 1, job.id)
            pipe.execute()

    def prepare_job_execution(self, job: RQJob, remove_from_intermediate_queue: bool = False) -> None:
        """Done already, in :meth:`_start_in_rq`."""

    def handle_execution_ended(self, job: RQJob, queue: Queue, heartbeat_ttl: int) -> None:
        """RQ beats once more here for its callbacks; Jobdesk's jobs have none."""
        job.ended_at = now()

    def _claim(self, job_id: str):
        try:
            return execution.claim(job_id, self.name)
        except Exception:
            # Unknown claim: run nothing; RQ still settles the job, housekeeping the row.
            logger.exception("worker=%s job_id=%s could not be claimed", self.name, job_id)
            for wrapper in connections.all(initialized_only=True):
                wrapper.close()
            return None

    def recycle(self, reason: str) -> None:
        """Take no more jobs; exit (status 0) once the running ones are done."""
        self.recycle_reason = reason
        logger.warning("worker=%s recycling: %s", self.name, reason)

    def _stuck(self, running: Running) -> None:
        """From the monitor: a slot ignored its timeout; fail the attempt, replace the process."""
        job = execution.running.pop(running.rq_job.id, None)
        timeout = running.rq_job.timeout
        reason = f"Hard timeout: still running {HARD_GRACE:.0f} s after its {timeout} s timeout"
        if job is not None:
            lifecycle.record_lost_attempt(job, f"{reason}; worker {self.name} is replaced")
        self.handle_job_failure(running.rq_job, running.queue, exc_string=reason, execution=running.execution)
        self.recycle(f"job {running.rq_job.id} is stuck in its slot")

    def request_stop(self, signum: int, frame: Any) -> None:
        """First signal: finish within the shutdown timeout; second: give back now."""
        if self._stop_deadline is not None:
            self._stop_deadline = time.monotonic()
            return
        self._stop_requested = True
        self._stop_deadline = time.monotonic() + conf.get().WORKER_SHUTDOWN_TIMEOUT
        logger.warning(
            "worker=%s stopping: no more jobs; running ones have %.0f s",
            self.name,
            conf.get().WORKER_SHUTDOWN_TIMEOUT,
        )

    def handle_payload(self, message: Any) -> None:
        """RQ's stop-job command, for whichever slot runs the job."""
        payload = parse_payload(message)
        job_id = payload.get("job_id")
        stopping = payload.get("command") == "stop-job" and self._monitor is not None
        if stopping and self._monitor.stop_job(job_id, JobStopped):
            self._stopped_job_id = job_id
            return
        super().handle_payload(message)

    def teardown(self) -> None:
        if self.prefetch is not None:
            self.prefetch.give_back_all()
        if self._slots is not None:
            self._finish_slots()
        counting.stop_batching(self.connection)
        super().teardown()

    def _finish_slots(self) -> None:
        while not self._slots.wait_idle(min(self._stop_deadline or math.inf, time.monotonic() + 0.5)):
            if self._stop_deadline is not None and time.monotonic() >= self._stop_deadline:
                break
        for running in self._slots.busy():
            if not running.stuck:
                self._give_back(running)

    def _give_back(self, running: Running) -> None:
        job = execution.running.get(running.rq_job.id)
        given = job is not None and giveback.give_back(job, self.name)
        self._monitor.stop_job(running.rq_job.id, JobStopped)
        until = time.monotonic() + STOPPED_SLOT_WAIT
        while running.rq_job.id in self._slots.running and time.monotonic() < until:
            time.sleep(0.02)
        if given:
            giveback.requeue(running.rq_job, running.queue)
