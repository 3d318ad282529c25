"""A task fails at once with PermanentFailure; any other exception is retried by its back-off."""

from __future__ import annotations

import pytest

from jobs import Backoff, PermanentFailure, task
from jobs.core.states import JobStatus
from jobs.exceptions import InvalidArguments
from jobs.services import schedule_job


@task(name="tests.declines_for_good", max_attempts=3, backoff=Backoff("fixed", initial=0.0))
def declines_for_good() -> None:
    raise PermanentFailure("card declined")


@task(name="tests.raises_a_refusal", max_attempts=3, backoff=Backoff("fixed", initial=60.0))
def raises_a_refusal() -> None:
    raise InvalidArguments("a refusal from inside a task is an ordinary failure")


@pytest.mark.django_db(transaction=True)
def test_permanent_failure_fails_the_job_without_using_its_other_attempts(burst_worker):
    job = schedule_job("tests.declines_for_good")
    burst_worker("normal")
    job.refresh_from_db()
    assert (job.status, job.attempts, job.max_attempts) == (JobStatus.FAILED, 1, 3)
    assert "card declined" in job.error


@pytest.mark.django_db(transaction=True)
def test_a_jobs_error_raised_by_a_task_is_retried_like_any_exception(burst_worker):
    job = schedule_job("tests.raises_a_refusal")
    burst_worker("normal")
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SCHEDULED, 1)
    assert "ordinary failure" in job.error
