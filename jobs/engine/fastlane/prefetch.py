"""The fast lane's prefetch: jobs taken from Redis in batches, at most a bound ahead.

With ``JOBS['WORKER_PREFETCH'] = P`` (``JOBDESK_WORKER_PREFETCH``; 0, the default, turns
it off), a fast worker whose buffer is empty takes up to ``P + 1`` ids in one script
and reads their hashes in one pipeline: two round trips for ``P + 1`` jobs instead of
two per job. The first goes to the free slot, the others wait here, never more than
``P``. Only Redis is ahead; the database is not:

* every id stays in its queue's intermediate list until its job starts, as for a job
  taken one at a time (:mod:`jobs.engine.dequeue`), so a worker killed at any instant
  leaves its buffer where :mod:`jobs.engine.abandoned` puts it back in its queue;
* the row is claimed by the slot when the job starts (a compare-and-set): a job
  cancelled while it waits here never runs, and its ``started_at`` is when it started;
* a job whose queue was paused while it waited, or that waited more than
  :data:`MAX_WAIT` seconds (a slot busy with a long job), goes back to the front of its
  queue instead, for any worker to take: well before the housekeeper would think its
  worker dead (``WORKER_LOST_AFTER``); so does the whole buffer when the worker stops.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from redis import Redis
from rq.job import Job as RQJob
from rq.queue import Queue
from rq.utils import as_text

logger = logging.getLogger("jobs.worker")

MAX_WAIT = 5.0
"""Seconds a prefetched job may wait for a slot before it goes back to its queue."""

_TAKE_MANY = """
local taken = {}
local want = tonumber(ARGV[1])
for i = 1, #KEYS, 2 do
  while #taken < want * 2 do
    local job_id = redis.call('LMOVE', KEYS[i], KEYS[i + 1], 'LEFT', 'RIGHT')
    if not job_id then break end
    taken[#taken + 1] = KEYS[i]
    taken[#taken + 1] = job_id
  end
end
return taken
"""


class Prefetch:
    """A worker's buffer of taken, not yet started jobs (bounded); see the module doc."""

    def __init__(self, connection: Redis, bound: int, job_class: type[RQJob], serializer) -> None:
        self.bound = bound
        self._connection = connection
        self._job_class = job_class
        self._serializer = serializer
        self._script = connection.register_script(_TAKE_MANY)
        self._waiting: deque[tuple[RQJob, Queue, float]] = deque()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._waiting)

    def next(self, paused: set[str]) -> tuple[RQJob, Queue] | None:
        """The oldest waiting job still fit to start; the unfit ones go back to their queue."""
        unfit = []
        try:
            with self._lock:
                while self._waiting:
                    job, queue, taken_at = self._waiting.popleft()
                    if queue.name in paused or time.monotonic() - taken_at > MAX_WAIT:
                        unfit.append((job, queue))
                        continue
                    return job, queue
            return None
        finally:
            self._put_back(unfit, "queue paused or waited too long")

    def fill(self, queues: list[Queue], unreadable: Callable[[Exception], None]) -> int:
        """Take up to ``bound + 1`` jobs from ``queues`` in priority order; how many were taken."""
        keys = [key for queue in queues for key in (queue.key, queue.intermediate_queue_key)]
        reply = self._script(keys=keys, args=[self.bound + 1])
        ids = [(as_text(reply[i]), as_text(reply[i + 1])) for i in range(0, len(reply), 2)]
        if not ids:
            return 0
        by_key = {queue.key: queue for queue in queues}
        with self._connection.pipeline(transaction=False) as pipe:
            for _, job_id in ids:
                pipe.hgetall(RQJob.key_for(job_id))
            hashes = pipe.execute()
        taken_at = time.monotonic()
        for (queue_key, job_id), data in zip(ids, hashes, strict=True):
            queue = by_key[queue_key]
            job = self._restore(job_id, queue, data, unreadable)
            if job is not None:
                with self._lock:
                    self._waiting.append((job, queue, taken_at))
        return len(ids)

    def _restore(self, job_id: str, queue: Queue, data: dict, unreadable) -> RQJob | None:
        if not data:  # like RQ: an id without a hash is skipped (reconcile restores a waiting row's)
            self._connection.lrem(queue.intermediate_queue_key, 1, job_id)
            return None
        job = self._job_class(job_id, connection=self._connection, serializer=self._serializer)
        try:
            job.restore(data)
        except Exception as exc:
            exc.job_id, exc.queue = job_id, queue
            unreadable(exc)
            return None
        return job

    def expire(self) -> None:
        """Give back the jobs that waited too long (called by the monitor thread)."""
        with self._lock:
            oldest = self._waiting[0][2] if self._waiting else None
        if oldest is not None and time.monotonic() - oldest > MAX_WAIT:
            self.give_back_all("waited too long for a slot")

    def give_back_all(self, why: str = "the worker stops") -> None:
        with self._lock:
            waiting = [(job, queue) for job, queue, _ in self._waiting]
            self._waiting.clear()
        self._put_back(waiting, why)

    def _put_back(self, jobs: list[tuple[RQJob, Queue]], why: str) -> None:
        """Back to the front of their queues, first taken first again, in one MULTI: an id is
        in its intermediate list or its queue, never in neither."""
        if not jobs:
            return
        with self._connection.pipeline() as pipe:
            for job, queue in reversed(jobs):
                pipe.lrem(queue.intermediate_queue_key, 1, job.id)
                pipe.lpush(queue.key, job.id)
            pipe.execute()
        logger.info("put back %s prefetched job(s): %s", len(jobs), why)
