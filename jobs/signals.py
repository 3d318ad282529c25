"""Job events as Django signals.

Sent after the change they announce is committed, with ``sender=Job`` and these
keyword arguments (``job`` is the Job row as the sender knew it):

==================  ==========================================================
``job_created``     ``job``
``job_started``     ``job`` (``job.attempts`` is the attempt number)
``job_progress``    ``job_id``, ``percent``, ``message``
``job_succeeded``   ``job``, ``result``, ``runtime`` (seconds)
``job_retrying``    ``job``, ``reason``, ``run_at``, ``runtime``
``job_failed``      ``job``, ``reason``, ``runtime``
``job_cancelled``   ``job``, ``user``, ``was`` (the status it was cancelled from)
==================  ==========================================================

``job_started``, ``job_progress``, ``job_succeeded``, ``job_retrying`` and
``job_failed`` are sent in the worker process; the others where the action happened.
A receiver that raises is logged and ignored: it can't fail a job.
"""

from __future__ import annotations

import logging

from django.dispatch import Signal

logger = logging.getLogger("jobs.signals")

job_created = Signal()
job_started = Signal()
job_progress = Signal()
job_succeeded = Signal()
job_retrying = Signal()
job_failed = Signal()
job_cancelled = Signal()
breaker_opened = Signal()
"""Flow control (issue 15): a circuit breaker opened; ``name``, ``until`` (a datetime), ``reason``."""
breaker_closed = Signal()
"""A circuit breaker closed (its probe succeeded, or by hand); ``name``, ``reason``."""


def send(signal: Signal, **kwargs) -> None:
    """Send a job event to every receiver; a receiver's error is logged, not raised."""
    from jobs.models import Job

    for receiver, response in signal.send_robust(sender=Job, **kwargs):
        if isinstance(response, Exception):
            logger.error("receiver %r of a job event failed: %r", receiver, response, exc_info=response)


# The worker fleet (jobs.engine.fleet), sent by ``manage.py jobs_workers`` in its own
# process with ``sender="jobs.fleet"`` and these keyword arguments:
#
# ``worker_added``           ``pool``, ``worker`` (its RQ name), ``pid``, ``host``, ``reason``
#                            ("start", "replace", "scale up", "resize")
# ``worker_removed``         ``pool``, ``worker``, ``pid``, ``host``, ``reason``, ``exit_status``
# ``worker_health_changed``  ``pool``, ``worker``, ``pid``, ``host``, ``healthy`` (bool), ``reason``
worker_added = Signal()
worker_removed = Signal()
worker_health_changed = Signal()


def send_fleet(signal: Signal, **kwargs) -> None:
    """Send a fleet event; a receiver's error is logged, never stops the supervisor."""
    for receiver, response in signal.send_robust(sender="jobs.fleet", **kwargs):
        if isinstance(response, Exception):
            logger.error("receiver %r of a fleet event failed: %r", receiver, response, exc_info=response)


event_published = Signal()
"""``event`` (the stored Event) and ``jobs`` (what its triggers created), after commit;
not sent for a duplicate event id."""
workflow_finished = Signal()
"""``workflow`` and ``status`` (succeeded, failed or cancelled), after commit."""
batch_completed = Signal()
"""``batch`` and ``succeeded`` (False the first time every job has finished with some
failed; True once every job has succeeded), after commit."""
