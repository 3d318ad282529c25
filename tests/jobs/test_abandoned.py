"""A job a worker took from its queue and died with goes back and runs, once."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from jobs import conf, dispatch
from jobs.models import Job
from jobs.services import schedule_job
from jobs.states import JobStatus
from tests.conftest import wait_for

S = JobStatus
pytestmark = pytest.mark.slow

SLACK = 5
"""Seconds past WORKER_LOST_AFTER the housekeeper may take to put a job back."""


def _status(job: Job) -> str:
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)


def _intermediate(redis, name: str = "normal") -> list[str]:
    return [raw.decode() for raw in redis.lrange(dispatch.queue(name).intermediate_queue_key, 0, -1)]


def _queued_ids(redis, name: str = "normal") -> list[str]:
    return dispatch.queue(name, redis).get_job_ids()


def test_a_job_left_in_the_intermediate_list_goes_back_to_its_queue(processes, redis):
    job = schedule_job("demo.add", args=[2, 3])
    queue = dispatch.queue("normal")
    # Exactly what a worker killed right after its dequeue leaves behind.
    redis.lmove(queue.key, queue.intermediate_queue_key, "LEFT", "RIGHT")
    assert _intermediate(redis) == [str(job.pk)] and _queued_ids(redis) == []
    planted = time.monotonic()
    processes.scheduler()

    bound = conf.get().WORKER_LOST_AFTER + SLACK
    wait_for(lambda: _queued_ids(redis) == [str(job.pk)], timeout=bound, message="back in its queue")
    assert time.monotonic() - planted >= conf.get().WORKER_LOST_AFTER - 1, "not too early"
    assert _intermediate(redis) == []
    assert _status(job) == S.QUEUED

    processes.worker("normal", name="after")
    wait_for(lambda: _status(job) == S.SUCCEEDED, timeout=30, message="the job ran")
    job.refresh_from_db()
    assert (job.attempts, job.result) == (1, 5)
    assert _queued_ids(redis) == [] and _intermediate(redis) == []


def test_a_worker_killed_between_dequeue_and_start_loses_nothing(processes, redis):
    # Paused in Redis only (the worker reads both flags), so the gate can be lifted
    # while this test holds the row inside a transaction.
    dispatch.set_paused(["normal"], True)
    doomed = processes.worker("normal", name="doomed")
    job = schedule_job("demo.add", args=[1, 1])
    with transaction.atomic():
        # Hold the row so the worker's claim waits: the worker is then caught, for
        # certain, between taking the job from Redis and starting it.
        Job.objects.select_for_update().get(pk=job.pk)
        Job.objects.filter(pk=job.pk).update(priority=job.priority)
        dispatch.set_paused(["normal"], False)
        wait_for(lambda: _intermediate(redis) == [str(job.pk)], timeout=30, message="the worker took it")
        processes.kill_group(doomed)
    killed = time.monotonic()
    processes.scheduler()
    processes.worker("normal", name="survivor")

    bound = conf.get().WORKER_LOST_AFTER + SLACK + 5  # + the new worker's start-up
    wait_for(lambda: _status(job) == S.SUCCEEDED, timeout=bound, message="the job ran after all")
    assert time.monotonic() - killed < bound
    job.refresh_from_db()
    assert job.attempts == 1
    assert _intermediate(redis) == [] and _queued_ids(redis) == []
