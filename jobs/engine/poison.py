"""Entries in Redis that no Jobdesk process may run, set aside where people can see them.

A job hash that can't be decoded (a pickle, garbage, a status RQ doesn't know) or that
names any function but :data:`jobs.engine.broker.RUN_JOB` was not written by Jobdesk:
something else wrote to Redis. The scheduler and the worker take such an entry out of
the way instead of crashing on it (rq-scheduler would exit at every start) or running
it (RQ would import and call whatever it names). Each one is recorded in the
``jobdesk:poison`` hash (job id → where, why, when), counted by the health check, and
its job hash, if it can't be decoded, is renamed to ``jobdesk:poison:job:<id>`` so no
other reader chokes on it. A Job row with the same id is not touched: reconcile gives
it a fresh RQ copy, so nothing Jobdesk accepted is lost.
"""

from __future__ import annotations

import json
import logging
import time

from redis import Redis
from redis.client import Pipeline
from rq.exceptions import DeserializationError
from rq.job import Job as RQJob

from jobs.conf import REDIS_PREFIX
from jobs.engine.broker import RUN_JOB

logger = logging.getLogger("jobs.poison")

POISON_KEY = REDIS_PREFIX + "poison"
MOVED_JOB_KEY = REDIS_PREFIX + "poison:job:{job_id}"
KEEP_SECONDS = 7 * 24 * 3600


def record(job_id: str, where: str, reason: str, pipeline: Pipeline) -> None:
    """Add the entry to the poison hash (in the caller's pipeline) and log it."""
    entry = {"where": where, "reason": reason, "at": time.time()}
    pipeline.hset(POISON_KEY, job_id, json.dumps(entry))
    logger.error("job_id=%s event=poison where=%s reason=%r: set aside, not run", job_id, where, reason)


def move_job_hash(job_id: str, redis: Redis, pipeline: Pipeline) -> None:
    """Rename an undecodable job hash out of RQ's key space, kept for a week to look at."""
    if redis.exists(RQJob.key_for(job_id)):
        moved = MOVED_JOB_KEY.format(job_id=job_id)
        pipeline.rename(RQJob.key_for(job_id), moved)
        pipeline.expire(moved, KEEP_SECONDS)


def count(redis: Redis) -> int:
    return int(redis.hlen(POISON_KEY))


def entries(redis: Redis) -> dict[str, dict]:
    """Every entry set aside, by job id (what an operator reads before clearing them)."""
    return {key.decode(): json.loads(value) for key, value in redis.hgetall(POISON_KEY).items()}


def why_poison(job: RQJob) -> str | None:
    """Why this RQ job is not one Jobdesk created, or None if it is. Imports nothing.

    Every job Jobdesk creates names :data:`jobs.engine.broker.RUN_JOB`, no instance, no
    callback and no webhook. ``Job.func_name`` only decodes the job's JSON data (RQ
    imports the function later, in ``Job.func``).
    """
    try:
        func_name, instance = job.func_name, job.instance
    except DeserializationError:
        return "its data can't be decoded as JSON"
    if func_name != RUN_JOB or instance is not None:
        return f"it names {func_name!r}, not {RUN_JOB}"
    callbacks = (job._success_callback_name, job._failure_callback_name, job._stopped_callback_name)
    if any(callbacks) or job.webhooks:
        return "it carries callbacks or webhooks, which Jobdesk never sets"
    return None
