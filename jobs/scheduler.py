"""Jobdesk's rq-scheduler class, the one ``manage.py rqscheduler`` runs.

rq-scheduler moves due jobs (run-at times, retry back-offs) to their queues. This
subclass polls every ``JOBS['SCHEDULER_INTERVAL']`` seconds (0.5 s, where rq-scheduler's
default is 60 s, since a due job should start within a second) against precise
timestamps, and marks the rows it moved as ``queued``. Beside the polling loop, a
thread runs the housekeeper's periodic duties, so a slow reconcile never delays a due
job.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import connections
from rq import Queue
from rq_scheduler import Scheduler as RQScheduler

from . import conf, dispatch, housekeeping
from .services import recurring_runs

logger = logging.getLogger("jobs.scheduler")


class Scheduler(RQScheduler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        settings = conf.get()
        kwargs["interval"] = min(float(kwargs.get("interval") or 60), settings.SCHEDULER_INTERVAL)
        kwargs["job_class"] = dispatch.JSONJob
        kwargs["queue_class"] = Queue
        super().__init__(*args, **kwargs)
        self.housekeeper = housekeeping.Housekeeper()

    def get_jobs_to_queue(self, with_times: bool = False):
        # rq-scheduler truncates "now" to whole seconds; Jobdesk scores are precise.
        return self.get_jobs(time.time(), with_times=with_times)

    def enqueue_jobs(self) -> list:
        self._create_recurring_runs()
        moved = list(self.get_jobs_to_queue())
        for job in moved:
            self.enqueue_job(job)
        if moved:
            housekeeping.mark_moved_to_queue([job.id for job in moved], redis=self.connection)
        return moved

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
        while not stop.is_set():
            try:
                self.housekeeper.tick(redis=self.connection)
            except Exception:
                logger.exception("housekeeping failed; will try again")
                connections.close_all()
            stop.wait(1.0)
