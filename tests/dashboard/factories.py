"""Job rows in a given state for read-only page tests (no worker needed to look at them)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jobs.models import Job, JobLog


def make_jobs(count: int, *, status: str = "succeeded", **fields) -> list[Job]:
    """``count`` jobs one second apart, newest last, each with one log line."""
    now = timezone.now()
    defaults = {"task": "demo.add", "queue": "normal", "args": [1, 2], "status": status}
    jobs = Job.objects.bulk_create(
        Job(created_at=now - timedelta(seconds=count - i), **{**defaults, **fields}) for i in range(count)
    )
    JobLog.objects.bulk_create(JobLog(job=job, event="created", message="created") for job in jobs)
    return jobs
