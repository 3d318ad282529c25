"""Recurring jobs: create, edit, delete, trigger, pause and resume.

The database is the source of truth. A RecurringJob's ``next_run_at`` is what the
scheduler reads every poll (see :mod:`jobs.engine.recurring_runs`), so a change is
seen by every scheduler process as soon as it commits — nothing about the schedule
itself lives in Redis. Runs already handed to rq-scheduler (at most
``JOBS['RECURRING_LOOKAHEAD']`` seconds ahead) are cancelled when the schedule
changes, pauses or goes away.

Pausing is not downtime: runs that fall while a recurring job is paused are not caught
up on resume; the next run is the next one after the moment of resuming.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule

from jobs.core import schedules
from jobs.core.recurring_rules import KINDS, build_schedule, validate_recurring_job
from jobs.core.schedules import CRON_FIELDS
from jobs.core.states import JobStatus
from jobs.exceptions import InvalidArguments, InvalidTransition, RecurringJobNotFound
from jobs.models import Job, RecurringJob
from jobs.models.journal import describe_actor
from jobs.services.jobs import cancel_job, schedule_job

logger = logging.getLogger("jobs.recurring")

EDITABLE = (
    "name",
    "task",
    "args",
    "kwargs",
    "queue",
    "priority",
    "schedule",
    "enabled",
    "start_at",
    "end_at",
    "max_concurrent_runs",
    "misfire_policy",
    "description",
)
TIMING = {"schedule", "enabled", "start_at", "end_at"}


def get_recurring_job(recurring_job_id: Any) -> RecurringJob:
    """Raises: RecurringJobNotFound for ids that aren't whole numbers or don't exist."""
    try:
        return RecurringJob.objects.select_related("crontab", "interval", "clocked").get(
            pk=int(str(recurring_job_id))
        )
    except (ValueError, RecurringJob.DoesNotExist):
        raise RecurringJobNotFound(f"No recurring job with id {str(recurring_job_id)[:64]!r}.") from None


def create_recurring_job(
    *,
    name: str,
    task: str,
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    queue: str = "",
    priority: str = "",
    schedule: Mapping[str, Any],
    enabled: bool = True,
    start_at: datetime | None = None,
    end_at: datetime | None = None,
    max_concurrent_runs: int = 1,
    misfire_policy: str = RecurringJob.MisfirePolicy.RUN_ONCE,
    description: str = "",
    user: Any = None,
    via: str = "code",
    now: datetime | None = None,
) -> RecurringJob:
    """Create a recurring job; its first run is the schedule's first time after now.

    Raises:
        UnknownTask, InvalidArguments (also a taken name), PayloadTooLarge, UnknownQueue,
        InvalidSchedule — and then nothing is saved.
    """
    now = now or timezone.now()
    rj = RecurringJob(
        name=str(name or "").strip(),
        task=task,
        args=list(args) if isinstance(args, list | tuple) else args,
        kwargs={} if kwargs is None else kwargs,
        queue=queue or "",
        priority=priority or "",
        enabled=enabled,
        start_at=start_at,
        end_at=end_at,
        max_concurrent_runs=max_concurrent_runs,
        misfire_policy=misfire_policy,
        description=description or "",
        created_at=now,
    )
    kind, row = build_schedule(schedule)
    setattr(rj, kind, row)
    validate_recurring_job(rj, now=now)
    with transaction.atomic():
        setattr(rj, kind, _saved_schedule(kind, row))
        rj.next_run_at = schedules.next_run(rj, now) if rj.enabled else None
        _save(rj, force_insert=True)
    logger.info("recurring job %r created by %s", rj.name, describe_actor(user, via))
    return rj


def update_recurring_job(
    recurring_job_id: Any, *, user: Any = None, via: str = "code", now: datetime | None = None, **changes: Any
) -> RecurringJob:
    """Change some fields (same names as :func:`create_recurring_job`); ``schedule`` replaces it.

    Raises:
        RecurringJobNotFound, InvalidArguments (unknown field, taken name), UnknownTask,
        UnknownQueue, InvalidSchedule — and then nothing is saved.
    """
    now = now or timezone.now()
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidArguments(
            f"Unknown field(s): {', '.join(sorted(unknown))[:200]}.",
            fields={name: "unknown" for name in unknown},
        )
    rj = get_recurring_job(recurring_job_id)
    new_schedule = None
    for field, value in changes.items():
        if field == "schedule":
            new_schedule = build_schedule(value)
            for kind in KINDS:
                setattr(rj, kind, None)
            setattr(rj, new_schedule[0], new_schedule[1])
        elif field == "kwargs":
            rj.kwargs = {} if value is None else value
        elif field in ("queue", "priority", "description"):
            setattr(rj, field, value or "")
        else:
            setattr(rj, field, value)
    rj.name = str(rj.name or "").strip()
    validate_recurring_job(rj, now=now, new_schedule=new_schedule is not None)
    with transaction.atomic():
        if new_schedule is not None:
            setattr(rj, new_schedule[0], _saved_schedule(*new_schedule))
        # Only what was edited: counters and next_run_at move under the scheduler meanwhile.
        fields = [name for name in EDITABLE if name != "schedule"] + ["updated_at"]
        if new_schedule is not None:
            fields += list(KINDS)
        if TIMING & set(changes):
            rj.next_run_at = schedules.next_run(rj, now) if rj.enabled else None
            fields.append("next_run_at")
            _cancel_pending_runs(rj, user=user, via=via)
        _save(rj, update_fields=fields)
    logger.info(
        "recurring job %r changed (%s) by %s", rj.name, ", ".join(sorted(changes)), describe_actor(user, via)
    )
    return rj


def delete_recurring_job(recurring_job_id: Any, *, user: Any = None, via: str = "code") -> None:
    """Delete it; runs waiting for their time are cancelled, past runs stay in history.

    Raises:
        RecurringJobNotFound
    """
    rj = get_recurring_job(recurring_job_id)
    with transaction.atomic():
        _cancel_pending_runs(rj, user=user, via=via)
        rj.delete()
    logger.info("recurring job %r deleted by %s", rj.name, describe_actor(user, via))


def trigger_recurring_job(
    recurring_job_id: Any, *, user: Any = None, via: str = "code", now: datetime | None = None
) -> Job:
    """Run it now, outside its schedule (even while paused); the schedule is untouched.

    Raises:
        RecurringJobNotFound, and whatever scheduling the job refuses (e.g. UnknownTask
        once the task is no longer registered).
    """
    now = now or timezone.now()
    rj = get_recurring_job(recurring_job_id)
    with transaction.atomic():
        job = schedule_job(
            rj.task,
            args=rj.args,
            kwargs=rj.kwargs,
            queue=rj.queue or None,
            priority=rj.priority or None,
            recurring_job=rj,
            source="recurring",
            user=user,
            via=via,
        )
        RecurringJob.objects.filter(pk=rj.pk).update(
            run_count=F("run_count") + 1, last_run_at=Greatest(Coalesce(F("last_run_at"), now), now)
        )
    logger.info("recurring job %r triggered by %s: job %s", rj.name, describe_actor(user, via), job.pk)
    return job


def pause_recurring_job(recurring_job_id: Any, *, user: Any = None, via: str = "code") -> RecurringJob:
    """Stop creating runs; a run already running finishes.

    Raises:
        RecurringJobNotFound, InvalidTransition (already paused).
    """
    rj = get_recurring_job(recurring_job_id)
    with transaction.atomic():
        if not RecurringJob.objects.filter(pk=rj.pk, enabled=True).update(enabled=False, next_run_at=None):
            raise InvalidTransition(f"Recurring job {rj.name!r} is already paused.")
        _cancel_pending_runs(rj, user=user, via=via)
    logger.info("recurring job %r paused by %s", rj.name, describe_actor(user, via))
    return get_recurring_job(rj.pk)


def resume_recurring_job(
    recurring_job_id: Any, *, user: Any = None, via: str = "code", now: datetime | None = None
) -> RecurringJob:
    """Create runs again, from the schedule's next time after now (no catch-up).

    Raises:
        RecurringJobNotFound, InvalidTransition (not paused).
    """
    now = now or timezone.now()
    rj = get_recurring_job(recurring_job_id)
    if not RecurringJob.objects.filter(pk=rj.pk, enabled=False).update(
        enabled=True, next_run_at=schedules.next_run(rj, now)
    ):
        raise InvalidTransition(f"Recurring job {rj.name!r} is not paused.")
    logger.info("recurring job %r resumed by %s", rj.name, describe_actor(user, via))
    return get_recurring_job(rj.pk)


def _saved_schedule(kind: str, row: Any) -> Any:
    """Reuse an identical schedule row (as django-celery-beat's admin does), else save it."""
    if kind == "crontab":
        lookup = {name: getattr(row, name) for name in (*CRON_FIELDS, "timezone")}
        model = CrontabSchedule
    elif kind == "interval":
        lookup, model = {"every": row.every, "period": row.period}, IntervalSchedule
    else:
        lookup, model = {"clocked_time": row.clocked_time}, ClockedSchedule
    existing = model.objects.filter(**lookup).order_by("pk").first()
    if existing is not None:
        return existing
    row.save()
    return row


def _save(rj: RecurringJob, **options: Any) -> None:
    try:
        with transaction.atomic():
            rj.save(**options)
    except IntegrityError as exc:
        raise InvalidArguments(
            f"A recurring job named {rj.name[:200]!r} already exists.", fields={"name": "taken"}
        ) from exc


def _cancel_pending_runs(rj: RecurringJob, *, user: Any, via: str) -> None:
    """Cancel runs handed to rq-scheduler ahead of their time that no longer apply."""
    pending = Job.objects.filter(
        recurring_job=rj, status=JobStatus.SCHEDULED, attempts=0, scheduled_for__isnull=False
    ).values_list("pk", flat=True)
    for pk in pending:
        cancel_job(pk, user=user, via=via)
