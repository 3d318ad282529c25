"""What keeps Jobdesk's worker alive and honest when Redis misbehaves.

Two mixins for :class:`jobs.engine.worker.Worker`:

* :class:`RidesOutRedisOutages` — RQ's worker quits on the first Redis error outside
  its dequeue call (a heartbeat, a state change, the suspension check, maintenance, the
  horse monitor's heartbeats), and after a flush or a restart without persistence it
  never registers again, so ``rq info``, the health check and lost-attempt detection
  see no worker while it runs. This one waits for Redis with back-off
  (:mod:`jobs.engine.outage`) and registers again as soon as its registration is gone.
* :class:`RefusesForeignJobs` — RQ imports and calls whatever function a job hash
  names. Anything :func:`jobs.engine.poison.why_poison` finds was planted in Redis: it is
  refused before the fork, without importing anything, failed in RQ with the reason
  (so RQ never retries it) and recorded in :mod:`jobs.engine.poison`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rq import worker_registration
from rq.exceptions import StopRequested
from rq.job import Job as RQJob
from rq.job import JobStatus
from rq.queue import Queue
from rq.registry import FailedJobRegistry
from rq.results import Result

from jobs import conf
from jobs.engine import poison
from jobs.engine.outage import CONNECTION_ERRORS, Outage

logger = logging.getLogger("jobs.worker")

REGISTRATION_CHECK_EVERY = 1.0
"""Seconds between checks that RQ still lists this worker (one round trip each)."""
PUBSUB_RETRY_SECONDS = 2.0


class RidesOutRedisOutages:
    """Wait for Redis instead of quitting; register again when Redis forgot this worker."""

    _registration_checked_at = float("-inf")

    @property
    def redis_outage(self) -> Outage:
        outage = self.__dict__.get("_redis_outage")
        if outage is None:
            outage = self.__dict__["_redis_outage"] = Outage(f"worker={self.name}", logger)
        return outage

    def ride_out_outage(self, error: BaseException) -> None:
        """Block until Redis answers (back-off, two log lines in all), then register again.

        Raises:
            StopRequested: the worker was told to stop while it waited.
        """
        self.redis_outage.lost(error)
        if not self.redis_outage.wait(self.connection.ping, give_up=lambda: self._stop_requested):
            raise StopRequested
        self.ensure_registered(now=True)

    def _until_redis_answers(self, step, *args: Any) -> Any:
        while True:
            try:
                return step(*args)
            except CONNECTION_ERRORS as error:
                self.ride_out_outage(error)

    def check_for_suspension(self, burst: bool) -> None:
        self._until_redis_answers(super().check_for_suspension, burst)

    def run_maintenance_tasks(self) -> None:
        self._until_redis_answers(super().run_maintenance_tasks)

    def prepare_execution(self, job: RQJob):
        return self._until_redis_answers(super().prepare_execution, job)

    def heartbeat(self, timeout: int | None = None, pipeline=None) -> None:
        """A heartbeat Redis can't take is skipped: the next Redis call waits for it."""
        if pipeline is not None:
            return super().heartbeat(timeout, pipeline=pipeline)
        try:
            super().heartbeat(timeout)
            self.ensure_registered()
        except CONNECTION_ERRORS as error:
            self.redis_outage.lost(error)

    def maintain_heartbeats(self, job: RQJob, execution) -> None:
        """While a horse runs: skip beats Redis can't take, never leave the horse unwatched."""
        try:
            super().maintain_heartbeats(job, execution)
            self.ensure_registered()
        except CONNECTION_ERRORS as error:
            self.redis_outage.lost(error)

    def monitor_work_horse(self, job: RQJob, queue, execution) -> None:
        """RQ reads the job's status once the horse ended; with Redis away it would quit.

        The horse has ended by then (its RQ bookkeeping is left to RQ's registry
        cleanup); the Job row is recorded by the worker as usual, from the outcome the
        horse reported or as a lost attempt.
        """
        try:
            super().monitor_work_horse(job, queue, execution)
        except CONNECTION_ERRORS as error:
            self.ride_out_outage(error)

    def set_state(self, state: str, pipeline=None) -> None:
        try:
            super().set_state(state, pipeline=pipeline)
        except CONNECTION_ERRORS as error:
            self.redis_outage.lost(error)  # kept in memory; written when registering again

    def _pubsub_exception_handler(self, exc: Exception, pubsub, pubsub_thread) -> None:
        """The command channel's thread: RQ logs every retry, every 2 s; log the outage once."""
        if not isinstance(exc, CONNECTION_ERRORS):
            return super()._pubsub_exception_handler(exc, pubsub, pubsub_thread)
        self.redis_outage.lost(exc)
        time.sleep(PUBSUB_RETRY_SECONDS)

    def ensure_registered(self, now: bool = False) -> None:
        """Register again (worker hash and registries) if Redis lost this worker."""
        if not now and time.monotonic() - self._registration_checked_at < REGISTRATION_CHECK_EVERY:
            return
        with self.connection.pipeline(transaction=False) as pipe:
            pipe.sismember(self.redis_workers_keys, self.key)
            pipe.hexists(self.key, "birth")
            listed, has_birth = pipe.execute()
        self._registration_checked_at = time.monotonic()
        self.redis_outage.back()
        if listed and has_birth:
            return
        with self.connection.pipeline() as pipe:
            pipe.hset(self.key, mapping={**self.serialize(), "state": self.get_state()})
            worker_registration.register(self, pipe)
            pipe.expire(self.key, self.worker_ttl + 60)
            pipe.execute()
        logger.warning("worker=%s registered again: Redis had lost its registration", self.name)


class RefusesForeignJobs:
    """Hand over to the work-horse only the jobs Jobdesk created (see the module doc)."""

    def admit(self, job: RQJob, queue: Queue) -> bool:
        reason = poison.why_poison(job)
        if reason is None:
            return True
        self._refuse(job, queue, reason)
        return False

    def _refuse(self, job: RQJob, queue: Queue, reason: str) -> None:
        failed = FailedJobRegistry(queue.name, connection=self.connection, serializer=self.serializer)
        ttl, why = conf.get().RQ_FAILURE_TTL, f"Refused: {reason}"
        with self.connection.pipeline() as pipe:
            job.set_status(JobStatus.FAILED, pipeline=pipe)
            failed.add(job, ttl=ttl, exc_string=why, pipeline=pipe)
            Result.create_failure(job, ttl, why, worker_name=self.name, pipeline=pipe)
            pipe.lrem(queue.intermediate_queue_key, 1, job.id)
            poison.record(job.id, f"worker {self.name} queue {queue.name}", reason, pipe)
            pipe.execute()

    def set_aside_unreadable(self, error: Exception) -> None:
        """A job hash RQ itself can't read (its fetch raised): move it out of the way."""
        job_id, queue = error.job_id, error.queue
        reason = f"RQ can't read its job hash ({type(error).__name__}: {error})"
        with self.connection.pipeline() as pipe:
            pipe.lrem(queue.intermediate_queue_key, 1, job_id)
            poison.move_job_hash(job_id, self.connection, pipe)
            poison.record(job_id, f"worker {self.name} queue {queue.name}", reason, pipe)
            pipe.execute()
