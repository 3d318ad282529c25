"""A job over a limit waits as ``scheduled``, out of its queue, with a reason.

It is neither failed nor charged an attempt: the claim never happened. Its row goes
back to ``scheduled`` with the time it looks again as ``run_at``, its RQ copy into
rq-scheduler's set for that time (the reconcile step restores it from the row like any
scheduled job), and a note says why, for its page and its timeline. A concurrency
wait is cut short when a slot frees (:func:`jobs.engine.flow.slots.release`); a rate
wait ends when its window opens, later jobs spread over later windows.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from jobs import conf
from jobs.core import flow
from jobs.core.states import WAITING, JobStatus
from jobs.engine import broker
from jobs.engine.flow import keys
from jobs.engine.flow.scopes import Limits
from jobs.engine.flow.slots import Refusal
from jobs.models import Job, JobLog
from jobs.models.journal import log_event

logger = logging.getLogger("jobs.flow")

HELD_BY = {
    "concurrency": keys.waiting,
    "rate": keys.rate_held,
    "breaker": lambda name: keys.BREAKER_HELD.format(name=name),
}
"""Which held set a refusal of each kind put the job in."""
MAX_RECHECK = 300.0
"""However far back in line, a held job looks again at least this often (seconds)."""


def until(refusal: Refusal, limits: Limits, now: float) -> float:
    """When a refused job should look again: its turn, as far as can be told."""
    if refusal.kind == "breaker":
        return max(refusal.at, now + 0.1)
    if refusal.kind == "rate":
        rate = dict(limits.rates)[refusal.scope]
        return refusal.at + rate.duration + (refusal.rank // rate.max) * rate.duration + 0.001
    limit = dict(limits.concurrency)[refusal.scope]
    recheck = conf.get().FLOW_RECHECK_INTERVAL
    return now + min(recheck * (1 + refusal.rank // limit), MAX_RECHECK)


def describe(refusal: Refusal, limits: Limits) -> str:
    if refusal.kind == "breaker" and refusal.at >= flow.FOREVER:
        return f"{refusal.scope} breaker forced open"
    if refusal.kind == "breaker":
        at = timezone.localtime(datetime.fromtimestamp(refusal.at, tz=UTC))
        return f"{refusal.scope} breaker open until {at:%H:%M:%S}"
    if refusal.kind == "rate":
        return f"rate limit {dict(limits.rates)[refusal.scope]} of {refusal.scope}"
    return f"concurrency limit {dict(limits.concurrency)[refusal.scope]} of {refusal.scope}"


def defer(job_id: str, refusal: Refusal, limits: Limits, now: float | None = None) -> bool:
    """Send a refused job back to wait; False if it is no longer waiting (cancelled)."""
    now = now or time.time()
    due = until(refusal, limits, now)
    run_at = datetime.fromtimestamp(due, tz=UTC)
    if not Job.objects.filter(pk=job_id, status__in=WAITING).update(
        status=JobStatus.SCHEDULED, run_at=run_at
    ):
        broker.connection().zrem(HELD_BY[refusal.kind](refusal.scope), job_id)
        return False
    reason = describe(refusal, limits)
    note = {"kind": refusal.kind, "scope": refusal.scope, "reason": reason, "until": due}
    redis = broker.connection()
    with redis.pipeline(transaction=False) as pipe:
        pipe.zadd(broker.SCHEDULED_JOBS_KEY, {job_id: due})
        pipe.exists(keys.note(job_id))
        pipe.set(keys.note(job_id), json.dumps(note), ex=int(due - now) + 60)
        _, noted, _ = pipe.execute()
    if not noted:
        job = Job(pk=job_id, attempts=0)
        log_event(job, JobLog.Event.LOG, f"Waiting: {reason}.", attempt=None)
    logger.info("job_id=%s event=held reason=%r until=%s", job_id, reason, run_at.isoformat())
    return True


def mark_queued(job_ids: list[str]) -> int:
    """Jobs a freed slot moved to their queue: say so in their rows."""
    if not job_ids:
        return 0
    return Job.objects.filter(pk__in=job_ids, status=JobStatus.SCHEDULED).update(
        status=JobStatus.QUEUED, enqueued_at=timezone.now()
    )


def note(job_id: str) -> dict[str, Any] | None:
    """Why a job waits on a limit (``reason``, ``until`` as a timestamp), if it does."""
    raw = broker.connection().get(keys.note(job_id))
    return json.loads(raw) if raw else None


def notes(job_ids: list[str]) -> dict[str, dict[str, Any]]:
    """:func:`note` for many jobs in one round trip (a page of them)."""
    if not job_ids:
        return {}
    raws = broker.connection().mget([keys.note(job_id) for job_id in job_ids])
    return {job_id: json.loads(raw) for job_id, raw in zip(job_ids, raws, strict=True) if raw}
