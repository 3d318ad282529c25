"""The two calls execution makes: :func:`claim` before an attempt, :func:`release` after.

With no limit configured anywhere the claim is the plain one and costs nothing more.
Otherwise the job's task, queue and arguments are read first (one indexed read), its
scopes' slots and rate windows taken in one Redis script, and the attempt claimed only
then; a job refused there waits (:mod:`jobs.engine.flow.waiting`) and is never claimed,
so it uses no attempt.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from typing import Any

from jobs import conf
from jobs.core import registry
from jobs.core.states import STARTABLE
from jobs.engine import broker
from jobs.engine.flow import breakers, keys, leases, scopes, slots, waiting
from jobs.models import Job

logger = logging.getLogger("jobs.flow")

Start = Callable[[str, str], Job | None]


class Held(enum.Enum):
    """What :func:`claim` answers for a job it sent back to wait (``event=held`` is logged),
    so the caller doesn't mistake it for one that wasn't startable."""

    HELD = "held"


HELD = Held.HELD

_configured: tuple[object, int, bool] | None = None


def limits_configured() -> bool:
    """Whether any task or queue has a limit or a breaker; cached per settings and registry size."""
    global _configured
    marker = (conf.get(), len(registry.task_names()))
    if _configured is None or _configured[:2] != marker:
        _configured = (*marker, scopes.any_limits())
    return _configured[2] or bool(scopes.overrides())


def claim(job_id: str, worker_name: str, start: Start) -> Job | Held | None:
    """Claim the attempt with ``start`` if the job's limits let it start now, else hold it
    (:data:`HELD`); None when ``start`` refused (the job isn't startable)."""
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
    breaker = breakers.breaker_of(row["task"])
    if not limits and breaker is None:
        return start(job_id, worker_name)
    now, order = time.time(), row["created_at"].timestamp()
    refusal = breakers.check(breaker, job_id, order, now) if breaker else None
    if refusal is None and limits:
        refusal = _admit(job_id, limits, now, order)
    if refusal is not None:
        waiting.defer(job_id, refusal, limits, now)
        return HELD
    if not limits:  # an admitted job's note went with its slots (slots.admit)
        broker.connection().delete(keys.note(job_id))
    job = start(job_id, worker_name)
    if job is None:
        _give_back(job_id, limits)
    return job


def _admit(job_id: str, limits: scopes.Limits, now: float, order: float) -> slots.Refusal | None:
    """Take the slots; a full scope first evicts holders whose attempt died, then tries again."""
    refusal = slots.admit(job_id, limits, now, order)
    if refusal is not None and refusal.kind == "concurrency" and leases.evict_dead(refusal.scope, now):
        refusal = slots.admit(job_id, limits, now, order)
    return refusal


def release(job: Job, outcome: Any) -> None:
    """The attempt ended (``outcome``: execution's ``Outcome``): free its slots, wake who
    waited for them, and count the outcome for its breaker."""
    if not limits_configured():
        return
    limits = scopes.limits_for(job.task, job.queue, job.args, job.kwargs)
    if limits:
        _give_back(str(job.pk), limits)
    failure = "" if outcome.ok else failure_name(outcome.exception, outcome.traceback)
    breakers.record(job, outcome.ok, failure)


def failure_name(exception: BaseException | None, traceback: str) -> str:
    """The failing exception's class as ``module.Qualname`` (builtins bare), from the
    exception in this process or else from its traceback's last line (a work-horse's)."""
    if exception is not None:
        cls = type(exception)
        return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    lines = traceback.strip().splitlines()
    return lines[-1].split(":", 1)[0].strip() if lines else ""


def _give_back(job_id: str, limits: scopes.Limits) -> None:
    woken = slots.release(job_id, limits)
    if woken:
        waiting.mark_queued(woken)
        logger.info("job_id=%s event=slot_freed woke=%s", job_id, ",".join(woken))
