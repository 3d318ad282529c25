"""Dashboard-only reads: each page and its JSON feed call the same function here.

Every function runs a fixed number of queries whatever the number of rows, reads
figures from ``QueueStats`` (never ``COUNT(*)`` over jobs) and reads Redis without
registry cleanup, so looking never changes anything.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, Substr
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jobs import conf
from jobs.core.rules import EARLIEST, LATEST
from jobs.core.schedules import describe_schedule, next_runs
from jobs.core.states import TERMINAL
from jobs.models import Job, JobLog, QueueStats, RecurringJob
from jobs.monitoring import figures
from jobs.services import alerts, queries

LIST_FIELDS = (
    "id", "task", "queue", "status", "priority", "attempts", "max_attempts", "created_at",
    "started_at", "finished_at", "progress", "progress_message", "recurring_job_id",
)  # fmt: skip
ERROR_HEAD = 200
"""Characters of ``Job.error`` a list row carries (the job page shows all of it)."""
FAILED_GROUP_SAMPLE = 2000
RECENT_RUNS = 10


def overview(now: datetime | None = None) -> dict[str, Any]:
    """Queues, totals, workers, scheduler, alerts and recent failures (five queries)."""
    now = now or timezone.now()
    queues = figures.queue_metrics(now)
    keys = ("waiting", "running", "scheduled", "failed", "throughput_per_minute", "processed")
    totals = {key: sum(q[key] or 0 for q in queues) for key in keys}
    alive = queries.alive_count(queries.workers_or_none() or [])
    beat = queries.scheduler_heartbeat_or_none()
    return {
        "queues": queues,
        "totals": totals,
        "workers_alive": alive,
        "scheduler_age": (now - beat).total_seconds() if beat else None,
        "scheduler_alive": bool(beat) and (now - beat).total_seconds() <= conf.get().HEALTH_SCHEDULER_MAX_AGE,
        "alerts": list(alerts.active_alerts()[:10]),
        "failures": list(
            Job.objects.failed()
            .order_by("-finished_at")
            .annotate(error_head=Substr("error", 1, 300))
            .only("id", "task", "queue", "finished_at", "created_at")[:10]
        ),
    }


@dataclass(frozen=True)
class Cursor:
    """Keyset position (created_at, id) of the last row shown; opaque in URLs."""

    created_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = f"{self.created_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode()

    @classmethod
    def decode(cls, token: str) -> Cursor | None:
        """None for anything that isn't a cursor this module wrote."""
        try:
            created, _, pk = base64.urlsafe_b64decode(token.encode()).decode().partition("|")
            when = parse_datetime(created)
            in_range = when is not None and when.tzinfo is not None and EARLIEST <= when <= LATEST
            return cls(when, uuid.UUID(pk)) if in_range else None
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None


def job_page(jobs: QuerySet[Job], cursor: Cursor | None, size: int) -> tuple[list[Job], Cursor | None]:
    """One page newest first, and the cursor of the next page (one query, no OFFSET/COUNT)."""
    if cursor:
        jobs = jobs.filter(
            Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, id__lt=cursor.id)
        )
    rows = list(
        jobs.select_related("recurring_job").only(*LIST_FIELDS, "recurring_job__name")
        .annotate(error_head=Substr("error", 1, ERROR_HEAD)).order_by("-created_at", "-id")[: size + 1]
    )  # fmt: skip
    more = len(rows) > size
    rows = rows[:size]
    return rows, Cursor(rows[-1].created_at, rows[-1].id) if more else None


LIFECYCLE = frozenset(JobLog.Event) - {JobLog.Event.LOG, JobLog.Event.PROGRESS}
"""Events a job's life is made of (the rest are lines its task logged)."""
LOG_KINDS = {"all": None, "lifecycle": LIFECYCLE, "task": {JobLog.Event.LOG, JobLog.Event.PROGRESS}}
LOG_KINDS.update({event.value: {event} for event in JobLog.Event})


def log_kind(value: str | None) -> str:
    """The timeline filter asked for, "all" for anything unknown."""
    return value if value in LOG_KINDS else "all"


def job_timeline(job: Job, kind: str, limit: int = 1000) -> list[dict[str, Any]]:
    """The job's timeline of one kind, oldest first: its log lines and the row's own events.

    Workers don't write a line when an attempt starts or succeeds (that would be two
    more inserts per job on the hot path); the row already records when it was queued,
    started and finished, so those steps are read from it, beside the lines written by
    people (who did it) and by the task.
    """
    events = LOG_KINDS[log_kind(kind)]
    logs = job.logs.select_related("user").order_by("created_at", "id")
    if events is not None:
        logs = logs.filter(event__in=events)
    lines = [log_line(log) for log in logs[:limit]]
    if events is None or events is LIFECYCLE or events & ROW_EVENTS:
        lines += _row_events(job, {line["event"] for line in lines}, events)
    return sorted(lines, key=lambda line: line["time"])


ROW_EVENTS = {JobLog.Event.CREATED, JobLog.Event.STARTED, JobLog.Event.SUCCEEDED}


def _row_events(job: Job, logged: set[str], events: Any) -> list[dict[str, Any]]:
    steps = [
        (JobLog.Event.CREATED, job.created_at, f"Created (from {job.source})."),
        ("queued", job.enqueued_at, f"Queued in {job.queue}."),
        (
            JobLog.Event.STARTED,
            job.started_at,
            f"Attempt {job.attempts} started on {job.worker_name or 'a worker'}.",
        ),
        (
            JobLog.Event.SUCCEEDED,
            job.finished_at if job.status == JobLog.Event.SUCCEEDED else None,
            f"Succeeded after {job.duration or 0:.3f} s.",
        ),
    ]
    return [
        {"id": None, "time": when.isoformat(), "event": str(event), "event_label": str(event).capitalize(),
         "level": "INFO", "attempt": job.attempts if event != JobLog.Event.CREATED else None,
         "message": message, "who": ""}
        for event, when, message in steps
        if when and str(event) not in logged and (events is None or events is LIFECYCLE or event in events)
    ]  # fmt: skip


def log_line(log: JobLog) -> dict[str, Any]:
    return {
        "id": log.id,
        "time": log.created_at.isoformat(),
        "event": log.event,
        "event_label": log.get_event_display(),
        "level": log.level_name,
        "attempt": log.attempt,
        "message": log.message,
        "who": who(log),
    }


def who(log: JobLog) -> str:
    """Who made this line happen: a user (and from where), else the system."""
    if log.user_id is None:
        return f"via {log.interface}" if log.interface else ""
    name = log.user.get_username()
    return f"{name} via {log.interface}" if log.interface else name


def timeline(job: Job) -> list[tuple[str, datetime | None]]:
    """created → queued → started → each attempt → end, from the row and its lifecycle lines."""
    steps: list[tuple[str, datetime | None]] = [("created", job.created_at)]
    if job.enqueued_at:
        steps.append(("queued", job.enqueued_at))
    marks = {JobLog.Event.STARTED, JobLog.Event.RETRYING, JobLog.Event.MANUAL, JobLog.Event.RECOVERED}
    logs = list(job.logs.filter(event__in=marks).order_by("created_at", "id")[:200])
    steps += [(log.get_event_display().lower(), log.created_at) for log in logs]
    if job.started_at and not any(log.event == JobLog.Event.STARTED for log in logs):
        steps.append((f"attempt {job.attempts} started", job.started_at))
    if job.is_finished:
        steps.append((job.status, job.finished_at))
    return steps


STATE_FIGURES = {
    "queued": "waiting",
    "started": "running",
    "scheduled": "scheduled",
    "failed": "failed",
    "succeeded": "succeeded",
    "cancelled": "cancelled",
}
"""Each job-list state key and the QueueStats field that counts it."""


def state_counts(queues: list[str]) -> dict[str, int]:
    """Jobs per state, and ``all``, from the queue figures (one query): never a count over the Job table.

    The housekeeper folds them in every few seconds (:mod:`jobs.monitoring.counters`).
    """
    names = [name for name in queues if name in conf.get().QUEUES] or list(conf.get().QUEUES)
    rows = QueueStats.objects.filter(name__in=names).values_list(*STATE_FIGURES.values())
    totals = [sum(column) for column in zip(*rows, strict=True)] or [0] * len(STATE_FIGURES)
    counts = dict(zip(STATE_FIGURES, totals, strict=True))
    return {**counts, "all": sum(totals)}


def finished_count(jobs: QuerySet[Job], limit: int) -> int:
    """How many finished jobs a filter matches, counted no further than ``limit``."""
    return jobs.filter(status__in=TERMINAL).order_by().values("pk")[:limit].count()


def error_type(error: str) -> str:
    """The exception class of ``Job.error`` ("RuntimeError: boom" → "RuntimeError")."""
    head = (error or "").strip().splitlines()[0] if (error or "").strip() else ""
    name, sep, _ = head.partition(":")
    if sep and name and name.replace(".", "").replace("_", "").isalnum() and " " not in name:
        return name
    return head[:120] or "(no error message)"


def failed_groups() -> list[dict[str, Any]]:
    """Failed jobs grouped by task and error type, over the latest ``FAILED_GROUP_SAMPLE``."""
    rows = (
        Job.objects.failed()
        .order_by("-created_at")
        .annotate(head=Substr("error", 1, 300))
        .values_list("id", "task", "head", "created_at")[:FAILED_GROUP_SAMPLE]
    )
    groups: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
    for pk, task, head, created in rows:
        key = (task, error_type(head))
        group = groups.setdefault(
            key,
            {"task": task, "error_type": key[1], "count": 0, "latest": created, "example": head, "ids": []},
        )
        group["count"] += 1
        group["ids"].append(str(pk))
    return list(groups.values())


def group_job_ids(task: str, kind: str) -> list[str]:
    """The failed jobs of one group (as :func:`failed_groups` formed it)."""
    return next((g["ids"] for g in failed_groups() if g["task"] == task and g["error_type"] == kind), [])


def recurring_rows(now: datetime | None = None) -> list[dict[str, Any]]:
    """Every recurring job with schedule in words, next five runs, last runs (two queries)."""
    now = now or timezone.now()
    rjs = list(RecurringJob.objects.select_related("crontab", "interval", "clocked").order_by("name"))
    runs: dict[int, list[Job]] = {rj.pk: [] for rj in rjs}
    recent = (
        Job.objects.filter(recurring_job__in=runs.keys())
        .annotate(rank=Window(RowNumber(), partition_by=F("recurring_job"), order_by=F("created_at").desc()))
        .filter(rank__lte=RECENT_RUNS)
        .only("id", "status", "created_at", "recurring_job_id")
    )
    for job in recent:
        runs[job.recurring_job_id].append(job)
    return [
        {
            "rj": rj,
            "schedule": describe_schedule(rj),
            "next_runs": next_runs(rj, 5, now) if rj.enabled else [],
            "runs": sorted(runs[rj.pk], key=lambda job: job.created_at),
        }
        for rj in rjs
    ]


def worker_rows() -> list[dict[str, Any]]:
    """Workers with the job each one runs (one query for all current jobs)."""
    infos = queries.workers_or_none() or []
    current = {i.current_job_id for i in infos if i.current_job_id}
    jobs = {
        str(j.pk): j
        for j in Job.objects.filter(pk__in=_uuids(current)).only("id", "task", "started_at", "finished_at")
    }
    return [{"info": info, "job": jobs.get(info.current_job_id or "")} for info in infos]


def _uuids(values: set[str]) -> list[uuid.UUID]:
    out = []
    for value in values:
        try:
            out.append(uuid.UUID(value))
        except ValueError:
            continue
    return out
