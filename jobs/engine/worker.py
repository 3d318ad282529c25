"""Jobdesk's RQ worker class, the default for ``manage.py rqworker``.

It adds what RQ doesn't have: per-queue pause (a paused queue is left alone before
every dequeue, checked at least every second, by Redis's flag and the database's),
JSON as the only serializer, a lease on the running attempt renewed in the database
every couple of seconds so a dead worker is noticed in seconds and a Redis restart
goes unnoticed, database connections handed down to each work-horse safely (see
:mod:`jobs.engine.horse_db`), a record in the Job row when the work-horse is killed (RQ
marks such a job failed but calls no failure callback), and, from
:mod:`jobs.engine.worker_guards`, waiting out Redis outages, registering again when Redis
lost its registration, and refusing every job Jobdesk didn't create.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from django.db import DatabaseError
from redis import Redis
from rq import Worker as RQWorker
from rq.job import Job as RQJob
from rq.queue import Queue
from rq.serializers import JSONSerializer
from rq.utils import ensure_job_list
from rq.worker import WorkerStatus

from jobs import conf
from jobs.core import registry
from jobs.engine import broker, dequeue, execution, horse_db, lifecycle
from jobs.engine.lease_guard import StopsJobsPastTheirLease, lease_connection
from jobs.engine.outage import CONNECTION_ERRORS
from jobs.engine.recycling import reason_to_recycle
from jobs.engine.shutdown import GracefulShutdown
from jobs.engine.worker_guards import RefusesForeignJobs, RidesOutRedisOutages
from jobs.models import Job
from jobs.models.queues import paused_queue_names

logger = logging.getLogger("jobs.worker")

BLOCK_SECONDS = 1
PAUSED_REFRESH_SECONDS = 1.0
"""How old the worker's copy of the database's paused queues may get."""


class PausableQueuesMixin:
    """Dequeue only from queues that aren't paused; put back a job taken as the pause came.

    Every dequeue leaves the id in its queue's intermediate list until the job starts,
    whatever the number of queues (:mod:`jobs.engine.dequeue`), for :mod:`jobs.engine.abandoned`.

    A Redis outage is waited out here, a job hash RQ can't read is set aside, and a job
    Jobdesk didn't create is refused before it reaches a work-horse
    (:mod:`jobs.engine.worker_guards`).
    """

    def dequeue_job_and_maintain_ttl(self, timeout: int | None, max_idle_time: int | None = None):
        self.set_state(WorkerStatus.IDLE)
        self.procline("Listening on " + ",".join(self.queue_names()))
        idle_since = time.monotonic()
        while True:
            if self.stop_dequeuing():
                return None
            try:
                self.heartbeat()
                if self.should_run_maintenance_tasks:
                    self.run_maintenance_tasks()
                if max_idle_time is not None and time.monotonic() - idle_since > max_idle_time:
                    return None
                result = self._dequeue_unpaused(burst=timeout is None)
            except CONNECTION_ERRORS as exc:
                self.ride_out_outage(exc)
                continue
            except Exception as exc:
                if getattr(exc, "job_id", None) is None:  # not RQ failing to read a job it popped
                    raise
                self.set_aside_unreadable(exc)
                continue
            if result == "idle":
                if timeout is None:
                    return None
                continue
            if not self.admit(*result):
                continue
            self.heartbeat()
            return result

    def stop_dequeuing(self) -> bool:
        """True once the worker was told to stop (or decided to): take nothing more."""
        return self._stop_requested

    _paused_in_db: frozenset[str] = frozenset()
    _paused_read_at = float("-inf")
    _paused_flags: set[str] = set()
    _flags_read_at = float("-inf")
    PAUSED_FLAGS_MAX_AGE = 0.0
    """How old the worker's copy of Redis's paused flags may get (0: read at every check)."""

    def _paused(self) -> set[str]:
        """Redis's paused flags, and the database's (the truth) read at most once a second.

        Redis forgets its flags when it loses its data, until reconcile copies them
        back; the database's copy keeps a paused queue paused meanwhile.
        """
        if time.monotonic() - self._paused_read_at >= PAUSED_REFRESH_SECONDS:
            try:
                self._paused_in_db = frozenset(paused_queue_names())
            except DatabaseError as exc:
                logger.error(
                    "worker=%s could not read the paused queues (%s); keeping the last", self.name, exc
                )
                horse_db.discard()
            self._paused_read_at = time.monotonic()
        moment = time.monotonic()
        if moment - self._flags_read_at >= self.PAUSED_FLAGS_MAX_AGE:
            self._paused_flags = broker.paused_queues(self.connection)
            self._flags_read_at = moment if self.PAUSED_FLAGS_MAX_AGE else float("-inf")
        return self._paused_flags | self._paused_in_db

    def _dequeue_unpaused(self, *, burst: bool):
        paused = self._paused()
        active = [queue for queue in self._ordered_queues if queue.name not in paused]
        if not active:
            if not burst:
                time.sleep(conf.get().PAUSE_POLL_INTERVAL)
            return "idle"
        result = dequeue.take(
            active,
            None if burst else BLOCK_SECONDS,
            self.connection,
            job_class=self.job_class,
            serializer=self.serializer,
        )
        if result is None:
            return "idle"
        job, queue = result
        if queue.name in self._paused():
            self._put_back(job, queue)
            return "idle"
        self.reorder_queues(reference_queue=queue)
        job.redis_server_version = self.get_redis_server_version()
        logger.info("worker=%s queue=%s job_id=%s dequeued", self.name, queue.name, job.id)
        return job, queue

    def prepare_job_execution(self, job: RQJob, remove_from_intermediate_queue: bool = False) -> None:
        """RQ takes the id out of the intermediate list only for a one-queue worker;
        :mod:`jobs.engine.dequeue` puts it there for every worker."""
        super().prepare_job_execution(job, remove_from_intermediate_queue=True)

    def _put_back(self, job: RQJob, queue: Queue) -> None:
        with self.connection.pipeline() as pipe:  # one MULTI: the id is in one list or the other
            pipe.lrem(queue.intermediate_queue_key, 1, job.id)
            pipe.lpush(queue.key, job.id)
            pipe.execute()
        logger.info("worker=%s queue=%s job_id=%s put back: queue paused", self.name, queue.name, job.id)


class JobdeskWorker(PausableQueuesMixin, RidesOutRedisOutages, RefusesForeignJobs):
    """What every Jobdesk worker class is, forking or not: paused queues left alone, JSON
    only, Redis outages waited out, foreign jobs refused, one Redis client, the task
    modules loaded before the first job. Mixed in before an RQ worker class."""

    def __init__(self, queues: Any, *args: Any, connection: Redis | None = None, **kwargs: Any) -> None:
        shared = broker.connection()
        if connection is None or broker.same_server(connection, shared):
            # One client for RQ's work and Jobdesk's own (counters, metrics): a work-horse
            # then opens one Redis connection per job, as it would under plain RQ.
            connection = shared
            queues = [queue if isinstance(queue, str) else queue.name for queue in ensure_job_list(queues)]
        kwargs["connection"] = connection
        kwargs["serializer"] = JSONSerializer
        kwargs["job_class"] = broker.JSONJob
        kwargs["job_monitoring_interval"] = conf.get().JOB_MONITORING_INTERVAL
        super().__init__(queues, *args, **kwargs)
        registry.autodiscover()


class Worker(GracefulShutdown, StopsJobsPastTheirLease, JobdeskWorker, RQWorker):
    """The default Jobdesk worker: forks a work-horse per job, like RQ's own.

    :mod:`jobs.engine.execution` and every task module are imported here, in the parent, so
    that work-horses inherit them loaded instead of importing them for every job.
    """

    execution_module = execution

    def __init__(self, queues: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(queues, *args, **kwargs)
        self._last_horse_end = time.monotonic()
        self._claimed: Job | None = None
        self._lease_db = None
        self._jobs_done = 0
        settings = conf.get()
        self._limits = (settings.WORKER_MAX_JOBS, settings.WORKER_MAX_MEMORY_MB)
        if settings.WORKER_CONCURRENCY > 1:
            logger.warning(
                "worker=%s forks one work-horse at a time: WORKER_CONCURRENCY=%s is for %s",
                self.name,
                settings.WORKER_CONCURRENCY,
                conf.FAST_WORKER_CLASS,
            )

    def execute_job(self, job: RQJob, queue: Queue) -> None:
        horse_db.ready_in_worker(self._last_horse_end)
        self._handling_job = True  # a stop now waits for the job (GracefulShutdown._shutdown)
        try:
            self._execute_claimed(job, queue)
        finally:
            self._handling_job = False

    def _execute_claimed(self, job: RQJob, queue: Queue) -> None:
        claimed = self._claimed = self._claim(job)
        self._handed_down = horse_db.before_fork()
        self._horse_status: int | None = None
        try:
            super().execute_job(job, queue)
        finally:
            self._claimed = None
            execution.take_back(job.id)
            self._last_horse_end = time.monotonic()
            if self._horse_status != 0:
                horse_db.discard()
        if claimed is not None:
            self._record(claimed)
        self._recycle_if_due()

    def _recycle_if_due(self) -> None:
        """After N jobs or above M MiB, stop as asked to: RQ's loop ends, the process exits 0."""
        self._jobs_done += 1
        reason = reason_to_recycle(self._jobs_done, *self._limits)
        if reason:
            logger.warning("worker=%s recycling: %s", self.name, reason)
            self._stop_requested = True

    def maintain_heartbeats(self, job: RQJob, execution) -> None:
        """Every ``JOB_MONITORING_INTERVAL`` while the horse runs: renew the attempt's lease
        in the database, then RQ's heartbeats in Redis, which may be unreachable for a while
        without the job being any less alive (:class:`RidesOutRedisOutages`)."""
        self._renew_lease()
        self.stop_if_lease_runs_out()
        super().maintain_heartbeats(job, execution)

    def _renew_lease(self) -> None:
        claimed = self._claimed
        if claimed is None:
            return
        try:
            if self._lease_db is None:
                self._lease_db = lease_connection()
            if lifecycle.renew_lease(claimed, self._lease_db):
                self.lease_renewed()
            else:
                logger.warning(
                    "worker=%s job_id=%s token=%s the attempt is no longer this execution's; "
                    "its outcome will be dropped",
                    self.name,
                    claimed.pk,
                    lifecycle.token(claimed),
                )
        except DatabaseError as exc:
            logger.error("worker=%s job_id=%s lease not renewed (%s)", self.name, claimed.pk, exc)
            if self._lease_db is not None:
                self._lease_db.close()

    def _claim(self, job: RQJob) -> Job | None:
        try:
            claimed = execution.claim(job.id, self.name)
        except Exception:
            # The horse would refuse a job whose claim is unknown; RQ still settles it.
            logger.exception("worker=%s job_id=%s could not be claimed", self.name, job.id)
            horse_db.discard()
            claimed = None
        if claimed is not None:
            self.lease_renewed()
        execution.hand_down(job.id, claimed)
        return claimed

    def _record(self, job: Job) -> None:
        """Record what the horse reported; a horse that reported nothing lost the attempt."""
        job_id = str(job.pk)
        try:
            reported = broker.peek_outcome(job_id, job.execution_id, self.connection)
            if reported is None:
                how = f"exit status {self._horse_status}" if self._horse_status else "no report"
                lifecycle.record_lost_attempt(job, f"The work-horse ended without reporting back ({how})")
                return
            execution.record(job, execution.Outcome.from_dict(reported))
            broker.forget_outcome(job_id, job.execution_id, self.connection)
        except Exception:
            # Left for housekeeping, which records a reported outcome or a lost attempt.
            logger.exception("worker=%s job_id=%s outcome not recorded", self.name, job_id)
            horse_db.discard()

    def wait_for_horse(self):
        retpid, ret_val, rusage = super().wait_for_horse()
        if retpid:
            self._horse_status = ret_val
        return retpid, ret_val, rusage

    def perform_job(self, job: RQJob, queue: Queue, execution) -> bool:
        if not self.is_horse:
            return super().perform_job(job, queue, execution)
        horse_db.in_horse(self._handed_down)
        result = super().perform_job(job, queue, execution)
        if not horse_db.clean_in_horse(self._handed_down):
            os._exit(horse_db.DIRTY_EXIT)
        return result

    def handle_work_horse_killed(self, job: RQJob, retpid: int, ret_val: int, rusage) -> None:
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        signal_number = os.WTERMSIG(ret_val) if os.WIFSIGNALED(ret_val) else None
        how = f"signal {signal_number}" if signal_number else f"exit status {ret_val}"
        reason = f"Work-horse process {retpid} was killed ({how}); out of memory or a hard timeout"
        horse_db.discard()  # the horse may have died mid-query on the inherited connection
        if self._claimed is not None:
            lifecycle.record_lost_attempt(self._claimed, reason)
