"""A work-horse whose lease can't be renewed is stopped before the lease runs out.

The housekeeper gives an attempt up for lost once its lease (``heartbeat_at``) is older
than ``JOBS['WORKER_LOST_AFTER']`` seconds, and retries it elsewhere. A worker cut off
from the database, not dead, can't renew the lease, and its horse would run on beside
the retry. So once the next renewal (every ``JOBS['JOB_MONITORING_INTERVAL']``) would
come too late, the worker kills the horse: a job runs in one place at a time, and the
attempt belongs to whoever recovers it (the housekeeper records it lost; any report of
the killed execution is fenced off by its token). The worker carries on, and takes
jobs again once the database answers.

That needs a renewal that fails instead of hanging: on a connection whose packets go
nowhere, PostgreSQL's client waits for TCP to give up (minutes), with the worker's
monitoring loop, and so this check, stuck behind it. The lease's own connection
(:func:`lease_connection`) gives up after one monitoring interval.
"""

from __future__ import annotations

import logging
import math
import time

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from jobs import conf
from jobs.models import Job

logger = logging.getLogger("jobs.worker")


def lease_connection() -> BaseDatabaseWrapper:
    """A connection of the worker's own for renewing leases, quick to fail on PostgreSQL.

    Not the default connection: a work-horse may be using that one (decision 13).
    """
    wrapper = connections[Job.objects.db].copy()
    if wrapper.vendor == "postgresql":
        interval = conf.get().JOB_MONITORING_INTERVAL
        options = wrapper.settings_dict.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", max(2, math.ceil(interval)))  # libpq's least
        options.setdefault("tcp_user_timeout", int(interval * 1000))
    return wrapper


class StopsJobsPastTheirLease:
    """Mixed into :class:`jobs.engine.worker.Worker`, which calls both methods."""

    _lease_renewed_at: float | None = None
    _lease_lapsed = False

    def lease_renewed(self) -> None:
        """The attempt's lease was written just now (by the claim or a renewal)."""
        self._lease_renewed_at = time.monotonic()
        self._lease_lapsed = False

    def stop_if_lease_runs_out(self) -> None:
        """After each renewal attempt: kill the horse if the lease would lapse before the next."""
        renewed_at = self._lease_renewed_at
        if renewed_at is None or self._lease_lapsed or not self.horse_pid:
            return
        settings = conf.get()
        unrenewed = time.monotonic() - renewed_at
        if unrenewed + settings.JOB_MONITORING_INTERVAL < settings.WORKER_LOST_AFTER:
            return
        self._lease_lapsed = True
        logger.error(
            "worker=%s event=lease_lapsed unrenewed_for=%.1fs: stopping the job, whose attempt "
            "is now for the housekeeper to recover",
            self.name,
            unrenewed,
        )
        self.kill_horse()
