"""A job a worker took from its queue and died with goes back and runs, once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from rq import Worker as RQWorker

from jobs import conf
from jobs.core.states import JobStatus
from jobs.engine import abandoned, broker
from jobs.models import Job
from jobs.services import schedule_job
from tests.conftest import wait_for
from tests.jobs.engine.worker_classes import both_worker_classes

S = JobStatus
pytestmark = pytest.mark.slow

SLACK = 5
"""Seconds past WORKER_LOST_AFTER the housekeeper may take to put a job back."""


def _status(job: Job) -> str:
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)


def _intermediate(redis, name: str = "normal") -> list[str]:
    return [raw.decode() for raw in redis.lrange(broker.queue(name).intermediate_queue_key, 0, -1)]


def _queued_ids(redis, name: str = "normal") -> list[str]:
    return broker.queue(name, redis).get_job_ids()


def _blocked_in_blpop(redis) -> bool:
    return any(client.get("cmd") == "blpop" for client in redis.client_list())


def _end_claims_left_by_the_dead() -> None:
    """A killed worker's claim, blocked on the row this test holds, dies with it.

    SQLite's lock wait is in the worker's process; PostgreSQL's backend would run the
    blocked UPDATE once the lock is released, as if the worker had claimed before dying.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )


def test_a_job_left_in_the_intermediate_list_goes_back_to_its_queue(processes, redis):
    job = schedule_job("tests.add", args=[2, 3])
    queue = broker.queue("normal")
    # Exactly what a worker killed right after its dequeue leaves behind.
    redis.lmove(queue.key, queue.intermediate_queue_key, "LEFT", "RIGHT")
    assert _intermediate(redis) == [str(job.pk)] and _queued_ids(redis) == []
    planted = time.monotonic()
    processes.scheduler()
    processes.up(scheduler=True)

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


@both_worker_classes
def test_a_worker_killed_between_dequeue_and_start_loses_nothing(processes, redis):
    job = schedule_job("tests.add", args=[1, 1])
    with transaction.atomic():
        # Hold the row before the worker starts, so its claim waits: the worker is then
        # caught, for certain, between taking the job from Redis and starting it.
        Job.objects.select_for_update().get(pk=job.pk)
        Job.objects.filter(pk=job.pk).update(priority=job.priority)
        doomed = processes.worker("normal", name="doomed")
        wait_for(lambda: _intermediate(redis) == [str(job.pk)], timeout=30, message="the worker took it")
        processes.kill_group(doomed)
        _end_claims_left_by_the_dead()
    processes.scheduler()
    processes.worker("normal", name="survivor")
    killed = processes.up(scheduler=True, workers=1)

    bound = conf.get().WORKER_LOST_AFTER + SLACK
    wait_for(lambda: _status(job) == S.SUCCEEDED, timeout=bound, message="the job ran after all")
    assert time.monotonic() - killed < bound
    job.refresh_from_db()
    assert job.attempts == 1
    assert _intermediate(redis) == [] and _queued_ids(redis) == []


@both_worker_classes
def test_a_job_popped_into_no_list_goes_back_to_its_queue(processes, redis):
    lost_after = 4
    env = {"JOBS_WORKER_LOST_AFTER": str(lost_after)}
    job = schedule_job("tests.add", args=[4, 5])
    enqueued = time.monotonic()
    # Exactly what a worker on several queues (BLPOP) killed before its next command
    # leaves: the row and the hash say queued, and the id is in no list at all.
    assert redis.lpop(broker.queue("normal").key).decode() == str(job.pk)
    processes.scheduler(**env)
    processes.up(scheduler=True)

    bound = lost_after + SLACK
    wait_for(lambda: _queued_ids(redis) == [str(job.pk)], timeout=bound, message="back in its queue")
    assert time.monotonic() - enqueued >= lost_after - 1, "not too early"
    processes.worker("high", "normal", "low", name="after", **env)
    wait_for(lambda: _status(job) == S.SUCCEEDED, timeout=30, message="the job ran")
    job.refresh_from_db()
    assert (job.attempts, job.result) == (1, 9)
    assert _queued_ids(redis) == [] and _intermediate(redis) == []


@both_worker_classes
def test_a_multi_queue_worker_killed_between_dequeue_and_start_loses_nothing(processes, redis):
    lost_after = 4
    env = {"JOBS_WORKER_LOST_AFTER": str(lost_after)}
    job = schedule_job("tests.add", args=[2, 2])
    queue = broker.queue("normal")
    redis.lpop(queue.key)  # held back until the worker waits on its empty queues
    doomed = processes.worker("high", "normal", "low", name="doomed", **env)
    wait_for(lambda: RQWorker.count(connection=redis) == 1, timeout=30, message="the worker listens")
    wait_for(lambda: _blocked_in_blpop(redis), timeout=30, message="the worker waits on its queues")
    with transaction.atomic():
        Job.objects.select_for_update().get(pk=job.pk)
        Job.objects.filter(pk=job.pk).update(priority=job.priority)
        redis.rpush(queue.key, str(job.pk))
        wait_for(lambda: _intermediate(redis) == [str(job.pk)], timeout=30, message="the worker took it")
        processes.kill_group(doomed)
        _end_claims_left_by_the_dead()
    assert _queued_ids(redis) == [] and _status(job) == S.QUEUED
    processes.scheduler(**env)
    processes.worker("high", "normal", "low", name="survivor", **env)
    killed = processes.up(scheduler=True, workers=1)

    bound = lost_after + SLACK
    wait_for(lambda: _status(job) == S.SUCCEEDED, timeout=bound, message="the job ran after all")
    assert time.monotonic() - killed < bound
    job.refresh_from_db()
    assert (job.attempts, job.result) == (1, 4)
    assert _intermediate(redis) == [] and _queued_ids(redis) == []


@both_worker_classes
def test_a_busy_system_runs_every_job_once(processes, redis):
    env = {"JOBS_WORKER_LOST_AFTER": "3"}
    queues = ("high", "normal", "low")
    jobs = [schedule_job("tests.add", args=[n, 1], queue=queues[n % 3]) for n in range(200)]
    time.sleep(3)  # every job is old enough to be looked for while it waits
    scheduler = processes.scheduler(**env)
    workers = [processes.worker(*queues, name=f"busy{n}", **env) for n in range(2)]
    ids = [job.pk for job in jobs]

    def succeeded() -> int:
        return Job.objects.filter(pk__in=ids, status=S.SUCCEEDED).count()

    wait_for(lambda: succeeded() == len(ids), timeout=180, message="every job ran")
    attempts = set(Job.objects.filter(pk__in=ids).values_list("attempts", flat=True))
    assert attempts == {1}
    logs = "\n".join(Path(p.log_path).read_text() for p in [scheduler, *workers])
    assert "requeued" not in logs and "put back" not in logs
    for name in queues:
        assert _queued_ids(redis, name) == [] and _intermediate(redis, name) == []


def test_a_popped_id_goes_back_once_and_only_when_nothing_holds_it(transactional_db, redis):
    job = schedule_job("tests.add", args=[1, 2])
    queue = broker.queue("normal")
    later = time.time() + conf.get().WORKER_LOST_AFTER + 1
    started = queue.started_job_registry
    redis.lpop(queue.key)
    redis.zadd(started.key, {f"{job.pk}:some-execution": later + 60})  # a worker runs it
    assert [abandoned.requeue_popped(queue, redis, later + n) for n in range(3)] == [[], [], []]

    redis.zrem(started.key, f"{job.pk}:some-execution")
    assert abandoned.requeue_popped(queue, redis, later + 3) == [], "seen once: not yet"
    assert abandoned.requeue_popped(queue, redis, later + 4) == [str(job.pk)]
    assert [abandoned.requeue_popped(queue, redis, later + n) for n in (5, 6)] == [[], []]
    assert _queued_ids(redis) == [str(job.pk)]
