"""django.tasks tasks run by Jobdesk's real workers: results, async, context, retries, order."""

from __future__ import annotations

from django.utils import timezone

from jobs.backends.compat import TaskResultStatus
from jobs.core.states import JobStatus
from jobs.engine import lifecycle
from jobs.engine.attempts import LOST
from jobs.models import Job
from tests import backends_tasks as tasks
from tests.conftest import wait_for


def test_a_worker_runs_it_and_get_result_reads_the_outcome(burst_worker):
    result = tasks.add.enqueue(2, 40)
    burst_worker()
    read = tasks.add.get_result(result.id)
    assert (read.status, read.return_value, read.attempts, read.errors) == (
        TaskResultStatus.SUCCESSFUL,
        42,
        1,
        [],
    )
    assert read.started_at == read.last_attempted_at <= read.finished_at
    job = Job.objects.get(pk=result.id)
    assert read.worker_ids == [job.worker_name] and job.worker_name
    result.refresh()
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 42)


def test_an_async_task_is_run_to_completion(burst_worker):
    result = tasks.async_add.enqueue(20, 22)
    burst_worker()
    result.refresh()
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 42)


def test_failed_attempts_are_all_in_errors(burst_worker, run_scheduler):
    result = tasks.always_fails.enqueue("no report")
    burst_worker()
    result.refresh()
    assert (result.status, result.attempts, len(result.errors)) == (TaskResultStatus.READY, 1, 1)
    Job.objects.filter(pk=result.id).update(run_at=timezone.now())
    run_scheduler()
    burst_worker()
    result.refresh()
    assert (result.status, result.attempts) == (TaskResultStatus.FAILED, 2)
    assert [error.exception_class_path for error in result.errors] == ["tests.backends_tasks.ReportError"] * 2
    assert all("raise ReportError(message)" in error.traceback for error in result.errors)
    assert result.errors[0].exception_class is tasks.ReportError
    assert len(result.worker_ids) == 2 and result.finished_at is not None


def test_context_counts_the_attempts_and_the_job_succeeds_after_retries(processes):
    processes.worker()
    processes.scheduler()
    result = tasks.flaky.enqueue(2)
    wait_for(
        lambda: Job.objects.filter(pk=result.id, status=JobStatus.SUCCEEDED).exists(),
        timeout=60,
        message=f"flaky to succeed; logs:\n{processes.logs()}",
    )
    result.refresh()
    assert (result.status, result.return_value, result.attempts) == (TaskResultStatus.SUCCESSFUL, 3, 3)
    assert [error.exception_class_path for error in result.errors] == ["builtins.ValueError"] * 2
    assert "attempt 1 fails" in result.errors[0].traceback and "attempt 2 fails" in result.errors[1].traceback


def test_higher_priority_runs_first(processes):
    low = tasks.label.enqueue("low")
    normal = tasks.label.using(priority=0).enqueue("normal")
    high = tasks.label.using(priority=10).enqueue("high")
    urgent = tasks.label.using(priority=100).enqueue("urgent")
    processes.worker("high", "normal", "low")
    ids = [urgent.id, high.id, normal.id, low.id]
    wait_for(
        lambda: Job.objects.filter(pk__in=ids, status=JobStatus.SUCCEEDED).count() == 4,
        timeout=60,
        message=f"four jobs; logs:\n{processes.logs()}",
    )
    started = dict(Job.objects.filter(pk__in=ids).values_list("id", "started_at"))
    assert sorted(ids, key=lambda job_id: started[Job._meta.pk.to_python(job_id)]) == ids


def test_a_lost_attempt_is_an_error_too(db, django_capture_on_commit_callbacks):
    result = tasks.add.enqueue(1, 1)
    job = lifecycle.start_attempt(result.id, "w-lost")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.record_lost_attempt(job, "Its worker stopped heartbeating")
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert [error.exception_class_path for error in result.errors] == [LOST]
    assert result.worker_ids == ["w-lost"]
