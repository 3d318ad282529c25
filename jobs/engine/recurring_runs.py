"""Turning recurring schedules into Jobs, exactly once, from the scheduler process.

Every poll (0.5 s) each ``rqscheduler`` process calls :func:`enqueue_due_runs`. A
recurring job whose ``next_run_at`` has come gets its run created as a Job
(``source="recurring"``, ``scheduled_for`` = the run time) and queued at once — as
soon as a one-off job due at that time would be moved to its queue. With
``JOBS['RECURRING_LOOKAHEAD']`` > 0 (default 0) runs are created that many seconds
ahead and handed to rq-scheduler for their precise time instead.

Two guards make each run happen once even with several schedulers (rq-scheduler's own
lock doesn't, rq-scheduler#312):

1. advancing ``next_run_at`` is a compare-and-set — only the process that saw the old
   value wins;
2. ``Job(recurring_job, scheduled_for)`` is unique in the database, so even a reset
   ``next_run_at`` can't produce a second Job for one run time.

**Max concurrent runs** is checked when a run is created (at its time, or the lookahead
before it): with that many runs of this recurring job still unfinished, the run is
skipped, counted in ``skipped_count`` and logged.

**Misfires** (the scheduler was down): if the planned time is more than
``JOBS['RECURRING_MISFIRE_GRACE']`` seconds (60) old, or later run times have also
passed, the missed runs are collapsed. ``run_once`` (the default) makes one catch-up
run now, for the latest missed time; ``skip`` makes none unless the latest missed time
is itself within the grace period. Either way the schedule then continues from its
next future time. A late run within the grace period is not a misfire: it just runs.

:func:`reconcile_recurring_jobs` (at scheduler start, then every minute) repairs the
rest: enabled jobs without a next run (created or edited behind the services' back),
a ``next_run_at`` that no longer matches an edited schedule row, paused or ended jobs
that still have one. Runs already created but lost from Redis are restored by the
general job reconcile (:func:`jobs.engine.housekeeping.reconcile`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jobs import conf, signals
from jobs.core import schedules
from jobs.engine.creation import build_job, dispatch_job
from jobs.exceptions import JobsError
from jobs.models import Job, RecurringJob

logger = logging.getLogger("jobs.recurring")

BATCH = 200


@dataclass(frozen=True)
class Plan:
    """What to do about one due recurring job."""

    run_time: datetime | None
    following: datetime | None
    skipped: int
    reason: str = ""


def enqueue_due_runs(now: datetime | None = None, lookahead: float | None = None) -> list[Job]:
    """Create the Job of every recurring run due by ``now`` + lookahead; returns them."""
    now = now or timezone.now()
    settings = conf.get()
    horizon = now + timedelta(seconds=settings.RECURRING_LOOKAHEAD if lookahead is None else lookahead)
    due = (
        RecurringJob.objects.filter(enabled=True, next_run_at__lte=horizon)
        .select_related("crontab", "interval", "clocked")
        .order_by("next_run_at")[:BATCH]
    )
    created = []
    for rj in due:
        job = create_run(rj, now)
        if job is not None:
            created.append(job)
    return created


def plan_run(rj: RecurringJob, now: datetime) -> Plan:
    """Decide the run time (if any) and the next planned time, by the misfire policy."""
    planned = rj.next_run_at
    grace = timedelta(seconds=conf.get().RECURRING_MISFIRE_GRACE)
    if planned > now:
        return Plan(planned, schedules.next_run(rj, planned), 0)
    latest, count = schedules.latest_due(rj, planned, now)
    following = schedules.next_run(rj, latest)
    if count == 1 and planned >= now - grace:
        return Plan(planned, following, 0)
    if latest >= now - grace:
        return Plan(latest, following, count - 1, f"{count - 1} missed run(s) skipped")
    if rj.misfire_policy == RecurringJob.MisfirePolicy.RUN_ONCE:
        return Plan(latest, following, count - 1, f"{count} missed run(s) caught up with one run")
    return Plan(None, following, count, f"{count} missed run(s) skipped (misfire policy: skip)")


def create_run(rj: RecurringJob, now: datetime) -> Job | None:
    """Create one run of ``rj``; None if another scheduler did, or the run was skipped."""
    plan = plan_run(rj, now)
    run_time, skipped, reason = plan.run_time, plan.skipped, plan.reason
    if run_time is not None and _at_capacity(rj):
        run_time, skipped = None, skipped + 1
        reason = (
            f"run at {plan.run_time.isoformat()} skipped: {rj.max_concurrent_runs} run(s) still unfinished"
        )
    job = None
    if run_time is not None:
        try:
            job = _build(rj, run_time, now)
        except JobsError as exc:
            run_time, skipped, reason = None, skipped + 1, f"run skipped: {exc.message}"
    try:
        with transaction.atomic():
            if not _advance(rj, plan.following, run_time, skipped):
                return None
            if job is not None:
                job.save(force_insert=True)
                transaction.on_commit(lambda: dispatch_job(job), robust=True)
                transaction.on_commit(lambda: signals.send(signals.job_created, job=job))
    except IntegrityError:
        # This run time already has its Job (next_run_at had been set back): move on.
        logger.warning("recurring job %r: run at %s already exists", rj.name, run_time)
        _advance(rj, plan.following, None, 0)
        return None
    if reason:
        logger.warning("recurring job %r: %s", rj.name, reason)
    return job


def _at_capacity(rj: RecurringJob) -> bool:
    return Job.objects.filter(recurring_job=rj).unfinished().count() >= rj.max_concurrent_runs


def _build(rj: RecurringJob, run_time: datetime, now: datetime) -> Job:
    job, _ = build_job(
        rj.task,
        args=rj.args,
        kwargs=rj.kwargs,
        queue=rj.queue or None,
        priority=rj.priority or None,
        run_at=run_time if run_time > now else None,
        source="recurring",
        recurring_job=rj,
        now=now,
    )
    job.scheduled_for = run_time
    return job


def _advance(rj: RecurringJob, following: datetime | None, run_time: datetime | None, skipped: int) -> bool:
    """Move ``next_run_at`` on, if nobody else has: the compare-and-set guard."""
    changes = {"next_run_at": following}
    if run_time is not None:
        changes.update(run_count=F("run_count") + 1, last_run_at=run_time)
    if skipped:
        changes["skipped_count"] = F("skipped_count") + skipped
    return bool(
        RecurringJob.objects.filter(pk=rj.pk, enabled=True, next_run_at=rj.next_run_at).update(**changes)
    )


def reconcile_recurring_jobs(now: datetime | None = None) -> dict[str, int]:
    """Make every recurring job's ``next_run_at`` agree with its schedule. Idempotent."""
    now = now or timezone.now()
    repaired = {"scheduled": 0, "rescheduled": 0, "stopped": 0}
    stopped = RecurringJob.objects.filter(enabled=False, next_run_at__isnull=False).update(next_run_at=None)
    repaired["stopped"] = stopped
    for rj in RecurringJob.objects.filter(enabled=True).select_related("crontab", "interval", "clocked"):
        key = _repair(rj, now)
        if key:
            repaired[key] += 1
    if any(repaired.values()):
        logger.warning("recurring reconcile repaired %s", repaired)
    return repaired


def _repair(rj: RecurringJob, now: datetime) -> str | None:
    # A run created ahead of its time already covers the schedule up to last_run_at.
    after = max(now, rj.last_run_at) if rj.last_run_at else now
    try:
        expected = schedules.next_run(rj, after)
    except schedules.ScheduleError:
        logger.exception("recurring job %r has a schedule that can't be computed", rj.name)
        return None
    current = rj.next_run_at
    if current is None and expected is None:
        return None
    if current is not None and current <= now:
        return None
    if current == expected:
        return None
    changed = RecurringJob.objects.filter(pk=rj.pk, enabled=True, next_run_at=current).update(
        next_run_at=expected
    )
    if not changed:
        return None
    return "scheduled" if current is None else "rescheduled"
