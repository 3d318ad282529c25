"""A task's ``result_retention`` is how long the cleanup keeps its succeeded jobs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs import task
from jobs.core.states import JobStatus
from jobs.exceptions import TaskConfigurationError
from jobs.models import Job, JobLog
from jobs.services.cleanup import delete_old_jobs


@task(name="tests.chatty", result_retention=timedelta(hours=1))
def chatty() -> None:
    """Succeeds often; nobody reads its results after an hour."""


def finished_job(task_name: str, status: str, age: timedelta) -> Job:
    now = timezone.now()
    job = Job.objects.create(task=task_name, queue="normal", status=status, finished_at=now - age)
    JobLog.objects.create(job=job, event=JobLog.Event.CREATED, message="made by the test")
    return job


@pytest.mark.django_db
def test_a_tasks_own_retention_replaces_the_default_for_its_succeeded_jobs():
    old_chatty = finished_job("tests.chatty", JobStatus.SUCCEEDED, timedelta(hours=2))
    new_chatty = finished_job("tests.chatty", JobStatus.SUCCEEDED, timedelta(minutes=30))
    failed_chatty = finished_job("tests.chatty", JobStatus.FAILED, timedelta(hours=2))
    other = finished_job("tests.add", JobStatus.SUCCEEDED, timedelta(hours=2))
    assert delete_old_jobs() == {"succeeded": 1, "failed": 0}
    remaining = set(Job.objects.values_list("pk", flat=True))
    assert remaining == {new_chatty.pk, failed_chatty.pk, other.pk}
    assert not JobLog.objects.filter(job_id=old_chatty.pk).exists()


def test_a_retention_that_is_not_a_positive_timedelta_is_refused_at_registration():
    with pytest.raises(TaskConfigurationError, match="result_retention"):
        task(name="tests.never_kept", result_retention=timedelta(0))(lambda: None)
    with pytest.raises(TaskConfigurationError, match="result_retention"):
        task(name="tests.kept_in_seconds", result_retention=3600)(lambda: None)
