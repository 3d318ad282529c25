"""The worker process claims and records; the work-horse only runs the task (decision 17)."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from jobs.core.states import JobStatus
from jobs.engine import broker, housekeeping, lifecycle
from jobs.engine.worker import Worker
from jobs.models import Job
from jobs.services import schedule_job

S = JobStatus


def test_the_horse_runs_the_task_without_opening_a_database_connection(burst_worker):
    job = schedule_job("tests.database_state")
    burst_worker()
    job.refresh_from_db()
    assert job.status == S.SUCCEEDED
    assert job.result["pid"] != os.getpid()
    # SQLite connections never cross the fork; PostgreSQL's is handed down, still open.
    assert job.result["connected"] is (job.result["vendor"] == "postgresql")
    assert broker.peek_outcome(str(job.pk), job.execution_id) is None


def _claimed_long_ago(task: str, **options) -> Job:
    job = schedule_job(task, **options)
    long_ago = timezone.now() - timedelta(minutes=10)
    return lifecycle.start_attempt(str(job.pk), "worker-that-died", now=long_ago)


def test_a_reported_success_its_dead_worker_never_recorded_is_recorded_by_housekeeping(transactional_db):
    job = _claimed_long_ago("tests.add", args=[2, 3])
    broker.put_outcome(
        str(job.pk), {"ok": True, "runtime": 0.01, "result": 5, "execution_id": str(job.execution_id)}
    )

    assert housekeeping.recover_lost_attempts() == [str(job.pk)]

    job.refresh_from_db()
    assert (job.status, job.result, job.error) == (S.SUCCEEDED, 5, "")
    assert broker.peek_outcome(str(job.pk), job.execution_id) is None


def test_a_reported_failure_its_dead_worker_never_recorded_follows_the_backoff(transactional_db):
    job = _claimed_long_ago("tests.fails_linear")
    broker.put_outcome(
        str(job.pk),
        {
            "ok": False,
            "runtime": 0.01,
            "reason": "RuntimeError: nope",
            "traceback": "Traceback…",
            "execution_id": str(job.execution_id),
        },
    )

    housekeeping.recover_lost_attempts()

    job.refresh_from_db()
    assert (job.status, job.error, job.traceback) == (S.SCHEDULED, "RuntimeError: nope", "Traceback…")
    assert job.run_at > timezone.now() + timedelta(seconds=4)  # linear back-off: 5 s


def test_without_a_report_the_attempt_is_lost_not_succeeded(transactional_db):
    job = _claimed_long_ago("tests.add", args=[2, 3])

    housekeeping.recover_lost_attempts()

    job.refresh_from_db()
    assert job.status == S.FAILED
    assert "stopped sending heartbeats" in job.error


def test_under_another_worker_class_the_wrapper_claims_and_records_itself(transactional_db):
    job = schedule_job("tests.add", args=[20, 22])
    worker = SimpleWorker(
        [broker.queue("normal")],
        connection=broker.connection(),
        serializer=JSONSerializer,
        job_class=broker.JSONJob,
    )
    worker.work(burst=True)
    job.refresh_from_db()
    assert (job.status, job.result, job.attempts) == (S.SUCCEEDED, 42, 1)


def test_the_worker_shares_the_process_redis_client(redis):
    assert broker.connection() is broker.connection()
    assert Worker(["normal"]).connection is broker.connection()


@pytest.mark.parametrize("same_server", [True, False])
def test_a_worker_given_another_redis_keeps_it(redis, same_server):
    kwargs = redis.connection_pool.connection_kwargs
    other = type(redis)(
        host=kwargs["host"], port=kwargs["port"], db=kwargs.get("db", 0) + (0 if same_server else 1)
    )
    worker = Worker(["normal"], connection=other)
    assert (worker.connection is broker.connection()) is same_server
