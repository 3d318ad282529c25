"""Jobdesk's rq-scheduler class, the one ``manage.py rqscheduler`` runs.

rq-scheduler moves due jobs (run-at times, retry back-offs) to their queues. This
subclass polls every ``JOBS['SCHEDULER_INTERVAL']`` seconds (0.5 s, where rq-scheduler's
default is 60 s, since a due job should start within a second) against precise
timestamps, and marks the rows it moved as ``queued``. Beside the polling loop, a
thread runs the housekeeper's periodic duties, so a slow reconcile never delays a due
job.

A Redis outage is waited out (:mod:`jobs.engine.outage`) where rq-scheduler would exit,
and an entry of the schedule that can't be run (undecodable, or not a Jobdesk job) is
set aside (:mod:`jobs.engine.poison`) where rq-scheduler would crash at every start.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import connections
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq_scheduler import Scheduler as RQScheduler

from jobs import conf
from jobs.engine import broker, housekeeping, poison, recurring_runs
from jobs.engine.outage import CONNECTION_ERRORS, Outage

logger = logging.getLogger("jobs.scheduler")


class Scheduler(RQScheduler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        settings = conf.get()
        kwargs["interval"] = min(float(kwargs.get("interval") or 60), settings.SCHEDULER_INTERVAL)
        kwargs["job_class"] = broker.JSONJob
        kwargs["queue_class"] = Queue
        super().__init__(*args, **kwargs)
        self.housekeeper = housekeeping.Housekeeper()
        self.redis_outage = Outage("scheduler", logger)

    def get_jobs_to_queue(self, with_times: bool = False):
        # rq-scheduler truncates "now" to whole seconds; Jobdesk scores are precise.
        return self.get_jobs(time.time(), with_times=with_times)

    def enqueue_jobs(self) -> list:
        self._create_recurring_runs()
        try:
            moved = self._move_due_jobs()
            if moved:
                housekeeping.mark_moved_to_queue([job.id for job in moved], redis=self.connection)
        except CONNECTION_ERRORS as error:
            self.redis_outage.lost(error)  # the loop's next heartbeat waits for Redis
            return []
        return moved

    def _move_due_jobs(self) -> list:
        """Move each due job to its queue; one that can't be moved is set aside, not fatal."""
        moved = []
        for raw_id in self.connection.zrangebyscore(self.scheduled_jobs_key, 0, time.time()):
            job_id = raw_id.decode()
            try:
                job = self.job_class.fetch(job_id, connection=self.connection)
                reason = poison.why_poison(job)
                if reason is None:
                    self.enqueue_job(job)
                    moved.append(job)
            except NoSuchJobError:
                self.cancel(job_id)  # as rq-scheduler does: its hash is gone
                continue
            except CONNECTION_ERRORS:
                raise
            except Exception as error:
                reason = f"{type(error).__name__}: {error}"
            if reason is not None:
                self._set_aside(job_id, reason)
        return moved

    def _set_aside(self, job_id: str, reason: str) -> None:
        with self.connection.pipeline() as pipe:
            pipe.zrem(self.scheduled_jobs_key, job_id)
            poison.move_job_hash(job_id, self.connection, pipe)
            poison.record(job_id, "scheduler", reason, pipe)
            pipe.execute()

    def register_birth(self) -> None:
        self._until_redis_answers(super().register_birth)

    def heartbeat(self) -> None:
        """Top of rq-scheduler's loop: wait out an outage here, and come back if forgotten."""
        self._until_redis_answers(self._beat)

    def _beat(self) -> None:
        ttl = int(self._interval) + 10
        if not self.connection.expire(self.key, ttl):  # Redis lost its data: register again
            with self.connection.pipeline() as pipe:
                pipe.hset(self.key, "birth", time.time())
                pipe.expire(self.key, ttl)
                pipe.execute()
        self.redis_outage.back()

    def acquire_lock(self) -> bool:
        return self._until_redis_answers(super().acquire_lock)

    def remove_lock(self) -> None:
        self._until_redis_answers(super().remove_lock)

    def _until_redis_answers(self, step):
        while True:
            try:
                return step()
            except CONNECTION_ERRORS as error:
                self.redis_outage.lost(error)
                self.redis_outage.wait(self.connection.ping)

    def _create_recurring_runs(self) -> None:
        """Recurring runs due soon become Jobs here, so they start on time (each once)."""
        try:
            recurring_runs.enqueue_due_runs()
        except Exception:
            logger.exception("creating recurring runs failed; will try again")
            connections.close_all()

    def run(self, burst: bool = False) -> None:
        stop = threading.Event()
        thread = threading.Thread(target=self._housekeep, args=(stop,), name="jobs-housekeeper", daemon=True)
        if not burst:
            thread.start()
        try:
            super().run(burst=burst)
        finally:
            stop.set()

    def _housekeep(self, stop: threading.Event) -> None:
        outage = Outage("scheduler housekeeping", logger)
        while outage.wait(self.connection.ping, give_up=stop.is_set):
            try:
                self.housekeeper.tick(redis=self.connection)
            except CONNECTION_ERRORS as error:
                outage.lost(error)
            except Exception:
                logger.exception("housekeeping failed; will try again")
                connections.close_all()
            stop.wait(1.0)
