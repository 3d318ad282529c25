"""The execution wrapper, run by Jobdesk's worker in this process (real Redis, real RQ)."""

import logging

import pytest

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.models import Job, JobLog, QueueStats
from jobs.monitoring.counters import flush
from jobs.services import cancel_job, schedule_job

S = JobStatus


def test_a_job_runs_and_its_result_is_stored(burst_worker):
    job = schedule_job("tests.add", args=[2, 3])
    assert Job.objects.get(pk=job.pk).status == S.QUEUED
    burst_worker()
    job.refresh_from_db()
    assert job.status == S.SUCCEEDED
    assert job.result == 5
    assert job.attempts == 1
    assert job.started_at <= job.finished_at
    assert job.worker_name
    assert job.progress == 100


def test_failure_records_error_and_traceback(burst_worker):
    job = schedule_job("tests.fail", args=["boom <b>"])
    burst_worker()
    job.refresh_from_db()
    assert job.status == S.FAILED
    assert job.error == "RuntimeError: boom <b>"
    assert "Traceback" in job.traceback
    assert job.logs.filter(event=JobLog.Event.FAILED).exists()


def test_flaky_job_is_retried_until_it_succeeds(burst_worker, run_scheduler):
    job = schedule_job("tests.flaky", args=[2])
    for _ in range(3):
        burst_worker()
        run_scheduler()
    job.refresh_from_db()
    assert job.status == S.SUCCEEDED
    assert job.attempts == 3
    assert job.result == 3
    assert job.logs.filter(event=JobLog.Event.RETRYING).count() == 2


def test_flaky_job_fails_after_its_last_attempt(burst_worker, run_scheduler):
    job = schedule_job("tests.flaky", args=[10], max_attempts=2)
    for _ in range(3):
        burst_worker()
        run_scheduler()
    job.refresh_from_db()
    assert job.status == S.FAILED
    assert job.attempts == 2
    assert "attempt 2 fails on purpose" in job.error


def test_progress_moves_the_live_line_not_the_timeline(burst_worker):
    job = schedule_job("tests.steps", args=[100])
    burst_worker()
    job.refresh_from_db()
    assert job.status == S.SUCCEEDED
    assert (job.progress, job.progress_message) == (100, "did 100 of 100")
    assert not job.logs.filter(event=JobLog.Event.PROGRESS).exists()


def test_logging_inside_a_task_is_captured(burst_worker):
    job = schedule_job("tests.log", args=["a line from the task"])
    burst_worker()
    line = job.logs.get(event=JobLog.Event.LOG)
    assert line.message == "a line from the task"
    assert line.level == logging.INFO


@pytest.mark.slow
def test_timeout_is_a_failure_with_a_clear_reason(burst_worker):
    job = schedule_job("tests.sleep", args=[5], max_attempts=1, timeout=1)
    burst_worker()
    job.refresh_from_db()
    assert job.status == S.FAILED
    assert job.error == "Timed out after 1 s"


def test_a_cancelled_queued_job_never_starts(burst_worker):
    job = schedule_job("tests.add", args=[1, 2])
    cancel_job(job.pk)
    broker.enqueue(job)  # even a stray copy in Redis can't start it
    burst_worker()
    job.refresh_from_db()
    assert job.status == S.CANCELLED
    assert job.attempts == 0


def test_counters_reach_queue_stats(burst_worker):
    schedule_job("tests.add", args=[1, 2])
    schedule_job("tests.fail", args=["x"])
    burst_worker()
    flush()
    stats = QueueStats.objects.get(name="normal")
    assert (stats.succeeded_total, stats.failed_total, stats.processed_total) == (1, 1, 2)
    assert stats.failed == 1
    assert stats.runtime_p50_ms is not None


@pytest.mark.parametrize("queue", ["high", "low"])
def test_jobs_go_to_the_named_queue(burst_worker, queue):
    job = schedule_job("tests.add", args=[1, 2], queue=queue)
    assert broker.queue(queue).job_ids == [str(job.pk)]
    burst_worker(queue)
    job.refresh_from_db()
    assert job.status == S.SUCCEEDED


@pytest.mark.parametrize(
    ("task", "delays"), [("tests.fails_linear", [5, 10]), ("tests.fails_exponential", [2, 4, 5])]
)
def test_failed_attempts_wait_by_the_tasks_backoff(burst_worker, run_scheduler, redis, task, delays):
    job = schedule_job(task)
    for attempt, delay in enumerate(delays, start=1):
        burst_worker()
        job.refresh_from_db()
        assert (job.status, job.attempts) == (S.SCHEDULED, attempt)
        assert (job.run_at - job.finished_at).total_seconds() == pytest.approx(delay)
        assert redis.zscore(broker.SCHEDULED_JOBS_KEY, str(job.pk)) == pytest.approx(job.run_at.timestamp())
        redis.zadd(broker.SCHEDULED_JOBS_KEY, {str(job.pk): 0})  # as if the back-off had passed
        assert [moved.id for moved in run_scheduler()] == [str(job.pk)]
    burst_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (S.FAILED, len(delays) + 1)
    assert job.error == "ValueError: still broken"


def test_a_result_that_is_not_json_fails_the_job_for_good(burst_worker):
    job = schedule_job("tests.returns_a_set", max_attempts=3)
    burst_worker()
    job.refresh_from_db()
    assert job.status == S.FAILED and job.attempts == 1
    assert "not JSON-serialisable" in job.error


def test_the_rq_copy_is_json_and_names_only_the_wrapper(transactional_db, redis):
    import json
    import zlib

    job = schedule_job("tests.add", args=[1, 1])
    raw = redis.hgetall(f"rq:job:{job.pk}")
    assert json.loads(zlib.decompress(raw[b"data"])) == [
        "jobs.engine.execution.run_job",
        None,
        [str(job.pk)],
        {},
    ]


def test_a_transaction_the_task_left_open_doesnt_swallow_its_outcome(burst_worker):
    job = schedule_job("tests.leaves_a_transaction_open")
    after = schedule_job("tests.add", args=[2, 3])
    burst_worker()
    job.refresh_from_db()
    after.refresh_from_db()
    assert (job.status, job.result) == (S.SUCCEEDED, "left open")
    assert (after.status, after.result) == (S.SUCCEEDED, 5)
