"""``manage.py jobs_workers`` with real worker processes: start, replace, scale, health, stop."""

from __future__ import annotations

import contextlib
import json
import os
import signal

import pytest

from jobs.core.states import JobStatus
from jobs.models import FleetWorker, Job
from jobs.services import schedule_jobs
from jobs.services.fleet import resize_pool, stop_worker
from tests.conftest import wait_for

pytestmark = pytest.mark.slow
State = FleetWorker.State


def pool(name: str = "general", queues=("normal",), **extra) -> dict:
    scaling = {
        "min_workers": 1,
        "max_workers": 1,
        "scale_up_cooldown_seconds": 0,
        "scale_down_cooldown_seconds": 0,
        **extra.pop("scaling", {}),
    }
    health = {"interval_seconds": 1, "timeout_seconds": 1, "failure_threshold": 2}
    health.update(extra.pop("health_check", {}))
    return {"name": name, "queues": list(queues), "scaling": scaling, "health_check": health, **extra}


def start_fleet(processes, *pools: dict):
    return processes.start(
        "jobs_workers", "--log-dir", str(processes.tmp_path / "workers"), name="fleet",
        JOBS_WORKER_POOLS=json.dumps(list(pools)),
    )  # fmt: skip


def live(pool_name: str | None = None):
    rows = FleetWorker.objects.exclude(state=State.GONE)
    return rows.filter(pool=pool_name) if pool_name else rows


def running(pool_name: str, count: int, timeout: float = 90) -> list[FleetWorker]:
    """Wait until the pool has exactly ``count`` live processes that heart-beat."""

    def ready():
        rows = list(live(pool_name))
        return len(rows) == count and all(row.state == State.RUNNING for row in rows) and rows

    return wait_for(ready, timeout, 0.2, message=f"{count} running worker(s) in {pool_name}")


def test_each_pool_starts_at_its_minimum_and_a_crashed_worker_is_replaced(processes):
    fleet = start_fleet(
        processes,
        pool("ai_processing", ["high"], scaling={"min_workers": 2, "max_workers": 3}),
        pool("general", ["normal", "low"], concurrency=2),
    )
    ai = running("ai_processing", 2)
    running("general", 2)  # one worker of two slots: two forking processes

    os.kill(ai[0].pid, signal.SIGKILL)
    wait_for(lambda: FleetWorker.objects.get(pk=ai[0].pk).state == State.GONE, 30)
    gone = FleetWorker.objects.get(pk=ai[0].pk)
    assert gone.exit_status == -signal.SIGKILL and "unexpectedly" in gone.reason
    replaced = running("ai_processing", 2)
    assert ai[0].pk not in {row.pk for row in replaced}

    os.kill(fleet.pid, signal.SIGTERM)
    assert fleet.wait(timeout=60) == 0
    assert not live().exists(), "every worker stopped with its supervisor"
    assert "event=worker_added" in processes.logs() and "event=worker_removed" in processes.logs()


def test_a_backlog_grows_the_pool_and_an_empty_queue_shrinks_it(processes):
    scaling = {"min_workers": 1, "max_workers": 3, "scale_down_cooldown_seconds": 2}
    start_fleet(processes, pool(scaling=scaling))
    running("general", 1)
    jobs = schedule_jobs([{"task": "tests.sleep_quietly", "args": [0.2]} for _ in range(500)])
    running("general", 3, timeout=120)
    wait_for(lambda: not Job.objects.exclude(status=JobStatus.SUCCEEDED).exists(), 300, 0.5)
    running("general", 1, timeout=60)
    assert Job.objects.filter(pk__in=[job.pk for job in jobs], attempts=1).count() == 500
    log = processes.logs()
    assert "workers=1->2" in log and "workers=2->3" in log and "workers=3->2" in log


def test_a_worker_that_stops_heart_beating_is_marked_unhealthy_and_replaced(processes):
    start_fleet(processes, pool(shutdown_timeout=1))
    [first] = running("general", 1)
    os.kill(first.pid, signal.SIGSTOP)
    try:
        wait_for(lambda: not FleetWorker.objects.get(pk=first.pk).healthy, 60, 0.2, message="unhealthy")
        assert "health checks failed in a row" in FleetWorker.objects.get(pk=first.pk).reason
        wait_for(lambda: FleetWorker.objects.get(pk=first.pk).state == State.GONE, 60, 0.2)
        [second] = running("general", 1)
        assert second.pk != first.pk and second.healthy
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(first.pid, signal.SIGCONT)


def test_an_operator_resizes_a_pool_and_stops_one_worker(processes):
    start_fleet(processes, pool(scaling={"min_workers": 1, "max_workers": 4}))
    running("general", 1)
    resize_pool("general", 3)
    three = running("general", 3)
    stop_worker(three[0].name)
    wait_for(lambda: FleetWorker.objects.get(pk=three[0].pk).state == State.GONE, 60, 0.2)
    assert FleetWorker.objects.get(pk=three[0].pk).reason == "asked to shut down by an operator"
    running("general", 3)  # the pin holds: the stopped worker is replaced
    resize_pool("general", None)
    running("general", 1)  # back to autoscaling: nothing waits, so down to the minimum
