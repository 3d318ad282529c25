"""Jobs a worker took from a queue and died with before it started them.

A worker listening on one queue moves each job id from the queue into RQ's
intermediate list (``rq:queue:<name>:intermediate``) and only takes it out when the
job starts. A worker killed in between leaves the id there: the Job row says
``queued``, Redis has the job, so reconcile sees nothing wrong, and RQ's own cleanup
(a worker's maintenance, every 10 minutes) would fail the job rather than run it.

:func:`requeue_abandoned` runs in the housekeeper every second. It notes when it first
saw each id in an intermediate list (``jobdesk:dequeued_seen:<queue>``); an id still
there ``JOBS['WORKER_LOST_AFTER']`` seconds later that no worker started is pushed back
to the front of its queue if its row is still ``queued`` (in one MULTI with its removal
from the intermediate list, so a crash leaves it in one place or the other, never in
none). Any other entry is only taken out of the list: its row has moved on, and the
row's own machinery (lost attempts, retries) owns it. A worker alive but stuck that
long, which then starts the job after all, is harmless: only one copy can claim the
row.
"""

from __future__ import annotations

import logging
import time
import uuid

from redis import Redis
from rq.registry import StartedJobRegistry

from . import conf, dispatch
from .conf import REDIS_PREFIX
from .models import Job
from .states import JobStatus

logger = logging.getLogger("jobs.housekeeping")

SEEN_KEY = REDIS_PREFIX + "dequeued_seen:{queue}"


def requeue_abandoned(redis: Redis | None = None, now: float | None = None) -> list[str]:
    """Put back jobs a dead worker took; returns the ids pushed back to their queues."""
    redis = redis or dispatch.connection()
    now = time.time() if now is None else now
    requeued = []
    for name in conf.get().QUEUES:
        requeued += _requeue_from(dispatch.queue(name, redis), redis, now)
    return requeued


def _requeue_from(queue, redis: Redis, now: float) -> list[str]:
    stale = _stale_ids(queue, redis, now)
    if not stale:
        return []
    started = StartedJobRegistry(queue.name, connection=redis)
    waiting = _queued_rows([job_id for job_id in stale if job_id not in started])
    requeued = []
    for job_id in stale:
        if job_id in started:
            continue
        push_back = job_id in waiting and redis.lpos(queue.key, job_id) is None
        with redis.pipeline() as pipe:
            pipe.lrem(queue.intermediate_queue_key, 1, job_id)
            if push_back:
                pipe.lpush(queue.key, job_id)
            pipe.hdel(SEEN_KEY.format(queue=queue.name), job_id)
            pipe.execute()
        if push_back:
            logger.warning("job_id=%s queue=%s event=requeued: its worker died", job_id, queue.name)
            requeued.append(job_id)
    return requeued


def _stale_ids(queue, redis: Redis, now: float) -> list[str]:
    """Ids in the intermediate list for longer than a live worker ever keeps one there."""
    seen_key = SEEN_KEY.format(queue=queue.name)
    with redis.pipeline(transaction=False) as pipe:
        pipe.lrange(queue.intermediate_queue_key, 0, -1)
        pipe.hgetall(seen_key)
        listed, seen = pipe.execute()
    listed = {raw.decode() for raw in listed}
    seen = {key.decode(): float(value) for key, value in seen.items()}
    with redis.pipeline(transaction=False) as pipe:
        for gone in seen.keys() - listed:
            pipe.hdel(seen_key, gone)
        for new in listed - seen.keys():
            pipe.hsetnx(seen_key, new, now)
        pipe.execute()
    lost_after = conf.get().WORKER_LOST_AFTER
    return sorted(job_id for job_id in listed & seen.keys() if now - seen[job_id] >= lost_after)


def _queued_rows(job_ids: list[str]) -> set[str]:
    valid = [job_id for job_id in job_ids if _is_uuid(job_id)]
    rows = Job.objects.filter(pk__in=valid, status=JobStatus.QUEUED).values_list("pk", flat=True)
    return {str(pk) for pk in rows}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
