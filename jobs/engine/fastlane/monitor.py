"""The fast lane's monitor thread: timeouts, stops, leases and heartbeats for every slot.

Timeouts are soft, then hard. At a job's timeout the monitor raises
``JobTimeoutException`` in its slot's thread, as RQ's alarm does in a work-horse: the
task stops, the slot records a failed attempt and takes the next job. A task blocked
in C (a long ``time.sleep``, a socket without a timeout) takes the exception only when
it returns; if it is still running :data:`HARD_GRACE` seconds later the slot is stuck,
the attempt is recorded as failed ("hard timeout") and the worker recycles itself: it
takes no more jobs, waits for its other slots, and exits with status 0 for its
supervisor to start a fresh process. A stop command is raised the same way.

Every ``JOB_MONITORING_INTERVAL`` seconds the monitor renews the lease of every attempt
this process runs (:data:`jobs.engine.execution.running`) on its own database connection
(an attempt whose lease it can't renew is no longer this execution's, and is stopped),
and RQ's heartbeats (worker, executions, jobs) in one pipeline.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.db import DatabaseError, connections
from rq.timeouts import BaseDeathPenalty, JobTimeoutException
from rq.utils import now

from jobs import conf
from jobs.engine import counting, execution, lifecycle
from jobs.engine.fastlane.slots import JobStopped, Running, Slots, raise_in
from jobs.engine.outage import CONNECTION_ERRORS
from jobs.models import Job

logger = logging.getLogger("jobs.worker")

TICK = 0.05
HARD_GRACE = 5.0
"""Seconds a slot has, after its soft timeout, to stop before it counts as stuck."""

_deadlines: dict[int, tuple[float, int]] = {}
"""Armed timeouts by slot thread: (monotonic deadline, timeout in seconds)."""


class SlotDeathPenalty(BaseDeathPenalty):
    """RQ's timeout context for a job run in a slot thread: armed here, fired by the monitor."""

    def setup_death_penalty(self) -> None:
        if self._timeout and self._timeout > 0:
            _deadlines[threading.get_ident()] = (time.monotonic() + self._timeout, self._timeout)

    def cancel_death_penalty(self) -> None:
        _deadlines.pop(threading.get_ident(), None)


class Monitor:
    """One daemon thread per worker; see the module doc."""

    def __init__(self, worker, slots: Slots, on_stuck: Callable[[Running], None], prefetch=None) -> None:
        self.worker = worker
        self.slots = slots
        self.on_stuck = on_stuck
        self.prefetch = prefetch
        self._beat_at = time.monotonic()
        threading.Thread(target=self._loop, name="jobdesk-monitor", daemon=True).start()

    def stop_job(self, job_id: str, exception: type[BaseException]) -> bool:
        """Raise ``exception`` in the slot running ``job_id`` as soon as it is in the task."""
        for running in self.slots.busy():
            if running.rq_job.id == job_id:
                running.pending = exception
                return True
        return False

    def _loop(self) -> None:
        while True:
            try:
                self._tick()
            except Exception:
                logger.exception("worker=%s monitor tick failed", self.worker.name)
            time.sleep(TICK)

    def _tick(self) -> None:
        moment = time.monotonic()
        for running in self.slots.busy():
            self._enforce(running, moment)
        if self.prefetch is not None:
            self.prefetch.expire()
        counting.send(self.worker.connection)
        interval = conf.get().JOB_MONITORING_INTERVAL
        if moment - self._beat_at >= interval:
            self._beat_at = moment
            self._renew_leases()
            try:
                self._heartbeats(interval)
            except CONNECTION_ERRORS as exc:
                self.worker.redis_outage.lost(exc)  # the main thread waits for Redis

    def _enforce(self, running: Running, moment: float) -> None:
        armed = _deadlines.get(running.thread_id)
        if armed and moment >= armed[0] and running.hard_deadline is None:
            running.pending = running.pending or JobTimeoutException
            running.hard_deadline = moment + HARD_GRACE
        in_task = running.thread_id in execution.in_task
        if running.pending is not None and in_task and raise_in(running.thread_id, running.pending):
            running.pending = None
        if running.hard_deadline and moment >= running.hard_deadline and not running.stuck:
            running.stuck = True
            self.on_stuck(running)

    def _renew_leases(self) -> None:
        """Renew each attempt's lease; one that isn't this execution's any more (cancelled
        before RQ could be told, or given up for lost) is stopped in its slot."""
        wrapper = connections[Job.objects.db]
        for job_id, job in list(execution.running.items()):
            try:
                owned = lifecycle.renew_lease(job, wrapper)
            except DatabaseError as exc:
                logger.error("worker=%s job_id=%s lease not renewed (%s)", self.worker.name, job.pk, exc)
                wrapper.close()
                continue
            if not owned and job_id in execution.running and self.stop_job(job_id, JobStopped):
                self.worker._stopped_job_id = job_id
                logger.warning("worker=%s job_id=%s not this execution's: stopped", self.worker.name, job.pk)

    def _heartbeats(self, interval: int) -> None:
        ttl = interval + 60
        with self.worker.connection.pipeline() as pipe:
            self.worker.heartbeat(ttl, pipeline=pipe)
            for running in self.slots.busy():
                if running.execution is None:  # claiming: RQ hasn't started it
                    continue
                running.execution.heartbeat(running.rq_job.started_job_registry, ttl, pipeline=pipe)
                running.rq_job.heartbeat(now(), ttl, pipeline=pipe, xx=True)
            pipe.execute()
