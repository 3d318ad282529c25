"""Give an attempt back: a job a stopping worker couldn't finish goes back to its queue.

Both worker classes use it: the forking one (:mod:`jobs.engine.shutdown`) and the fast
lane (:mod:`jobs.engine.fastlane`).

At the end of a worker's shutdown timeout (``JOBS['WORKER_SHUTDOWN_TIMEOUT']``) a job
still running is stopped and put back to ``queued`` as if it had never started: the
attempt isn't counted (``attempts`` goes back down), the timeline says why, and its RQ
job goes back to the front of its queue. The row's fencing token decides (one
compare-and-set), so an attempt the job finished meanwhile, or that was cancelled, is
left as it is, and the slot's own report of the stopped run is dropped as stale.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rq.job import Job as RQJob
from rq.job import JobStatus as RQStatus
from rq.queue import Queue

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.models import Job, JobLog
from jobs.models.journal import log_event

logger = logging.getLogger("jobs.worker")


def give_back(job: Job, worker_name: str, why: str = "") -> bool:
    """Put the claimed attempt ``job`` back to ``queued``, uncounted; False if it moved on."""
    owned = Job.objects.filter(
        pk=job.pk, status=JobStatus.STARTED, attempts=job.attempts, execution_id=job.execution_id
    )
    with transaction.atomic():
        given = owned.update(
            status=JobStatus.QUEUED,
            attempts=F("attempts") - 1,
            started_at=None,
            heartbeat_at=None,
            worker_name="",
            progress=0,
            progress_message="",
            enqueued_at=timezone.now(),
        )
        if not given:
            return False
        because = f" and {why}" if why else ""
        log_event(
            job,
            JobLog.Event.RECOVERED,
            f"Worker {worker_name} shut down{because} before attempt {job.attempts} finished: "
            f"back in queue {job.queue!r}, the attempt does not count.",
            level=logging.WARNING,
            attempt=job.attempts,
        )
    logger.warning("worker=%s job_id=%s given back to its queue", worker_name, job.pk)
    return True


def requeue(rq_job: RQJob, queue: Queue) -> None:
    """RQ's side: out of the started and failed registries, back to the front of the queue."""
    connection = queue.connection
    with connection.pipeline() as pipe:
        queue.started_job_registry.remove_executions(rq_job, pipeline=pipe)
        rq_job.set_status(RQStatus.QUEUED, pipeline=pipe)
        pipe.lrem(queue.key, 0, rq_job.id)
        pipe.lpush(queue.key, rq_job.id)
        pipe.execute()
    broker.forget_failure([rq_job.id], connection)
