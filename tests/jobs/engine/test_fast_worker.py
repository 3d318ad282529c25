"""The fast lane's worker class against real processes: it runs, it is RQ's, it keeps the rules."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
from rq import Worker as RQWorker

from jobs.conf import FAST_WORKER_CLASS
from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.models import Job, JobLog
from jobs.services import cancel_job, pause_queue, resume_queue, schedule_job
from tests.conftest import wait_for

S = JobStatus


def fast_worker(processes, *queues: str, name: str = "fast", **env: str) -> subprocess.Popen:
    """``manage.py rqworker … --worker-class`` the fast lane, configured as a supervisor would."""
    return processes.start(
        "rqworker",
        *(queues or ("high", "normal", "low")),
        "--worker-class",
        FAST_WORKER_CLASS,
        "--name",
        f"{name}-{time.time_ns()}",
        name=name,
        **env,
    )


def status_of(job: Job) -> str:
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)


def wait_for_status(job: Job, *statuses: str, timeout: float = 30) -> str:
    return wait_for(lambda: status_of(job) in statuses and status_of(job), timeout, message=f"{job} {statuses}")


def test_jobs_run_and_keep_their_rq_ids_and_the_worker_is_listed(processes):
    worker = fast_worker(processes, "normal", JOBDESK_WORKER_POOL="io")
    jobs = [schedule_job("tests.add", args=[i, 1]) for i in range(5)]
    for job in jobs:
        wait_for_status(job, S.SUCCEEDED)
    rows = {row.pk: row for row in Job.objects.filter(pk__in=[j.pk for j in jobs])}
    assert [rows[j.pk].result for j in jobs] == [i + 1 for i in range(5)]
    assert all(broker.rq_status(str(j.pk)) == "finished" for j in jobs), "RQ's view: finished"
    listed = wait_for(lambda: RQWorker.all(connection=broker.connection()))
    assert [w.name.split("-")[0] for w in listed] == ["fast"]
    assert worker.poll() is None


def test_an_async_def_task_runs_on_the_shared_loop(processes):
    fast_worker(processes, "normal", JOBDESK_WORKER_CONCURRENCY="4")
    jobs = [schedule_job("tests.fast.async_sleep", args=[0.5]) for _ in range(4)]
    for job in jobs:
        wait_for_status(job, S.SUCCEEDED)
    assert all(0.5 <= Job.objects.get(pk=j.pk).result < 1.5 for j in jobs)


def test_a_failure_is_recorded_once_and_retried_by_jobdesk(processes):
    fast_worker(processes, "normal")
    processes.scheduler()
    job = schedule_job("tests.flaky", args=[1])
    wait_for_status(job, S.SUCCEEDED, timeout=30)
    row = Job.objects.get(pk=job.pk)
    assert row.attempts == 2 and row.result == 2
    assert JobLog.objects.filter(job=job, event=JobLog.Event.RETRYING).count() == 1
