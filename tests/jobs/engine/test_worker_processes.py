"""Behaviour that needs real worker processes: pause, cancel running, crashes."""

import contextlib
import os
import signal
import time

import psutil
import pytest
from django.db import connection
from rq import Worker

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.models import Job
from jobs.services import cancel_job, pause_queue, resume_queue, schedule_job
from tests.conftest import wait_for
from tests.jobs.engine.worker_classes import both_worker_classes

S = JobStatus
pytestmark = pytest.mark.slow


def status_of(job: Job) -> str:
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)


def wait_for_status(job: Job, *statuses: str, timeout: float = 30) -> str:
    return wait_for(
        lambda: status_of(job) in statuses and status_of(job), timeout, message=f"{job} {statuses}"
    )


def stays(job: Job, status: str, seconds: float) -> bool:
    """True if the job is still in ``status`` after ``seconds`` (what a pause must do)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if status_of(job) != status:
            return False
        time.sleep(0.1)
    return True


@both_worker_classes
def test_pause_stops_new_jobs_on_every_worker_and_resume_picks_up(processes):
    processes.worker("normal", name="one")
    processes.worker("normal", name="two")
    warmup = schedule_job("tests.add", args=[0, 0])
    wait_for_status(warmup, S.SUCCEEDED)
    running = schedule_job("tests.sleep", args=[3])
    wait_for_status(running, S.STARTED)

    pause_queue("normal")
    time.sleep(1.0)  # the promise: within one second no worker starts a new job
    waiting = [schedule_job("tests.add", args=[i, i]) for i in range(4)]
    assert all(stays(job, S.QUEUED, 0.5) for job in waiting[:1])
    assert wait_for_status(running, S.SUCCEEDED), "a running job finishes while its queue is paused"
    assert all(stays(job, S.QUEUED, 0.2) for job in waiting)

    resume_queue("normal")
    for job in waiting:
        wait_for_status(job, S.SUCCEEDED, timeout=15)
    assert broker.queue("normal").count == 0


@both_worker_classes
def test_pause_survives_a_worker_restart(processes):
    pause_queue("normal")
    first = processes.worker("normal", name="before")
    job = schedule_job("tests.add", args=[1, 1])
    assert stays(job, S.QUEUED, 2)
    processes.kill_group(first, signal.SIGTERM)
    processes.worker("normal", name="after")
    assert stays(job, S.QUEUED, 3), "a new worker honours the pause too"
    resume_queue("normal")
    wait_for_status(job, S.SUCCEEDED)


@both_worker_classes
def test_other_queues_keep_running_while_one_is_paused(processes):
    processes.worker("high", "normal", name="both")
    pause_queue("normal")
    paused = schedule_job("tests.add", args=[1, 1], queue="normal")
    running = schedule_job("tests.add", args=[2, 2], queue="high")
    wait_for_status(running, S.SUCCEEDED)
    assert status_of(paused) == S.QUEUED


@both_worker_classes
def test_cancel_stops_a_running_job_and_the_worker_goes_on(processes):
    processes.worker("normal", name="cancel")
    job = schedule_job("tests.sleep", args=[60])
    wait_for_status(job, S.STARTED)
    wait_for(lambda: broker.rq_status(str(job.pk)) == "started", message="RQ to see it started")
    cancel_job(job.pk)
    wait_for(
        lambda: broker.rq_status(str(job.pk)) == "stopped", timeout=20, message="the horse to be stopped"
    )
    job.refresh_from_db()
    assert job.status == S.CANCELLED
    assert job.progress < 100
    after = schedule_job("tests.add", args=[1, 2])
    wait_for_status(after, S.SUCCEEDED)


def _horse_of(worker_process) -> psutil.Process:
    def find():
        children = psutil.Process(worker_process.pid).children(recursive=True)
        return children[0] if children else None

    return wait_for(find, message="the work-horse")


def test_a_killed_work_horse_is_recorded_at_once(processes):
    worker = processes.worker("normal", name="oom")
    job = schedule_job("tests.sleep", args=[60], max_attempts=1)
    wait_for_status(job, S.STARTED)
    horse = _horse_of(worker)
    os.kill(horse.pid, signal.SIGKILL)  # what the OOM killer does
    wait_for_status(job, S.FAILED, timeout=15)
    job.refresh_from_db()
    assert f"Work-horse process {horse.pid} was killed (signal 9)" in job.error
    assert worker.poll() is None, "the worker survives its horse"


def test_sigkilled_worker_job_is_retried_within_a_minute(processes):
    doomed = processes.worker("normal", name="doomed")
    job = schedule_job("tests.sleep", args=[4], max_attempts=2)
    wait_for_status(job, S.STARTED)
    horse = _horse_of(doomed)
    processes.kill_group(doomed)  # worker first, so nobody hears of the horse's death
    with contextlib.suppress(ProcessLookupError):  # it may have died with its worker already
        os.killpg(horse.pid, signal.SIGKILL)  # RQ puts the horse in a process group of its own
    killed_at = time.monotonic()
    processes.scheduler()
    processes.worker("normal", name="survivor")
    wait_for_status(job, S.SUCCEEDED, timeout=90)
    job.refresh_from_db()
    assert job.attempts == 2
    assert "stopped sending heartbeats" in job.logs.get(event="retrying").message
    recovered_after = job.logs.get(event="retrying").created_at
    assert (recovered_after - job.created_at).total_seconds() < 60 + 5
    assert time.monotonic() - killed_at < 90


def test_due_scheduled_job_is_moved_and_run_by_the_scheduler(processes):
    processes.scheduler()
    processes.worker("normal", name="timed")
    # Lateness is the scheduler's promise once it runs, not how long two processes take to boot.
    conn = broker.connection()
    wait_for(lambda: conn.exists("rq:scheduler_lock"), 60, message="the scheduler's lock")
    wait_for(lambda: Worker.all(queue=broker.queue("normal")), 60, message="the worker's registration")
    job = schedule_job("tests.add", args=[1, 2], delay=2)
    assert status_of(job) == S.SCHEDULED
    wait_for_status(job, S.SUCCEEDED, timeout=20)
    job.refresh_from_db()
    lateness = (job.started_at - job.run_at).total_seconds()
    assert 0 <= lateness < 1.5


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="connections are handed down on PostgreSQL only"
)
def test_a_horse_that_leaves_its_connection_dirty_costs_nothing_to_the_next_job(processes):
    processes.worker("normal", name="handdown")
    dirty = schedule_job("tests.leaves_a_transaction_open")
    wait_for_status(dirty, S.SUCCEEDED)
    after = [schedule_job("tests.add", args=[i, i]) for i in range(3)]
    for job in after:
        wait_for_status(job, S.SUCCEEDED)
    assert [Job.objects.get(pk=job.pk).result for job in after] == [0, 2, 4]
