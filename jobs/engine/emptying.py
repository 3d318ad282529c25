"""Taking many jobs' execution copies out of Redis at once (a queue emptied, jobs purged).

One pipeline per batch instead of a round trip per job: ``LREM`` from the queue's list,
``ZREM`` from rq-scheduler's set and the failed registry, and the job hash deleted.
A copy that slips through anyway is refused by the execution wrapper, whose row says
the job is no longer waiting.
"""

from __future__ import annotations

from collections.abc import Iterable

from rq.job import Job as RQJob
from rq.registry import FailedJobRegistry

from jobs.engine import broker


def drop_copies(queue_name: str, job_ids: Iterable[str]) -> None:
    """Remove the RQ copies of these jobs of ``queue_name`` (absent ones are skipped)."""
    ids = [str(job_id) for job_id in job_ids]
    if not ids:
        return
    redis = broker.connection()
    queue_key = broker.queue(queue_name, redis).key
    failed_key = FailedJobRegistry(queue_name, connection=redis).key
    with redis.pipeline(transaction=False) as pipe:
        for job_id in ids:
            pipe.lrem(queue_key, 0, job_id)
            pipe.delete(RQJob.key_for(job_id))
        pipe.zrem(broker.SCHEDULED_JOBS_KEY, *ids)
        pipe.zrem(failed_key, *ids)
        pipe.execute()
