"""Redis Sentinel through django-rq's settings: jobs run, and still run after a failover.

The README's answer to "one Redis is not enough". A master, its replica and three
Sentinels of the test's own; the worker subprocess and this process know only the
Sentinels' addresses (``SENTINELS`` and ``MASTER_NAME`` in ``RQ_QUEUES``), and the
worker's ``REDIS_URL`` points where nothing listens.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from redis import Redis
from redis.exceptions import RedisError

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.models import Job
from jobs.monitoring.health import run_checks
from jobs.services import schedule_job
from tests.conftest import wait_for
from tests.jobs.fleet.sentinel import SentinelSet, worker_env
from tests.jobs.fleet.sentinel_config import rq_queues


@pytest.fixture
def sentinels() -> Iterator[SentinelSet]:
    directory = Path(tempfile.mkdtemp(prefix="jobdesk-sentinel-"))
    servers = SentinelSet(directory)
    try:
        servers.start()
        with override_settings(RQ_QUEUES=rq_queues(servers.sentinels, settings.JOBS["QUEUES"])):
            yield servers
    finally:
        servers.stop()
        shutil.rmtree(directory, ignore_errors=True)


def run_to_success(job: Job) -> None:
    wait_for(
        lambda: Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED,
        120,
        0.2,
        message=f"job {job.pk} to succeed",
    )


def answers() -> bool:
    try:
        return bool(broker.connection().ping())
    except RedisError:
        return False


def holds_job(port: int, job: Job) -> bool:
    with contextlib.closing(Redis(port=port, socket_timeout=2)) as server:
        return bool(server.exists(f"rq:job:{job.pk}"))


def test_a_job_runs_through_sentinel_before_and_after_the_master_fails_over(processes, sentinels):
    worker = processes.worker("normal", **worker_env(sentinels))
    first = schedule_job("tests.add", args=[1, 2])
    run_to_success(first)
    assert Job.objects.get(pk=first.pk).result == 3
    assert holds_job(sentinels.master_port, first)

    sentinels.fail_over()
    # This process's client finds the new master (a job sent before it does waits in the
    # outbox for the scheduler's reconcile, which this test doesn't run).
    wait_for(answers, 30, 0.2, message="the new master through the Sentinels")
    second = schedule_job("tests.add", args=[2, 3])
    run_to_success(second)

    assert Job.objects.get(pk=second.pk).result == 5
    assert holds_job(sentinels.replica_port, second), "the promoted replica holds the new job"
    assert worker.poll() is None, processes.logs()
    redis_check = next(check for check in run_checks().checks if check.name == "redis")
    assert redis_check.ok, f"the health check finds the new master too: {redis_check.detail}"
