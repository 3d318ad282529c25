"""The attempt history: each attempt that ended without success becomes a JobAttempt.

It listens to Jobdesk's own ``job_retrying`` and ``job_failed`` events rather than
sitting inside the execution wrapper, because those two are sent for *every* failed
attempt, whoever recorded it: the worker that ran it, the worker whose work-horse was
killed, the housekeeper that found it lost. They are sent after the failure is
committed, so the Job row then holds that attempt's traceback; the read is fenced by
the attempt number, so a later attempt's traceback is never filed under this one.
A successful attempt writes nothing here (see :mod:`jobs.models.attempts`).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jobs import signals
from jobs.models import Job, JobAttempt
from jobs.models.attempts import exception_class_path


class AttemptLost(Exception):
    """What a lost attempt's error names: its worker died or vanished before it reported."""


LOST = f"{AttemptLost.__module__}.{AttemptLost.__qualname__}"


def record_failed_attempt(job: Job, reason: str, runtime: float | None = None) -> JobAttempt | None:
    """File the attempt ``job`` (as claimed) just failed; None if it never ran.

    Idempotent: an attempt already filed stays as it is.
    """
    if not job.attempts:
        return None
    now = timezone.now()
    row = Job.objects.filter(pk=job.pk, attempts=job.attempts).values("traceback", "finished_at").first()
    traceback = row["traceback"] if row else ""
    attempt, _ = JobAttempt.objects.get_or_create(
        job_id=job.pk,
        number=job.attempts,
        defaults={
            "worker": job.worker_name,
            "started_at": job.started_at,
            "finished_at": (row and row["finished_at"]) or now,
            "duration": runtime,
            "error": reason,
            "exception_class_path": exception_class_path(traceback) if traceback else LOST,
            "traceback": traceback,
        },
    )
    return attempt


def _on_failed_attempt(
    sender: Any, job: Job, reason: str = "", runtime: float | None = None, **_: Any
) -> None:
    record_failed_attempt(job, reason, runtime)


def connect() -> None:
    """Listen to the job events (called from the app's ``ready()``)."""
    signals.job_retrying.connect(_on_failed_attempt, dispatch_uid="jobs.attempts.retrying")
    signals.job_failed.connect(_on_failed_attempt, dispatch_uid="jobs.attempts.failed")
