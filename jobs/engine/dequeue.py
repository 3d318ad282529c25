"""Take the next job so that, until it starts, its id is always in some Redis list.

RQ 3.0 moves a dequeued id into its queue's intermediate list (``BLMOVE``) only when
a worker listens on one queue; with several (``rqworker high normal low``) it pops the
id with ``BLPOP`` into no list at all, and a worker killed before the job starts then
leaves a job that is nowhere but in its hash, ``queued`` forever. Here every dequeue
leaves the id in the intermediate list, which :mod:`jobs.engine.abandoned` watches:

* first a Lua script moves the head of the first non-empty queue, in priority order,
  into that queue's intermediate list, atomically: a busy worker never holds an id
  that is in no list;
* only when every queue is empty does it block, as RQ does: on one queue ``BLMOVE``
  (atomic); on several ``BLPOP``, whose id is pushed into the intermediate list by the
  very next command. A worker killed in the microseconds between the two leaves the
  id in no list; :func:`jobs.engine.abandoned.requeue_popped` finds those.

The worker takes the id out of the intermediate list when the job starts (RQ's
``prepare_job_execution``, told to whatever the number of queues), when it refuses
the job, or when the queue was paused meanwhile and it puts the job back.
"""

from __future__ import annotations

from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.intermediate_queue import IntermediateQueue
from rq.job import Job as RQJob
from rq.queue import Queue
from rq.utils import as_text

_TAKE_FIRST = """
for i = 1, #KEYS, 2 do
  local job_id = redis.call('LMOVE', KEYS[i], KEYS[i + 1], 'LEFT', 'RIGHT')
  if job_id then return {KEYS[i], job_id} end
end
return false
"""


def take(
    queues: list[Queue], timeout: int | None, connection: Redis, job_class: type[RQJob], serializer
) -> tuple[RQJob, Queue] | None:
    """The next job of the first non-empty queue, blocking up to ``timeout`` seconds
    (``None``: don't block); ``None`` if there is none. Its id is left in its queue's
    intermediate list."""
    while True:
        taken = _take_id(queues, timeout, connection)
        if taken is None:
            return None
        queue_key, job_id = taken
        queue = next(queue for queue in queues if queue.key == queue_key)
        try:
            return job_class.fetch(job_id, connection=connection, serializer=serializer), queue
        except NoSuchJobError:
            # Like RQ: an id without a hash is skipped (reconcile restores a waiting row's).
            queue.intermediate_queue.remove(job_id)
        except Exception as exc:
            exc.job_id, exc.queue = job_id, queue  # what RQ attaches: the worker sets it aside
            raise


def _take_id(queues: list[Queue], timeout: int | None, connection: Redis) -> tuple[str, str] | None:
    keys = [key for queue in queues for key in (queue.key, queue.intermediate_queue_key)]
    taken = connection.register_script(_TAKE_FIRST)(keys=keys)
    if taken:
        return as_text(taken[0]), as_text(taken[1])
    if timeout is None:
        return None
    if len(queues) == 1:
        moved = connection.blmove(queues[0].key, queues[0].intermediate_queue_key, timeout)
        return None if moved is None else (queues[0].key, as_text(moved))
    popped = connection.blpop([queue.key for queue in queues], timeout)
    if popped is None:
        return None
    queue_key, job_id = as_text(popped[0]), as_text(popped[1])
    connection.rpush(IntermediateQueue.get_intermediate_queue_key(queue_key), job_id)
    return queue_key, job_id
