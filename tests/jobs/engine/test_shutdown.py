"""Graceful shutdown of the forking worker, with real ``rqworker`` processes and signals."""

import os
import signal
import time

import pytest

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.models import Job, JobLog
from jobs.services import schedule_job
from tests.conftest import wait_for

S = JobStatus
pytestmark = pytest.mark.slow


def row(job: Job) -> Job:
    return Job.objects.get(pk=job.pk)


def started(job: Job) -> Job:
    return wait_for(lambda: row(job).status == S.STARTED and row(job), 60, message=f"{job} to start")


def exited(process, timeout: float = 30) -> int:
    return process.wait(timeout=timeout)


def put_back_lines(job: Job) -> list[str]:
    lines = JobLog.objects.filter(job=job, event=JobLog.Event.RECOVERED)
    return list(lines.values_list("message", flat=True))


def test_sigterm_lets_a_job_that_finishes_within_the_timeout_finish(processes):
    worker = processes.worker("normal", JOBDESK_WORKER_SHUTDOWN_TIMEOUT="20")
    job = schedule_job("tests.sleep", args=[3])
    started(job)
    os.kill(worker.pid, signal.SIGTERM)
    later = schedule_job("tests.noop")
    assert exited(worker) == 0
    assert row(job).status == S.SUCCEEDED
    assert row(job).attempts == 1
    assert row(later).status == S.QUEUED, "a stopping worker takes no new job"


def test_a_job_still_running_at_the_deadline_goes_back_to_queued_without_using_an_attempt(processes):
    worker = processes.worker("normal", JOBDESK_WORKER_SHUTDOWN_TIMEOUT="2")
    job = schedule_job("tests.sleep", args=[600], max_attempts=1)
    started(job)
    began = time.monotonic()
    os.kill(worker.pid, signal.SIGTERM)
    assert exited(worker) == 0
    assert time.monotonic() - began < 15
    back = row(job)
    assert (back.status, back.attempts, back.error) == (S.QUEUED, 0, "")
    [line] = put_back_lines(job)
    assert "shut down" in line and "2 s after the shutdown began" in line and "does not count" in line
    assert broker.queue("normal").get_job_ids() == [str(job.pk)], "RQ's copy is back in its queue"

    processes.worker("normal", name="next")
    wait_for(lambda: row(job).status == S.STARTED, 60, message="another worker to run it")
    assert row(job).attempts == 1, "the attempt given back is the one the next worker uses"


def test_a_second_signal_stops_at_once_with_the_same_rule(processes):
    worker = processes.worker("normal")  # the default 30 s shutdown timeout: the first signal waits
    job = schedule_job("tests.sleep", args=[600], max_attempts=1)
    started(job)
    os.kill(worker.pid, signal.SIGTERM)
    time.sleep(1.5)  # RQ treats two signals within 1 s as one delivered twice
    assert worker.poll() is None, "within its timeout the first signal waits for the job"
    os.kill(worker.pid, signal.SIGINT)
    assert exited(worker, timeout=10) == 0
    back = row(job)
    assert (back.status, back.attempts) == (S.QUEUED, 0)
    assert "a second stop signal came" in put_back_lines(job)[0]
    assert not Job.objects.filter(status=S.FAILED).exists()


def test_a_worker_over_its_memory_limit_recycles_after_its_job(processes):
    worker = processes.worker("normal", JOBDESK_WORKER_MAX_MEMORY_MB="1")
    job = schedule_job("tests.add", args=[1, 2])
    assert exited(worker, timeout=60) == 0
    assert row(job).status == S.SUCCEEDED
    assert "recycling:" in processes.logs() and "MiB resident" in processes.logs()
