"""A job with a history: two failed attempts (one error is markup) and the running third."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jobs.core.states import JobStatus
from jobs.models import Job, JobAttempt
from tests.factories import make_job

XSS = "<script>alert(1)</script>"


def job_with_history() -> Job:
    now = timezone.now()
    job = make_job(JobStatus.STARTED, attempts=3, max_attempts=3, worker_name="w3", started_at=now)
    for number, error in ((1, "ValueError: first"), (2, f"KeyError: {XSS}")):
        JobAttempt.objects.create(
            job=job,
            number=number,
            worker=f"w{number}",
            started_at=now - timedelta(minutes=3 - number),
            finished_at=now - timedelta(minutes=3 - number, seconds=-2),
            duration=2.0,
            error=error,
            exception_class_path="builtins." + error.split(":")[0],
            traceback=f'Traceback (most recent call last):\n  File "x.py", line 1\n{error}\n',
        )
    return job
