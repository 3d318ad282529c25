"""Who owns a running attempt: the execution that claimed it, by its token and its lease.

A claim gives the attempt a new execution id; only that execution records it, and its
worker keeps a lease in the database, which a Redis restart doesn't touch.
"""

import logging
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from jobs.core.states import JobStatus
from jobs.engine import broker, execution, housekeeping, lifecycle
from jobs.engine.worker_registry import list_workers
from jobs.models import Job
from jobs.services import pause_queue, resume_queue, schedule_job
from tests.conftest import wait_for
from tests.jobs.engine.worker_classes import both_worker_classes

S = JobStatus


def _claim(job: Job, now=None) -> Job:
    return lifecycle.start_attempt(str(job.pk), "worker", now=now)


def _replaced_attempt() -> tuple[Job, Job]:
    """Execution A claimed, was given up for lost, and execution B claimed the retry."""
    job = schedule_job("tests.add", args=[2, 3], max_attempts=3)
    first = _claim(job)
    assert lifecycle.record_lost_attempt(first, "given up") == S.SCHEDULED
    second = _claim(job)
    assert second.attempts == 2 and second.execution_id != first.execution_id
    return first, second


def _row(job: Job) -> dict:
    return Job.objects.values("status", "attempts", "execution_id", "result", "error", "progress").get(
        pk=job.pk
    )


def test_a_stale_executions_outcome_changes_nothing_and_is_warned_of(transactional_db, caplog):
    stale, live = _replaced_attempt()
    before = _row(live)

    with caplog.at_level(logging.WARNING):
        execution.record(
            stale, execution.Outcome(ok=True, runtime=1, result=5, execution_id=str(stale.execution_id))
        )
        execution.record(
            stale, execution.Outcome(ok=False, runtime=1, reason="boom", execution_id=str(stale.execution_id))
        )
        lifecycle.record_lost_attempt(stale, "its horse was killed")
        lifecycle.report_progress(str(stale.pk), 80, "stale", execution_id=stale.execution_id)

    assert _row(live) == before
    stale_lines = [r.getMessage() for r in caplog.records if "event=stale_report" in r.getMessage()]
    assert len(stale_lines) == 3
    assert all(lifecycle.token(stale) in line and lifecycle.token(live) in line for line in stale_lines)


def test_an_outcome_of_another_execution_is_not_recorded_for_this_one(transactional_db):
    stale, live = _replaced_attempt()
    other = execution.Outcome(ok=True, runtime=1, result=5, execution_id=str(stale.execution_id))

    execution.record(live, other)

    assert _row(live)["status"] == S.STARTED


def test_housekeeping_never_records_a_stale_executions_report_for_the_live_attempt(transactional_db):
    stale, live = _replaced_attempt()
    broker.put_outcome(
        str(stale.pk), {"ok": True, "runtime": 1, "result": 5, "execution_id": str(stale.execution_id)}
    )
    later = timezone.now() + timedelta(minutes=5)  # the live attempt's worker died too

    assert housekeeping.recover_lost_attempts(now=later) == [str(live.pk)]

    row = _row(live)
    assert (row["status"], row["result"], row["attempts"]) == (S.SCHEDULED, None, 2)
    assert "stopped sending heartbeats" in row["error"]


def test_a_renewed_lease_keeps_an_attempt_whose_worker_redis_forgot(transactional_db):
    job = schedule_job("tests.sleep", args=[60])
    claimed = _claim(job, now=timezone.now() - timedelta(minutes=10))
    lease_db = connections["default"].copy()
    try:
        assert lifecycle.renew_lease(claimed, lease_db)
    finally:
        lease_db.close()

    # No worker is registered in Redis at all: the lease in the database is what counts.
    assert housekeeping.recover_lost_attempts() == []
    assert _row(job)["status"] == S.STARTED


def test_a_lease_is_only_renewed_by_the_execution_that_owns_it(transactional_db):
    stale, live = _replaced_attempt()
    lease_db = connections["default"].copy()
    try:
        assert not lifecycle.renew_lease(stale, lease_db)
        assert lifecycle.renew_lease(live, lease_db)
    finally:
        lease_db.close()


# Real processes from here on.


def _status(job: Job) -> tuple[str, int]:
    return tuple(Job.objects.values_list("status", "attempts").get(pk=job.pk))


def _log_lines(processes, pattern: str) -> list[str]:
    text = "\n".join(Path(p.log_path).read_text() for p in processes.running)
    return re.findall(pattern, text)


@pytest.mark.slow
@both_worker_classes
def test_a_redis_restart_mid_job_neither_retries_nor_doubles_it(processes, own_redis):
    lost_after = 8
    env = {"REDIS_URL": own_redis.url, "JOBS_WORKER_LOST_AFTER": str(lost_after)}
    processes.worker("normal", name="a", **env)
    processes.worker("normal", name="b", **env)
    processes.scheduler(**env)
    job = schedule_job("tests.sleep", args=[24], max_attempts=3)
    wait_for(lambda: _status(job) == (S.STARTED, 1), timeout=30, message="the job to start")
    time.sleep(1)

    own_redis.restart()  # every worker registration, job hash and heartbeat is gone

    watch_until = time.monotonic() + lost_after + 6
    while time.monotonic() < watch_until:
        assert _status(job) == (S.STARTED, 1), "the running attempt was given up while it ran"
        time.sleep(0.2)
    wait_for(lambda: _status(job)[0] != S.STARTED, timeout=30, message="the job to finish")
    assert _status(job) == (S.SUCCEEDED, 1)
    assert not job.logs.filter(event__in=("retrying", "failed")).exists()
    succeeded = rf"job_id={job.pk} .*event=succeeded"
    # The worker writes its log line just after the row's commit the loop above saw.
    wait_for(lambda: _log_lines(processes, succeeded), timeout=10, message="the success log line")
    assert len(_log_lines(processes, rf"job_id={job.pk} .*event=started")) == 1
    assert len(_log_lines(processes, succeeded)) == 1


@pytest.mark.slow
@both_worker_classes
def test_a_paused_queue_stays_paused_while_redis_has_forgotten_the_pause(processes, own_redis):
    pause_queue("normal")
    processes.worker("normal", name="paused", REDIS_URL=own_redis.url)
    wait_for(list_workers, timeout=30, message="the worker to register")

    own_redis.flushall()  # the paused flag in Redis is gone; reconcile is not running
    job = schedule_job("tests.add", args=[1, 2])
    assert broker.queue("normal").count == 1

    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        assert _status(job)[0] == S.QUEUED, "a job of a paused queue ran"
        time.sleep(0.1)

    resume_queue("normal")
    wait_for(lambda: _status(job)[0] == S.SUCCEEDED, timeout=15, message="the job to run after resume")
