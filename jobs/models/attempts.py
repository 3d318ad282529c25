"""JobAttempt: every attempt of a job that ended without success, kept for good.

The Job row holds the current (or last) attempt: its worker, start, end, error and
traceback. An attempt that failed is also written here, once, when it is recorded
(:mod:`jobs.engine.attempts`), so a job retried three times shows three errors with
their tracebacks instead of only the last one. A successful attempt writes no row:
the Job row already says everything about it, and a successful job pays no extra
database write (decision 6 of DESIGN: cheap per job). :func:`history` joins the two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from jobs.core.states import JobStatus
from jobs.models.jobs import Job

_CLASS_PATH = re.compile(r"[A-Za-z_][\w.]*")


class JobAttempt(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="failed_attempts")
    number = models.PositiveIntegerField(_("attempt"))
    worker = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField()
    duration = models.FloatField(_("duration (s)"), null=True, blank=True)
    error = models.TextField(blank=True)
    exception_class_path = models.CharField(max_length=300, blank=True)
    traceback = models.TextField(blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="job_attempt_once")]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.job_id}"


@dataclass(frozen=True)
class Attempt:
    """One attempt as every surface shows it, failed (from a row) or not (from the Job)."""

    number: int
    worker: str
    started_at: datetime | None
    finished_at: datetime | None
    duration: float | None
    outcome: str
    error: str = ""
    exception_class_path: str = ""
    traceback: str = ""

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "worker": self.worker,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration": self.duration,
            "outcome": self.outcome,
            "error": self.error,
            "exception_class_path": self.exception_class_path,
            "traceback": self.traceback,
        }


def history(job: Job, rows: list[JobAttempt] | None = None) -> list[Attempt]:
    """Every attempt of ``job``, first to last: its failed-attempt rows plus the current one.

    ``rows`` are the job's JobAttempt rows when the caller already has them (prefetch).
    """
    if rows is None:
        rows = list(JobAttempt.objects.filter(job=job).order_by("number")) if job.attempts else []
    attempts = [
        Attempt(
            number=row.number,
            worker=row.worker,
            started_at=row.started_at,
            finished_at=row.finished_at,
            duration=row.duration,
            outcome=JobStatus.FAILED,
            error=row.error,
            exception_class_path=row.exception_class_path,
            traceback=row.traceback,
        )
        for row in rows
    ]
    recorded = {row.number for row in rows}
    if job.attempts and job.attempts not in recorded and job.started_at is not None:
        attempts.append(_current(job))
    return attempts


def exception_class_path(traceback: str) -> str:
    """The dotted path of the exception a formatted traceback ends with, or ''.

    The work-horse reports its outcome as text (decision 17), so the class is read from
    the traceback's exception line, which Python writes as ``module.Class: message``
    (builtins without their module).
    """
    lines = traceback.splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")]
    for line in lines[headers[-1] + 1 :] if headers else ():
        if line and not line[0].isspace():
            name = line.split(":", 1)[0].strip()
            if not _CLASS_PATH.fullmatch(name):
                return ""
            return name if "." in name else f"builtins.{name}"
    return ""


def _current(job: Job) -> Attempt:
    running = job.status == JobStatus.STARTED
    finished = None if running else job.finished_at
    duration = (finished - job.started_at).total_seconds() if finished and job.started_at else None
    return Attempt(
        number=job.attempts,
        worker=job.worker_name,
        started_at=job.started_at,
        finished_at=finished,
        duration=duration,
        outcome=job.status,
        error="" if job.status == JobStatus.SUCCEEDED else job.error,
        exception_class_path=exception_class_path(job.traceback) if job.status == JobStatus.FAILED else "",
        traceback=job.traceback if job.status == JobStatus.FAILED else "",
    )
