"""What happens to a job while a worker runs it: start, progress, success, failure.

Called by the execution wrapper (in the worker) and by the housekeeper (for attempts
whose worker died). Each step is one compare-and-set on the Job row, so a human's
cancel and a worker's finish can't both win, and a second copy of an RQ job that got
enqueued twice finds nothing to start.

A claim gives the attempt a new ``execution_id``; with ``attempts`` it is the fencing
token every later write of that attempt carries (``WHERE execution_id = … AND
attempts = …``). An execution that was given up for lost and runs on regardless (its
worker was cut off, not dead) can therefore never record over the attempt that
replaced it: its report is logged and dropped. While the attempt runs its worker
renews ``heartbeat_at`` (:func:`renew_lease`), the evidence the housekeeper reads.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from jobs import signals
from jobs.core.registry import get_task
from jobs.core.states import STARTABLE, JobStatus
from jobs.engine import broker
from jobs.engine.dependants import fail_dependants
from jobs.exceptions import UnknownTask
from jobs.models import Job, JobLog, RecurringJob
from jobs.models.journal import log_event

S = JobStatus
logger = logging.getLogger("jobs.services")


def _owned_by(job: Job) -> Q:
    """The row as long as the execution that claimed ``job`` still owns its attempt."""
    return Q(pk=job.pk, status=S.STARTED, attempts=job.attempts, execution_id=job.execution_id)


def token(job: Job) -> str:
    """An attempt's fencing token as log lines show it: ``<attempt>/<execution id>``."""
    return f"{job.attempts}/{job.execution_id}"


def _drop_report(job: Job, what: str) -> None:
    """Say why an execution's write found its attempt gone; a stale execution is warned of."""
    current = Job.objects.filter(pk=job.pk).values("status", "attempts", "execution_id").first()
    if current is None:
        logger.info("job_id=%s %s dropped: the job was deleted", job.pk, what)
        return
    now_token = f"{current['attempts']}/{current['execution_id']}"
    if now_token != token(job):
        logger.warning(
            "job_id=%s event=stale_report %s dropped: token=%s current=%s status=%s",
            job.pk,
            what,
            token(job),
            now_token,
            current["status"],
        )
    else:
        logger.info("job_id=%s %s dropped: the attempt is now %s", job.pk, what, current["status"])


def start_attempt(job_id: str, worker_name: str, now: datetime | None = None) -> Job | None:
    """Claim a job for a new attempt; None if it isn't startable (cancelled, already ran).

    The claim and the read are one ``UPDATE … RETURNING`` where the database has it
    (PostgreSQL, SQLite 3.35+): it runs for every job, so a round trip counts.
    """
    now = now or timezone.now()
    changes = {
        "status": S.STARTED,
        "started_at": now,
        "finished_at": None,
        "worker_name": worker_name[:200],
        "execution_id": uuid.uuid4(),
        "heartbeat_at": now,
        "progress": 0,
        "progress_message": "",
    }
    connection = connections[Job.objects.db]
    if connection.features.can_return_columns_from_insert:
        job = _claim_returning(job_id, changes, connection)
    else:
        claimed = Job.objects.filter(pk=job_id, status__in=STARTABLE).update(
            attempts=F("attempts") + 1, **changes
        )
        job = Job.objects.get(pk=job_id) if claimed else None
    if job is not None:
        signals.send(signals.job_started, job=job)
    return job


def _claim_returning(job_id: str, changes: dict[str, Any], connection) -> Job | None:
    meta = Job._meta
    quote = connection.ops.quote_name
    assignments = [f"{quote(meta.get_field(name).column)} = %s" for name in changes]
    values = [meta.get_field(name).get_db_prep_save(value, connection) for name, value in changes.items()]
    attempts = quote(meta.get_field("attempts").column)
    statuses = ", ".join(["%s"] * len(STARTABLE))
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)}, {attempts} = {attempts} + 1 "
        f"WHERE {quote(meta.pk.column)} = %s AND {quote(meta.get_field('status').column)} IN ({statuses}) "
        f"RETURNING {', '.join(quote(field.column) for field in meta.concrete_fields)}"
    )
    pk = meta.pk.get_db_prep_value(
        job_id if isinstance(job_id, uuid.UUID) else uuid.UUID(str(job_id)), connection
    )
    claimed = list(Job.objects.raw(sql, [*values, pk, *sorted(STARTABLE)]))
    return claimed[0] if claimed else None


def renew_lease(job: Job, connection, now: datetime | None = None) -> bool:
    """The worker running ``job``'s attempt says it still does; False if it no longer owns it.

    One UPDATE every ``JOBS['JOB_MONITORING_INTERVAL']`` seconds per busy worker, on a
    connection of the worker's own (``connection``, a Django database wrapper not in
    ``django.db.connections``), since a work-horse may be using the inherited one.
    """
    now = now or timezone.now()
    meta = Job._meta
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)

    sql = (
        f"UPDATE {quote(meta.db_table)} SET {column('heartbeat_at')} = %s WHERE {column('id')} = %s "
        f"AND {column('execution_id')} = %s AND {column('attempts')} = %s AND {column('status')} = %s"
    )
    params = [
        meta.get_field("heartbeat_at").get_db_prep_save(now, connection),
        meta.get_field("id").get_db_prep_save(job.pk, connection),
        meta.get_field("execution_id").get_db_prep_save(job.execution_id, connection),
        job.attempts,
        S.STARTED.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


def lease_expired(before: datetime) -> Q:
    """Started attempts whose worker hasn't renewed their lease since ``before``.

    A row claimed before leases existed has no ``heartbeat_at``; its claim time counts.
    """
    return Q(status=S.STARTED) & (
        Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True, started_at__lt=before)
    )


def record_success(job: Job, result: Any, now: datetime | None = None) -> bool:
    """Store the result; False if the attempt is no longer this execution's (cancelled,
    already recorded, or given up for lost and replaced)."""
    now = now or timezone.now()
    done = Job.objects.filter(_owned_by(job)).update(
        status=S.SUCCEEDED, finished_at=now, result=result, progress=100, error="", traceback=""
    )
    if not done:
        _drop_report(job, "success")
        return False
    if job.recurring_job_id:
        RecurringJob.objects.filter(pk=job.recurring_job_id).update(success_count=F("success_count") + 1)
    signals.send(signals.job_succeeded, job=job, result=result, runtime=_runtime(job, now))
    return True


def _runtime(job: Job, now: datetime) -> float:
    return (now - job.started_at).total_seconds() if job.started_at else 0.0


def record_failure(
    job: Job,
    reason: str,
    traceback: str = "",
    *,
    permanent: bool = False,
    now: datetime | None = None,
    only_if: Q | None = None,
) -> JobStatus | None:
    """Record a failed attempt: schedule the next one by the task's back-off, or fail.

    Returns the job's new status, or None when the attempt wasn't this execution's any
    more (cancelled, already recorded, replaced) or the row doesn't match ``only_if``.
    """
    now = now or timezone.now()
    delay = None if permanent else next_attempt_delay(job)
    owned = Job.objects.filter(_owned_by(job) & (only_if or Q()))
    with transaction.atomic():
        if delay is not None:
            recorded = _schedule_next_attempt(job, owned, reason, traceback, now, delay)
        else:
            recorded = _fail_for_good(job, owned, reason, traceback, now)
        if not recorded:
            _drop_report(job, "failure")
            return None
    return S.SCHEDULED if delay is not None else S.FAILED


def _schedule_next_attempt(
    job: Job, owned: QuerySet[Job], reason: str, traceback: str, now: datetime, delay: float
) -> bool:
    run_at = now + timedelta(seconds=delay)
    changed = owned.update(
        status=S.SCHEDULED, run_at=run_at, error=reason, traceback=traceback, finished_at=now
    )
    if not changed:
        return False
    log_event(
        job,
        JobLog.Event.RETRYING,
        f"Attempt {job.attempts} of {job.max_attempts} failed: {reason}. Next attempt in {delay:.1f} s.",
        level=logging.WARNING,
    )
    transaction.on_commit(lambda: broker.schedule_retry(job, run_at), robust=True)
    runtime = _runtime(job, now)
    transaction.on_commit(
        lambda: signals.send(signals.job_retrying, job=job, reason=reason, run_at=run_at, runtime=runtime)
    )
    return True


def _fail_for_good(job: Job, owned: QuerySet[Job], reason: str, traceback: str, now: datetime) -> bool:
    changed = owned.update(status=S.FAILED, error=reason, traceback=traceback, finished_at=now)
    if not changed:
        return False
    log_event(
        job,
        JobLog.Event.FAILED,
        f"Attempt {job.attempts} of {job.max_attempts} failed: {reason}.",
        level=logging.ERROR,
    )
    if job.recurring_job_id:
        RecurringJob.objects.filter(pk=job.recurring_job_id).update(failure_count=F("failure_count") + 1)
    fail_dependants(job, "failed", now=now)
    runtime = _runtime(job, now)
    transaction.on_commit(lambda: signals.send(signals.job_failed, job=job, reason=reason, runtime=runtime))
    return True


def next_attempt_delay(job: Job) -> float | None:
    """Seconds until the next attempt, or None when this was the last one."""
    if job.attempts >= job.max_attempts:
        return None
    try:
        task = get_task(job.task)
    except UnknownTask:
        return None
    return task.backoff.delay(job.attempts)


def record_lost_attempt(
    job: Job, reason: str, now: datetime | None = None, *, lease_expired_before: datetime | None = None
) -> JobStatus | None:
    """An attempt died without reporting (worker or work-horse killed): count it as failed.

    ``job`` is the attempt as claimed (its token decides); the housekeeper also passes
    ``lease_expired_before``, so a lease renewed since it looked is not taken away.
    """
    only_if = lease_expired(lease_expired_before) if lease_expired_before else None
    return record_failure(job, reason, now=now, only_if=only_if)


def report_progress(
    job_id: str,
    percent: float,
    message: str = "",
    *,
    attempt: int | None = None,
    execution_id: Any = None,
) -> None:
    """Move a running job's one live progress line (``progress``, ``progress_message``).

    The timeline keeps lifecycle events and task logs only: a job reporting every
    second would otherwise bury them (decision 43). Given the reporting
    execution's ``execution_id``, a stale execution moves nothing.
    """
    percent = max(0, min(100, int(percent)))
    message = str(message)[:500]
    running = Job.objects.filter(pk=job_id, status=S.STARTED)
    if execution_id is not None:
        running = running.filter(execution_id=execution_id)
    if not running.update(progress=percent, progress_message=message) and execution_id is not None:
        return
    signals.send(signals.job_progress, job_id=job_id, percent=percent, message=message)


def write_logs(job_id: str, entries: list[tuple[datetime, int, str]], *, attempt: int | None = None) -> None:
    """Append what a task logged, in one insert."""
    JobLog.objects.bulk_create(
        JobLog(
            job_id=job_id,
            created_at=at,
            level=level,
            event=JobLog.Event.LOG,
            message=message,
            attempt=attempt,
        )
        for at, level, message in entries
    )
