"""Workers and the scheduler ride out a Redis outage and a Redis that lost its data.

Real processes against a Redis of the test's own (``own_redis``), which is killed for
a bounded outage: the length of the outage is the point, everything else waits on a
condition.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rest_framework.test import APIClient
from rq import Worker as RQWorker

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.engine.worker_registry import list_workers
from jobs.models import Job
from jobs.monitoring import health
from jobs.services import schedule_job
from tests.conftest import wait_for
from tests.factories import superuser
from tests.jobs.engine.worker_classes import both_worker_classes

S = JobStatus
pytestmark = pytest.mark.slow

OUTAGE_SECONDS = 20
LISTED_AGAIN_WITHIN = 5


def _names(redis) -> set[str]:
    return {worker.name for worker in RQWorker.all(connection=redis)}


def _status(job_id) -> str:
    return Job.objects.values_list("status", flat=True).get(pk=job_id)


def _all_alive(procs) -> bool:
    return all(process.poll() is None for process in procs)


def _log(process) -> str:
    return Path(process.log_path).read_text()


def _workers_checked_healthy(redis) -> bool:
    return health.check_workers(redis, health.timezone.now()).ok


def test_workers_and_scheduler_survive_a_redis_outage(processes, own_redis):
    one = processes.worker("normal", name="one", REDIS_URL=own_redis.url)
    two = processes.worker("high", "normal", "low", name="two", REDIS_URL=own_redis.url)
    scheduler = processes.scheduler(REDIS_URL=own_redis.url)
    redis = own_redis.client()
    wait_for(lambda: len(_names(redis)) == 2, timeout=30, message="both workers registered")
    warmup = schedule_job("tests.add", args=[0, 0])
    wait_for(lambda: _status(warmup.pk) == S.SUCCEEDED, timeout=30, message="a first job ran")
    api = APIClient()
    api.force_authenticate(superuser("ops"))
    before = schedule_job("tests.add", args=[1, 1], delay=OUTAGE_SECONDS / 2)

    own_redis.stop()
    down_until = time.monotonic() + OUTAGE_SECONDS
    during = []
    while time.monotonic() < down_until:
        during.append(schedule_job("tests.add", args=[len(during), 1]).pk)
        reply = api.post("/api/jobs/", {"task": "tests.add", "args": [2, 2]}, format="json")
        assert reply.status_code == 201, reply.content
        during.append(reply.json()["id"])
        time.sleep(OUTAGE_SECONDS / 4)
    assert _all_alive([one, two, scheduler]), processes.logs()
    own_redis.start()

    redis = own_redis.client()
    wait_for(lambda: len(_names(redis)) == 2, timeout=LISTED_AGAIN_WITHIN, message="both listed again")
    wait_for(lambda: _workers_checked_healthy(redis), timeout=LISTED_AGAIN_WITHIN, message="health sees them")
    for job_id in [before.pk, *during]:
        wait_for(lambda job_id=job_id: _status(job_id) == S.SUCCEEDED, timeout=60, message=f"{job_id} ran")
    assert set(Job.objects.filter(pk__in=[before.pk, *during]).values_list("attempts", flat=True)) == {1}
    assert _all_alive([one, two, scheduler]), processes.logs()
    assert sum(1 for worker in list_workers(redis) if not worker.lost) == 2
    for worker in (one, two):
        log = _log(worker)
        assert log.count("lost Redis") == 1 and log.count("Redis is back") == 1, log
        assert "Traceback" not in log and "could not connect" not in log, log
    log = _log(scheduler)
    assert "Traceback" not in log, log
    assert log.count("scheduler lost Redis") == 1 and log.count("scheduler: Redis is back") == 1, log


@both_worker_classes
def test_a_running_job_and_its_worker_survive_an_outage(processes, own_redis):
    worker = processes.worker("normal", name="busy", REDIS_URL=own_redis.url)
    processes.scheduler(REDIS_URL=own_redis.url)
    job = schedule_job("tests.sleep_quietly", args=[12])  # outlasts the outage
    wait_for(lambda: _status(job.pk) == S.STARTED, timeout=30, message="the job started")
    wait_for(lambda: broker.rq_status(str(job.pk)) == "started", message="its horse running")

    own_redis.stop()
    time.sleep(8)  # the outage: the worker's heartbeats fail meanwhile
    assert worker.poll() is None, processes.logs()
    own_redis.start()

    redis = own_redis.client()
    wait_for(lambda: len(_names(redis)) == 1, timeout=LISTED_AGAIN_WITHIN, message="listed again")
    after = schedule_job("tests.add", args=[1, 2])
    wait_for(lambda: _status(after.pk) == S.SUCCEEDED, timeout=60, message="a job after the outage")
    wait_for(lambda: _status(job.pk) == S.SUCCEEDED, timeout=60, message="the job that ran through it")
    assert worker.poll() is None, processes.logs()


@both_worker_classes
def test_workers_register_again_after_flushall(processes, own_redis):
    processes.worker("normal", name="one", REDIS_URL=own_redis.url)
    processes.worker("high", "normal", "low", name="two", REDIS_URL=own_redis.url)
    redis = own_redis.client()
    names = wait_for(lambda: len(_names(redis)) == 2 and _names(redis), timeout=30, message="registered")

    own_redis.flushall()
    assert _names(redis) == set()
    wait_for(lambda: _names(redis) == names, timeout=LISTED_AGAIN_WITHIN, message="listed again")
    wait_for(lambda: _workers_checked_healthy(redis), timeout=LISTED_AGAIN_WITHIN, message="health sees them")
    infos = {info.name: info for info in list_workers(redis)}
    assert not any(info.lost for info in infos.values())
    assert set(infos[next(n for n in names if n.startswith("two"))].queues) == {"high", "normal", "low"}
    job = schedule_job("tests.add", args=[2, 2])
    wait_for(lambda: _status(job.pk) == S.SUCCEEDED, timeout=30, message="a job after the flush")
