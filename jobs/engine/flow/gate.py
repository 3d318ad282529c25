"""The two calls execution makes: :func:`claim` before an attempt, :func:`release` after.

With no limit configured anywhere the claim is the plain one and costs nothing more.
Otherwise the job's task, queue and arguments are read first (one indexed read), its
scopes' slots and rate windows taken in one Redis script, and the attempt claimed only
then; a job refused there waits (:mod:`jobs.engine.flow.waiting`) and is never claimed,
so it uses no attempt.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from jobs import conf
from jobs.core import registry
from jobs.core.states import STARTABLE
from jobs.engine import broker
from jobs.engine.flow import keys, leases, scopes, slots, waiting
from jobs.models import Job

logger = logging.getLogger("jobs.flow")

Start = Callable[[str, str], Job | None]

_configured: tuple[object, int, bool] | None = None


def limits_configured() -> bool:
    """Whether any task or queue has a limit; cached per settings object and registry size."""
    global _configured
    marker = (conf.get(), len(registry.task_names()))
    if _configured is None or _configured[:2] != marker:
        _configured = (*marker, scopes.any_limits())
    return _configured[2]


def claim(job_id: str, worker_name: str, start: Start) -> Job | None:
    """Claim the attempt with ``start`` if the job's limits let it start now, else hold it."""
    if not limits_configured():
        return start(job_id, worker_name)
    row = (
        Job.objects.filter(pk=job_id)
        .values("task", "queue", "args", "kwargs", "created_at", "status")
        .first()
    )
    if row is None or row["status"] not in STARTABLE:
        return start(job_id, worker_name)
    limits = scopes.limits_for(row["task"], row["queue"], row["args"], row["kwargs"])
    if not limits:
        return start(job_id, worker_name)
    now = time.time()
    refusal = slots.admit(job_id, limits, now, row["created_at"].timestamp())
    if refusal is not None and refusal.kind == "concurrency" and leases.evict_dead(refusal.scope, now):
        refusal = slots.admit(job_id, limits, now, row["created_at"].timestamp())
    if refusal is not None:
        waiting.defer(job_id, refusal, limits, now)
        return None
    broker.connection().delete(keys.note(job_id))
    job = start(job_id, worker_name)
    if job is None:
        _give_back(job_id, limits)
    return job


def release(job: Job) -> None:
    """The attempt ended (recorded): free its slots and wake who waited for them."""
    if not limits_configured():
        return
    limits = scopes.limits_for(job.task, job.queue, job.args, job.kwargs)
    if limits:
        _give_back(str(job.pk), limits)


def _give_back(job_id: str, limits: scopes.Limits) -> None:
    woken = slots.release(job_id, limits)
    if woken:
        waiting.mark_queued(woken)
        logger.info("job_id=%s event=slot_freed woke=%s", job_id, ",".join(woken))
