"""Reading a job's attempt history, for every interface (admin, dashboard, REST, GraphQL)."""

from __future__ import annotations

from typing import Any

from jobs.models.attempts import Attempt, history
from jobs.models.jobs import Job, get_job


def job_attempts(job: Job | Any) -> list[Attempt]:
    """Every attempt of a job (a Job or its id), first to last, each failed one with its error.

    Raises:
        JobNotFound: for an unknown id.
    """
    return history(job if isinstance(job, Job) else get_job(job))
