"""Jobdesk's side of RQ and rq-scheduler: queues, enqueueing, stop commands, keys.

The engine package is the only code that imports rq, rq-scheduler, redis or django-rq
(an import-linter contract holds that); within it, this module owns the connection and
every Redis key Jobdesk writes itself.

Every RQ job Jobdesk creates runs :func:`jobs.engine.execution.run_job` with the Job's id as
its one argument and the Job's id as its own id. Jobs travel with RQ's JSON serializer,
so no Jobdesk process ever unpickles anything it read from Redis.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import django_rq
from django.conf import settings
from redis import ConnectionPool, Redis
from redis.exceptions import RedisError as RedisError  # caught outside the engine, which never imports redis
from rq import Queue, get_current_job
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job as RQJob
from rq.registry import DeferredJobRegistry, FailedJobRegistry
from rq.serializers import JSONSerializer
from rq_scheduler import Scheduler as RQScheduler

from jobs import conf
from jobs.conf import REDIS_PREFIX

if TYPE_CHECKING:
    from jobs.models import Job

RUN_JOB = "jobs.engine.execution.run_job"
PAUSED_QUEUES_KEY = REDIS_PREFIX + "paused_queues"
COUNTERS_KEY = REDIS_PREFIX + "counters:{queue}"
RUNTIMES_KEY = REDIS_PREFIX + "runtimes:{queue}"
SCHEDULED_JOBS_KEY = RQScheduler.scheduled_jobs_key
OUTCOME_KEY = REDIS_PREFIX + "outcome:{job_id}:{execution_id}"
"""One key per execution: a stale execution's report never overwrites the live one's."""
OUTCOME_TTL = 7 * 24 * 3600
"""An outcome nobody recorded outlives any worker restart and any housekeeping pass."""


class JSONJob(RQJob):
    """An RQ job that (de)serializes with JSON unless told otherwise.

    rq-scheduler creates and fetches jobs without passing a serializer; this class makes
    its default JSON too.
    """

    def __init__(self, id=None, connection=None, serializer=None):
        super().__init__(id=id, connection=connection, serializer=serializer or JSONSerializer)


def connection() -> Redis:
    """The Redis client all of Jobdesk shares within a process.

    django-rq's ``get_connection`` builds a new client, and so opens a new TCP
    connection, on every call; a work-horse doing that twice per job spent more on
    connecting than on the job. One client keeps one pool; redis-py's pool notices a
    fork and starts afresh in the child, so processes never share a socket.
    """
    name = conf.get().DEFAULT_QUEUE
    key = repr(sorted(settings.RQ_QUEUES[name].items()))
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = django_rq.get_connection(name)
    return client


_clients: dict[str, Redis] = {}
"""By django-rq's connection settings, so ``override_settings`` gets its own client."""


def short_timeout_connection(timeout: float) -> Redis:
    """The shared connection's server, with timeouts that keep a dead Redis from hanging us."""
    pool = connection().connection_pool
    kwargs = {**pool.connection_kwargs, "socket_timeout": timeout, "socket_connect_timeout": timeout}
    return Redis(connection_pool=ConnectionPool(connection_class=pool.connection_class, **kwargs))


def current_connection() -> Redis:
    """The running RQ job's connection inside a worker (no new socket), else :func:`connection`."""
    rq_job = get_current_job()
    return rq_job.connection if rq_job else connection()


def same_server(one: Redis, other: Redis) -> bool:
    """Whether two clients talk to the same Redis database."""
    keys = ("host", "port", "path", "db", "username")
    first, second = one.connection_pool.connection_kwargs, other.connection_pool.connection_kwargs
    return all(first.get(key) == second.get(key) for key in keys)


def queue(name: str, redis: Redis | None = None) -> Queue:
    return Queue(name, connection=redis or connection(), job_class=JSONJob, serializer=JSONSerializer)


def scheduler(redis: Redis | None = None) -> RQScheduler:
    """An rq-scheduler client for adding and removing scheduled jobs (not the loop)."""
    return RQScheduler(connection=redis or connection(), job_class=JSONJob, queue_class=Queue)


def _job_options(job: Job, settings: conf.JobsSettings | None = None) -> dict:
    settings = settings or conf.get()
    return {
        "job_id": str(job.pk),
        "timeout": job.timeout or settings.DEFAULT_TIMEOUT,
        "result_ttl": settings.RQ_RESULT_TTL,
        "failure_ttl": settings.RQ_FAILURE_TTL,
        "description": job.task,
        "at_front": job.priority == "urgent",
    }


def enqueue(job: Job, depends_on: Sequence[str] = ()) -> None:
    """Put a Job's execution copy in its queue (or RQ's deferred registry)."""
    queue(job.queue).enqueue_call(
        RUN_JOB, args=(str(job.pk),), depends_on=list(depends_on) or None, **_job_options(job)
    )


def enqueue_many(jobs: Iterable[Job]) -> None:
    """Enqueue many Jobs with one pipeline per queue (RQ's ``enqueue_many``)."""
    settings = conf.get()
    by_queue: dict[str, list] = {}
    for job in jobs:
        options = _job_options(job, settings)
        by_queue.setdefault(job.queue, []).append(
            Queue.prepare_data(RUN_JOB, args=(options["job_id"],), **options)
        )
    redis = connection()
    for name, data in by_queue.items():
        with redis.pipeline() as pipe:
            queue(name, redis).enqueue_many(data, pipeline=pipe)
            pipe.execute()


def schedule(job: Job, when: datetime) -> None:
    """Hand a Job to rq-scheduler, which moves it to its queue at ``when``."""
    options = _job_options(job)
    redis = connection()
    scheduler(redis).enqueue_at(
        when,
        RUN_JOB,
        str(job.pk),
        job_id=options["job_id"],
        timeout=options["timeout"],
        job_result_ttl=options["result_ttl"],
        job_description=options["description"],
        queue_name=job.queue,
        at_front=options["at_front"],
    )
    # rq-scheduler stores whole seconds; keep the precise time so the job isn't early.
    redis.zadd(SCHEDULED_JOBS_KEY, {options["job_id"]: when.timestamp()})


def schedule_retry(job: Job, when: datetime) -> None:
    """Schedule the next attempt of a job whose RQ copy already exists.

    Called while the failing attempt is still being recorded by RQ, so only the
    scheduler's sorted set is touched: rewriting the job hash here would race RQ's own
    failure bookkeeping. If the hash is gone (Redis lost it), a new one is written.
    """
    redis = connection()
    if redis.exists(RQJob.key_for(str(job.pk))):
        redis.zadd(SCHEDULED_JOBS_KEY, {str(job.pk): when.timestamp()})
    else:
        schedule(job, when)


def remove(job_id: str) -> None:
    """Take a job out of Redis: its queue, rq-scheduler and the deferred registry."""
    redis = connection()
    redis.zrem(SCHEDULED_JOBS_KEY, job_id)
    try:
        rq_job = JSONJob.fetch(job_id, connection=redis)
    except NoSuchJobError:
        return
    q = queue(rq_job.origin, redis)
    q.remove(job_id)
    DeferredJobRegistry(q.name, connection=redis).remove(job_id)
    rq_job.delete(remove_from_queue=True)


def stop(job_id: str) -> bool:
    """Ask the worker running ``job_id`` to kill it (RQ's stop-job command).

    Returns False when no worker was running it any more.
    """
    try:
        send_stop_job_command(connection(), job_id, serializer=JSONSerializer)
    except (InvalidJobOperation, NoSuchJobError):
        return False
    return True


def forget_failure(job_ids: Iterable[str], redis: Redis | None = None) -> None:
    """Drop jobs from RQ's failed registries once Jobdesk has re-queued them."""
    redis = redis or connection()
    ids = list(job_ids)
    if not ids:
        return
    for name in conf.get().QUEUES:
        redis.zrem(FailedJobRegistry(name, connection=redis).key, *ids)


def execution_copies(
    job_ids: Sequence[str], redis: Redis | None = None
) -> list[tuple[str | None, float | None]]:
    """For each job: RQ's status of its copy (None if Redis has none) and its due time in
    rq-scheduler (None if it isn't scheduled there), in one round trip."""
    redis = redis or connection()
    with redis.pipeline(transaction=False) as pipe:
        for job_id in job_ids:
            pipe.hget(RQJob.key_for(job_id), "status")
            pipe.zscore(SCHEDULED_JOBS_KEY, job_id)
        replies = pipe.execute()
    return [
        (status.decode() if status else None, score)
        for status, score in zip(replies[::2], replies[1::2], strict=True)
    ]


def _outcome_key(job_id: str, execution_id: object) -> str:
    return OUTCOME_KEY.format(job_id=job_id, execution_id=execution_id or "")


def put_outcome(job_id: str, outcome: dict) -> None:
    """Work-horse side: leave how the attempt ended (``outcome["execution_id"]`` says
    whose) for the worker process to record."""
    key = _outcome_key(job_id, outcome.get("execution_id"))
    connection().set(key, json.dumps(outcome), ex=OUTCOME_TTL)


def peek_outcome(job_id: str, execution_id: object, redis: Redis | None = None) -> dict | None:
    """The outcome execution ``execution_id`` of a job left and nobody recorded yet, if any."""
    raw = (redis or connection()).get(_outcome_key(job_id, execution_id))
    return json.loads(raw) if raw else None


def forget_outcome(job_id: str, execution_id: object, redis: Redis | None = None) -> None:
    """Recorded: deleted only now, so a crash while recording leaves it for housekeeping."""
    (redis or connection()).delete(_outcome_key(job_id, execution_id))


def rq_status(job_id: str, redis: Redis | None = None) -> str | None:
    """RQ's status of a job's execution copy, or None if Redis has none."""
    value = (redis or connection()).hget(RQJob.key_for(job_id), "status")
    return value.decode() if value else None


def paused_queues(redis: Redis | None = None) -> set[str]:
    return {name.decode() for name in (redis or connection()).smembers(PAUSED_QUEUES_KEY)}


def set_paused(names: Iterable[str], paused: bool, redis: Redis | None = None) -> None:
    names = list(names)
    if not names:
        return
    redis = redis or connection()
    if paused:
        redis.sadd(PAUSED_QUEUES_KEY, *names)
    else:
        redis.srem(PAUSED_QUEUES_KEY, *names)
