"""The fast lane's worker class against real processes: it runs, it is RQ's, it keeps the rules."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from django.db import connection
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
    return wait_for(
        lambda: status_of(job) in statuses and status_of(job), timeout, message=f"{job} {statuses}"
    )


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


def test_a_soft_timeout_stops_the_job_and_the_worker_goes_on(processes):
    worker = fast_worker(processes, "normal")
    spinning = schedule_job("tests.fast.spin", args=[30])
    wait_for_status(spinning, S.FAILED, timeout=15)
    assert Job.objects.get(pk=spinning.pk).error == "Timed out after 1 s"
    after = schedule_job("tests.add", args=[2, 2])
    wait_for_status(after, S.SUCCEEDED)
    assert worker.poll() is None, "the same process took the next job"


def test_a_job_blocked_past_its_hard_timeout_fails_and_the_process_is_replaced(processes):
    worker = fast_worker(processes, "normal", JOBDESK_WORKER_CONCURRENCY="2")
    blocked = schedule_job("tests.fast.block", args=[120], max_attempts=1)
    wait_for_status(blocked, S.STARTED)
    wait_for_status(blocked, S.FAILED, timeout=20)
    assert Job.objects.get(pk=blocked.pk).error.startswith("Hard timeout")
    assert worker.wait(timeout=30) == 0, "a recycling worker exits 0 for its supervisor"


def test_a_stop_lands_in_its_slot_only(processes):
    fast_worker(processes, "normal", JOBDESK_WORKER_CONCURRENCY="3")
    stopped = schedule_job("tests.fast.nap", args=[60])
    others = [schedule_job("tests.fast.nap", args=[1.5]) for _ in range(2)]
    wait_for_status(stopped, S.STARTED)
    cancel_job(stopped.pk)
    wait_for(lambda: broker.rq_status(str(stopped.pk)) == "stopped", 10, message="RQ's stopped status")
    assert status_of(stopped) == S.CANCELLED
    for job in others:
        wait_for_status(job, S.SUCCEEDED)


def test_a_job_cancelled_before_it_starts_never_runs(processes):
    fast_worker(processes, "normal", JOBDESK_WORKER_CONCURRENCY="1")
    busy = schedule_job("tests.fast.nap", args=[1.5])
    wait_for_status(busy, S.STARTED)
    waiting = schedule_job("tests.log", args=["must not run"])
    cancel_job(waiting.pk)
    wait_for_status(busy, S.SUCCEEDED)
    after = schedule_job("tests.add", args=[1, 1])
    wait_for_status(after, S.SUCCEEDED)
    row = Job.objects.get(pk=waiting.pk)
    assert (row.status, row.attempts, row.started_at) == (S.CANCELLED, 0, None)


def test_a_paused_queue_starts_nothing_within_a_second(processes):
    fast_worker(processes, "normal", JOBDESK_WORKER_CONCURRENCY="4")
    wait_for_status(schedule_job("tests.add", args=[0, 0]), S.SUCCEEDED)
    pause_queue("normal")
    time.sleep(1.0)
    waiting = [schedule_job("tests.add", args=[i, i]) for i in range(4)]
    time.sleep(2.0)
    assert {status_of(job) for job in waiting} == {S.QUEUED}
    resume_queue("normal")
    for job in waiting:
        wait_for_status(job, S.SUCCEEDED)


def test_sigkill_with_busy_slots_loses_nothing(processes):
    env = {"JOBDESK_WORKER_CONCURRENCY": "4"}
    first = fast_worker(processes, "normal", **env)
    running = [schedule_job("tests.fast.nap", args=[30], max_attempts=2) for _ in range(4)]
    queued = [schedule_job("tests.add", args=[i, 0]) for i in range(3)]
    for job in running:
        wait_for_status(job, S.STARTED)
    processes.kill_group(first)
    processes.scheduler(JOBS_WORKER_LOST_AFTER="3")
    fast_worker(processes, "normal", name="second", **env)
    for job in queued:
        wait_for_status(job, S.SUCCEEDED, timeout=30)
    for job in running:
        wait_for(lambda job=job: Job.objects.get(pk=job.pk).attempts == 2, 60, message="a second attempt")
    assert {status_of(job) for job in running} == {S.STARTED}, "each retried once, by the new worker"


def test_after_max_jobs_the_worker_exits_0_and_a_new_one_takes_over(processes):
    first = fast_worker(processes, "normal", JOBDESK_WORKER_MAX_JOBS="3")
    jobs = [schedule_job("tests.add", args=[i, 0]) for i in range(5)]
    assert first.wait(timeout=30) == 0
    assert sorted(status_of(job) for job in jobs).count(S.SUCCEEDED) == 3
    fast_worker(processes, "normal", name="next")
    for job in jobs:
        wait_for_status(job, S.SUCCEEDED)


def test_a_leaking_task_makes_the_worker_recycle_after_that_job(processes):
    worker = fast_worker(processes, "normal", JOBDESK_WORKER_MAX_MEMORY_MB="200")
    small = schedule_job("tests.fast.leak", args=[1])
    wait_for_status(small, S.SUCCEEDED)
    assert worker.poll() is None, "under the limit it keeps going"
    big = schedule_job("tests.fast.leak", args=[300])
    wait_for_status(big, S.SUCCEEDED)
    assert worker.wait(timeout=30) == 0
    assert "recycling: " in processes.logs()


def test_sigterm_gives_back_what_outlives_the_shutdown_timeout(processes):
    env = {"JOBDESK_WORKER_CONCURRENCY": "2", "JOBDESK_WORKER_SHUTDOWN_TIMEOUT": "1"}
    worker = fast_worker(processes, "normal", **env)
    short = schedule_job("tests.fast.nap", args=[0.5])
    long = schedule_job("tests.fast.nap", args=[60])
    wait_for_status(long, S.STARTED)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    assert status_of(short) == S.SUCCEEDED
    row = Job.objects.get(pk=long.pk)
    assert (row.status, row.attempts, row.started_at) == (S.QUEUED, 0, None)
    given_back = JobLog.objects.filter(
        job=long, event=JobLog.Event.RECOVERED, message__contains="back in queue"
    )
    assert given_back.exists()
    assert broker.rq_status(str(long.pk)) == "queued"
    assert str(long.pk) in broker.queue("normal").job_ids
    fast_worker(processes, "normal", name="next")
    wait_for(lambda: Job.objects.get(pk=long.pk).attempts == 1, 30, message="picked up again")


def slots_the_database_allows(wanted: int) -> int:
    """Each slot holds a database connection: on PostgreSQL, stay inside ``max_connections``
    (the suite's own connections and the worker's monitor need some too, and so do the
    other test processes when the suite runs in several)."""
    if connection.vendor != "postgresql":
        return wanted
    others = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) - 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        return min(wanted, int(cursor.fetchone()[0]) - 20 - 15 * others)


def test_a_hundred_concurrent_jobs_all_succeed_each_exactly_once(processes):
    fast_worker(processes, "normal", JOBDESK_WORKER_CONCURRENCY=str(slots_the_database_allows(100)))
    jobs = [schedule_job("tests.fast.nap", args=[1]) for _ in range(100)]
    ids = [job.pk for job in jobs]
    wait_for(lambda: Job.objects.filter(pk__in=ids, status=S.SUCCEEDED).count() == 100, 60, message="all 100")
    assert set(Job.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {1}
    assert all(broker.rq_status(str(pk)) == "finished" for pk in ids)
