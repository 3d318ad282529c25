"""The cleanup task deletes old finished jobs and their logs, in batches, nothing else."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.core.registry import get_task
from jobs.core.states import JobStatus
from jobs.models import Job, JobLog
from jobs.services import schedule_job
from jobs.services.cleanup import delete_old_jobs
from tests.factories import make_job

S = JobStatus
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
pytestmark = pytest.mark.django_db(transaction=True)


def finished(status: str, days_ago: float, logs: int = 2) -> Job:
    job = make_job(status, task="tests.noop", args=[], finished_at=NOW - timedelta(days=days_ago))
    JobLog.objects.bulk_create([JobLog(job=job, message=f"line {i}") for i in range(logs)])
    return job


def test_deletes_by_status_and_retention_keeping_everything_else():
    old_ok = [finished(S.SUCCEEDED, 8) for _ in range(3)]
    young_ok = finished(S.SUCCEEDED, 6)
    old_failed = finished(S.FAILED, 31)
    young_failed = finished(S.FAILED, 20)
    old_cancelled = finished(S.CANCELLED, 40)
    waiting = make_job(created_at=NOW - timedelta(days=90))

    assert delete_old_jobs(now=NOW) == {"succeeded": 3, "failed": 2}
    left = set(Job.objects.values_list("pk", flat=True))
    assert left == {young_ok.pk, young_failed.pk, waiting.pk}
    gone = [job.pk for job in (*old_ok, old_failed, old_cancelled)]
    assert not JobLog.objects.filter(job_id__in=gone).exists()
    assert JobLog.objects.filter(job=young_ok).count() == 2
    assert delete_old_jobs(now=NOW) == {"succeeded": 0, "failed": 0}


def test_retention_comes_from_the_settings(settings):
    settings.JOBS = {**settings.JOBS, "SUCCEEDED_RETENTION_DAYS": 1, "FAILED_RETENTION_DAYS": 2}
    finished(S.SUCCEEDED, 1.5)
    finished(S.FAILED, 1.5)
    assert delete_old_jobs(now=NOW) == {"succeeded": 1, "failed": 0}


def test_deletes_in_batches_of_primary_keys():
    for _ in range(5):
        finished(S.SUCCEEDED, 10, logs=1)
    with CaptureQueriesContext(connection) as queries:
        assert delete_old_jobs(now=NOW, batch_size=2)["succeeded"] == 5
    deletes = [q["sql"] for q in queries if q["sql"].startswith('DELETE FROM "jobs_job"')]
    assert len(deletes) == 3
    assert all(" IN (" in sql for sql in deletes)


def test_cleanup_is_a_registered_task_a_worker_runs(burst_worker):
    finished(S.SUCCEEDED, 30)
    assert get_task("jobs.cleanup").name == "jobs.cleanup"
    job = schedule_job("jobs.cleanup")
    burst_worker()
    job.refresh_from_db()
    assert job.status == S.SUCCEEDED, job.error
    assert job.result == {"succeeded": 1, "failed": 0}
