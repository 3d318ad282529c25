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

Every Jobdesk worker leaves what it takes in the intermediate list, but a worker on
several queues pops with ``BLPOP`` when idle and pushes the id there with its next
command (:mod:`jobs.engine.dequeue`): one killed in between leaves the id in no list at all.
:func:`requeue_popped` finds those; see its docstring for how, and what it costs.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime

from redis import Redis
from rq.job import Job as RQJob
from rq.registry import StartedJobRegistry

from jobs import conf
from jobs.conf import REDIS_PREFIX
from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.models import Job

logger = logging.getLogger("jobs.housekeeping")

SEEN_KEY = REDIS_PREFIX + "dequeued_seen:{queue}"
SUSPECTS_KEY = REDIS_PREFIX + "popped_suspects:{queue}"
OLDEST = 500
"""How many of a queue's oldest waiting rows each look for popped ids examines."""
HEAD = 4 * OLDEST
"""How far into its queue a row is first looked for (``LPOS ... MAXLEN``)."""

_PUSH_BACK_IF_NOWHERE = """
if redis.call('HGET', KEYS[1], 'status') ~= 'queued'
  or redis.call('LPOS', KEYS[2], ARGV[1])
  or redis.call('LPOS', KEYS[3], ARGV[1])
  or redis.call('ZSCORE', KEYS[5], ARGV[1]) then
  return 0
end
local prefix = ARGV[1] .. ':'
for _, entry in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
  if string.sub(entry, 1, #prefix) == prefix then return 0 end
end
redis.call('LPUSH', KEYS[2], ARGV[1])
return 1
"""
"""Push an id back to the front of its queue unless its hash has moved on or it is in
the queue, its intermediate list, rq-scheduler's set or the started registry (whose
entries are ``<job id>:<execution id>``, one per running job)."""


def requeue_abandoned(redis: Redis | None = None, now: float | None = None) -> list[str]:
    """Put back jobs a dead worker took; returns the ids pushed back to their queues."""
    redis = redis or broker.connection()
    now = time.time() if now is None else now
    requeued = []
    for name in conf.get().QUEUES:
        queue = broker.queue(name, redis)
        requeued += _requeue_from(queue, redis, now)
        requeued += requeue_popped(queue, redis, now)
    return requeued


def requeue_popped(queue, redis: Redis, now: float) -> list[str]:
    """Push back to the front of ``queue`` its waiting jobs that are in no Redis list.

    A row ``queued`` since more than ``WORKER_LOST_AFTER`` seconds whose RQ copy says
    ``queued`` but whose id is in neither the queue nor its intermediate list, nor in
    the started registry or rq-scheduler's set, was popped by a worker that died before
    it could put the id anywhere. It is pushed back only when seen so on two
    consecutive looks (a second apart): a live worker holds an id in no list for
    microseconds. The push itself is one Lua script that checks all of that again, so
    it never races a worker taking or starting the job, nor adds a second copy of an id
    still queued.

    Cost, whatever the backlog (say 100k waiting jobs): a worker pops from the head of
    its queue, and a queue is first in, first out, so a popped id is among the oldest
    rows still waiting. Each look reads only the ``OLDEST`` oldest waiting rows of the
    queue (a partial index on ``enqueued_at`` of queued rows), asks for each, in one
    round trip, ``LPOS ... MAXLEN HEAD`` (a scan of at most ``HEAD`` entries, usually
    as far as the row's place, so about OLDEST²/2 comparisons) and its hash's status,
    and reads the intermediate list and started registry (one entry per busy worker).
    Only the rows found nowhere there pay a full ``LPOS`` (O(backlog)), inside the
    script, and only on their second look: the few really popped, and rows further
    into the queue than their age suggests (younger jobs put back at its front). A
    popped job with more than ``OLDEST`` older ones still waiting is found once those
    have run, i.e. before its turn would have come anyway.
    """
    suspects = _nowhere(queue, redis, now)
    suspects_key = SUSPECTS_KEY.format(queue=queue.name)
    with redis.pipeline() as pipe:
        pipe.smembers(suspects_key)
        pipe.delete(suspects_key)
        if suspects:
            pipe.sadd(suspects_key, *suspects)
        before = {raw.decode() for raw in pipe.execute()[0]}
    push_back = redis.register_script(_PUSH_BACK_IF_NOWHERE)
    requeued = []
    for job_id in sorted(suspects & before):
        keys = [
            RQJob.key_for(job_id),
            queue.key,
            queue.intermediate_queue_key,
            StartedJobRegistry(queue.name, connection=redis).key,
            broker.SCHEDULED_JOBS_KEY,
        ]
        if push_back(keys=keys, args=[job_id]):
            redis.srem(suspects_key, job_id)
            logger.warning(
                "job_id=%s queue=%s event=requeued: its worker died as it took it", job_id, queue.name
            )
            requeued.append(job_id)
    return requeued


def _nowhere(queue, redis: Redis, now: float) -> set[str]:
    """The oldest waiting rows of ``queue`` that Redis holds in none of its lists."""
    cutoff = datetime.fromtimestamp(now - conf.get().WORKER_LOST_AFTER, tz=UTC)
    oldest = Job.objects.filter(queue=queue.name, status=JobStatus.QUEUED, enqueued_at__lte=cutoff)
    job_ids = [str(pk) for pk in oldest.order_by("enqueued_at").values_list("pk", flat=True)[:OLDEST]]
    if not job_ids:
        return set()
    started = StartedJobRegistry(queue.name, connection=redis)
    with redis.pipeline(transaction=False) as pipe:
        pipe.lrange(queue.intermediate_queue_key, 0, -1)
        pipe.zrange(started.key, 0, -1)
        for job_id in job_ids:
            pipe.lpos(queue.key, job_id, maxlen=HEAD)
            pipe.hget(RQJob.key_for(job_id), "status")
        taken, running, *replies = pipe.execute()
    held = {raw.decode() for raw in taken} | {raw.decode().split(":")[0] for raw in running}
    return {
        job_id
        for job_id, place, status in zip(job_ids, replies[::2], replies[1::2], strict=True)
        if place is None and status == b"queued" and job_id not in held
    }


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
