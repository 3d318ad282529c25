"""Entries Jobdesk didn't write are set aside, never run, and stop nothing else."""

from __future__ import annotations

import pickle
import time
import uuid
from pathlib import Path

import pytest
from rq.job import Job as RQJob
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer

from jobs.core.states import JobStatus
from jobs.engine import broker, poison
from jobs.models import Job, QueueStats
from jobs.monitoring.health import run_checks
from jobs.services import schedule_job
from tests.conftest import wait_for
from tests.jobs.engine.worker_classes import both_worker_classes

S = JobStatus
pytestmark = pytest.mark.slow


def _status(job: Job) -> str:
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)


def _planted(redis, func: str, *args, job_id: str | None = None) -> str:
    """A job hash written with RQ's JSON serializer, naming any function at all."""
    job = RQJob.create(
        func, args=args, connection=redis, serializer=JSONSerializer, id=job_id or str(uuid.uuid4())
    )
    job.origin = "normal"
    job.save()
    return job.id


def _pickled(redis, command: str) -> str:
    job_id = str(uuid.uuid4())
    data = pickle.dumps(("os.system", None, (command,), {}))
    redis.hset(RQJob.key_for(job_id), mapping={"data": data, "origin": "normal", "status": "queued"})
    return job_id


def _garbage(redis, **fields: str) -> str:
    job_id = str(uuid.uuid4())
    redis.hset(
        RQJob.key_for(job_id), mapping={"data": "not json", "origin": "normal", "status": "queued", **fields}
    )
    return job_id


def _push(redis, *job_ids: str) -> None:
    redis.rpush(broker.queue("normal").key, *job_ids)


def _schedule_now(redis, *job_ids: str) -> None:
    redis.zadd(broker.SCHEDULED_JOBS_KEY, {job_id: time.time() - 1 for job_id in job_ids})


def _poison_check(redis) -> str:
    return next(check for check in run_checks(redis=redis).checks if check.name == "poison").detail


@both_worker_classes
def test_the_worker_refuses_planted_jobs_and_goes_on(processes, redis, tmp_path: Path):
    marker = tmp_path / "marker"
    command = f"touch {marker}"
    system = _planted(redis, "os.system", command)
    call = _planted(redis, "subprocess.call", ["touch", str(marker)])
    pause = _planted(redis, "jobs.services.pause_queue", "normal")
    pickled = _pickled(redis, command)
    garbage = _garbage(redis)
    unreadable = _garbage(redis, status="no such status")
    planted = [system, call, pause, pickled, garbage, unreadable]
    _push(redis, *planted)
    worker = processes.worker("normal", name="guarded")

    wait_for(lambda: poison.count(redis) == len(planted), timeout=30, message="every planted job set aside")
    normal = schedule_job("tests.add", args=[2, 2])
    wait_for(lambda: _status(normal) == S.SUCCEEDED, timeout=30, message="a normal job after them")
    assert not marker.exists()
    assert "normal" not in broker.paused_queues(redis)
    assert not QueueStats.objects.filter(name="normal", paused=True).exists()
    assert worker.poll() is None
    failed = FailedJobRegistry("normal", connection=redis)
    refused = [system, call, pause, pickled, garbage]
    assert set(refused) <= set(failed.get_job_ids(cleanup=False))
    assert {broker.rq_status(job_id, redis) for job_id in refused} == {"failed"}
    latest = RQJob.fetch(system, connection=redis, serializer=JSONSerializer).latest_result()
    assert latest.exc_string.startswith("Refused: it names 'os.system'")
    assert not redis.exists(RQJob.key_for(unreadable)), "the unreadable hash is moved aside"
    assert redis.exists(poison.MOVED_JOB_KEY.format(job_id=unreadable))
    assert broker.queue("normal", redis).count == 0
    assert redis.llen(broker.queue("normal").intermediate_queue_key) == 0
    entries = poison.entries(redis)
    assert "not json" in entries[garbage]["reason"] or "decoded" in entries[garbage]["reason"]
    assert _poison_check(redis) == f"{len(planted)} entries set aside in {poison.POISON_KEY}"
    assert "Traceback" not in Path(worker.log_path).read_text()


def test_the_scheduler_sets_poison_aside_and_moves_good_jobs_around_it(processes, redis, tmp_path: Path):
    marker = tmp_path / "marker"
    first = schedule_job("tests.add", args=[1, 1], delay=1)
    pickled = _pickled(redis, f"touch {marker}")
    garbage = _garbage(redis)
    unreadable = _garbage(redis, status="no such status")
    foreign = _planted(redis, "os.system", f"touch {marker}")
    missing_hash = str(uuid.uuid4())
    _schedule_now(redis, pickled, garbage, unreadable, foreign, missing_hash)
    second = schedule_job("tests.add", args=[2, 2], delay=1)
    scheduler = processes.scheduler()
    processes.worker("normal", name="after")

    for job in (first, second):
        wait_for(lambda job=job: _status(job) == S.SUCCEEDED, timeout=30, message=f"{job} ran")
    wait_for(lambda: poison.count(redis) == 4, timeout=10, message="the poison set aside")
    assert set(poison.entries(redis)) == {pickled, garbage, unreadable, foreign}
    assert redis.zcard(broker.SCHEDULED_JOBS_KEY) == 0
    for job_id in (pickled, garbage, unreadable, foreign):
        assert not redis.exists(RQJob.key_for(job_id))
        assert redis.exists(poison.MOVED_JOB_KEY.format(job_id=job_id))
    later = schedule_job("tests.add", args=[3, 3], delay=1)
    wait_for(lambda: _status(later) == S.SUCCEEDED, timeout=30, message="scheduling goes on")
    assert scheduler.poll() is None
    assert not marker.exists()
    assert _poison_check(redis) == f"4 entries set aside in {poison.POISON_KEY}"


def test_a_scheduler_started_with_poison_waiting_stays_up(processes, redis):
    _schedule_now(redis, _pickled(redis, "true"))
    scheduler = processes.scheduler()
    job = schedule_job("tests.add", args=[1, 2], delay=1)
    processes.worker("normal", name="after")
    wait_for(lambda: _status(job) == S.SUCCEEDED, timeout=30, message="a scheduled job ran")
    assert scheduler.poll() is None
    assert poison.count(redis) == 1
