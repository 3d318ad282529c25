"""The fast lane's batches keep every rule, against real processes.

Prefetch (``JOBS['WORKER_PREFETCH']``): each test queues its jobs before the worker
starts, so that its first batch takes them all: one for the slot, the others into the
buffer, which the test checks before acting. Counters: summed in the worker, sent in
one pipeline a tick.
"""

from __future__ import annotations

import signal
import time

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.engine.fastlane.prefetch import MAX_WAIT
from jobs.models import Job
from jobs.services import cancel_job, pause_queue, resume_queue, schedule_jobs
from tests.conftest import wait_for
from tests.jobs.engine.test_fast_worker import fast_worker, status_of, wait_for_status

S = JobStatus
PREFETCHING = {"JOBDESK_WORKER_CONCURRENCY": "1", "JOBDESK_WORKER_PREFETCH": "4"}


def queue_first_a_nap_then(seconds: float, count: int, **nap_options) -> tuple[Job, list[Job]]:
    nap, *others = schedule_jobs(
        [
            {"task": "tests.fast.nap", "args": [seconds], **nap_options},
            *({"task": "tests.add", "args": [i, 1]} for i in range(count)),
        ]
    )
    return nap, others


def taken(job: Job) -> bool:
    """Taken from its queue by a worker that hasn't started it: in the intermediate list."""
    queue = broker.queue(job.queue)
    held = broker.connection().lrange(queue.intermediate_queue_key, 0, -1)
    return str(job.pk).encode() in held and str(job.pk) not in queue.job_ids


def wait_until_prefetched(nap: Job, others: list[Job]) -> None:
    wait_for_status(nap, S.STARTED)
    wait_for(lambda: all(taken(job) for job in others), 10, message="the others in the buffer")


def test_a_prefetched_job_cancelled_before_it_starts_never_runs(processes):
    nap, others = queue_first_a_nap_then(1.5, 4)
    fast_worker(processes, "normal", **PREFETCHING)
    wait_until_prefetched(nap, others)
    cancelled, *rest = others
    cancel_job(cancelled.pk)
    for job in rest:
        wait_for_status(job, S.SUCCEEDED)
    row = Job.objects.get(pk=cancelled.pk)
    assert (row.status, row.attempts, row.started_at) == (S.CANCELLED, 0, None)
    finished = Job.objects.get(pk=nap.pk).finished_at
    started = Job.objects.filter(pk__in=[job.pk for job in rest]).values_list("started_at", flat=True)
    assert all(at >= finished for at in started), "started when each really started, not when taken"
    for job in [nap, *rest]:  # RQ settles its side just after the row is recorded
        wait_for(lambda job=job: broker.rq_status(str(job.pk)) == "finished", 10, message="RQ finished")


def test_a_queue_paused_while_its_jobs_wait_in_the_buffer_starts_none_of_them(processes):
    nap, others = queue_first_a_nap_then(3, 4)
    fast_worker(processes, "normal", **PREFETCHING)
    wait_until_prefetched(nap, others)
    pause_queue("normal")
    paused_at = time.monotonic()
    wait_for_status(nap, S.SUCCEEDED)
    assert time.monotonic() - paused_at > 1.0, "the nap outlived the pause's one second"
    wait_for(lambda: all(str(job.pk) in broker.queue("normal").job_ids for job in others), 10)
    time.sleep(1.0)
    assert {status_of(job) for job in others} == {S.QUEUED}
    assert broker.queue("normal").job_ids[: len(others)] == [str(job.pk) for job in others], "order kept"
    resume_queue("normal")
    for job in others:
        wait_for_status(job, S.SUCCEEDED)


def test_sigkill_with_a_full_buffer_loses_nothing(processes):
    nap, others = queue_first_a_nap_then(30, 4, max_attempts=2)
    first = fast_worker(processes, "normal", **PREFETCHING)
    wait_until_prefetched(nap, others)
    processes.kill_group(first)
    processes.scheduler(JOBS_WORKER_LOST_AFTER="3")
    fast_worker(processes, "normal", name="second", JOBDESK_WORKER_CONCURRENCY="2")
    for job in others:
        wait_for_status(job, S.SUCCEEDED, timeout=30)
    assert set(Job.objects.filter(pk__in=[j.pk for j in others]).values_list("attempts", flat=True)) == {1}
    wait_for(lambda: Job.objects.get(pk=nap.pk).attempts == 2, 60, message="the nap's second attempt")


def test_jobs_waiting_behind_a_long_job_go_back_for_another_worker(processes):
    nap, others = queue_first_a_nap_then(MAX_WAIT + 20, 4)
    fast_worker(processes, "normal", **PREFETCHING)
    wait_until_prefetched(nap, others)
    fast_worker(processes, "normal", name="second")
    for job in others:
        wait_for_status(job, S.SUCCEEDED, timeout=MAX_WAIT + 15)
    assert status_of(nap) == S.STARTED, "given back while the first worker's slot was still busy"
    assert set(Job.objects.filter(pk__in=[j.pk for j in others]).values_list("attempts", flat=True)) == {1}


def test_sigterm_gives_the_buffer_back_to_its_queue(processes):
    nap, others = queue_first_a_nap_then(1, 4)
    worker = fast_worker(processes, "normal", **PREFETCHING)
    wait_until_prefetched(nap, others)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    assert status_of(nap) == S.SUCCEEDED
    rows = Job.objects.filter(pk__in=[job.pk for job in others])
    assert {(row.status, row.attempts) for row in rows} == {(S.QUEUED, 0)}
    assert broker.queue("normal").job_ids == [str(job.pk) for job in others]
    assert all(broker.rq_status(str(job.pk)) == "queued" for job in others)


def test_the_counts_of_a_batch_reach_the_queue_counters_once_each(processes):
    fast_worker(processes, "normal", **PREFETCHING)
    jobs = schedule_jobs([{"task": "tests.add", "args": [i, 1]} for i in range(6)])
    for job in jobs:
        wait_for_status(job, S.SUCCEEDED)
    key = broker.COUNTERS_KEY.format(queue="normal")
    wait_for(lambda: broker.connection().hget(key, "succeeded") == b"6", 10, message="6 counted")
    runtimes = broker.connection().lrange(broker.RUNTIMES_KEY.format(queue="normal"), 0, -1)
    assert len(runtimes) == 6
