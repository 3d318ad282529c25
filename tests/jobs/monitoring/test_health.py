"""Health checks and ``manage.py jobs_health``: exit 0 when all is well, 1 when anything is not."""

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from redis import Redis

from jobs.monitoring import counters
from jobs.monitoring.health import run_checks
from jobs.services import schedule_job
from tests.conftest import ROOT, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jobs_health(processes, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "jobs_health"],
        cwd=ROOT,
        env=processes.env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def by_name(report):
    return {check.name: check for check in report.checks}


@pytest.mark.slow
def test_all_well_exits_0_with_one_line_per_check(processes):
    processes.worker()
    processes.scheduler()
    wait_for(lambda: run_checks().ok, timeout=60, interval=0.5, message="worker and scheduler up")
    result = jobs_health(processes)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split()[1].rstrip(":") for line in lines] == [
        "database",
        "redis",
        "workers",
        "scheduler",
        "backlog",
        "poison",
    ]
    assert all(line.startswith("OK") for line in lines)


@pytest.mark.slow
def test_no_live_worker_exits_1(processes):
    counters.beat()
    result = jobs_health(processes)
    assert result.returncode == 1
    assert "FAIL workers: fewer than 1 live worker(s)" in result.stdout
    assert "OK   scheduler" in result.stdout


@pytest.mark.slow
def test_redis_down_exits_1(processes):
    result = jobs_health(processes, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL redis: unreachable" in result.stdout
    assert "OK   database" in result.stdout


def test_redis_down_in_process_fails_every_check_that_needs_it():
    report = run_checks(redis=Redis(port=closed_port(), socket_connect_timeout=1))
    checks = by_name(report)
    assert not report.ok
    assert checks["database"].ok
    assert not any(checks[name].ok for name in ("redis", "workers", "scheduler", "backlog"))


def test_stale_scheduler_heartbeat_fails():
    counters.beat(timezone.now() - timedelta(seconds=120))
    check = by_name(run_checks())["scheduler"]
    assert not check.ok and "120 s ago" in check.detail
    counters.beat()
    assert by_name(run_checks())["scheduler"].ok


def test_a_queue_over_its_backlog_fails(settings):
    settings.JOBS = {**settings.JOBS, "HEALTH_MAX_BACKLOG": 1}
    schedule_job("demo.add", args=[1, 1], queue="low")
    assert by_name(run_checks())["backlog"].ok
    schedule_job("demo.add", args=[1, 2], queue="low")
    check = by_name(run_checks())["backlog"]
    assert not check.ok and "low has 2" in check.detail


def test_report_as_dict_is_what_apis_return():
    data = run_checks().as_dict()
    assert data["ok"] is False
    assert {"name": "database", "ok": True, "detail": data["checks"][0]["detail"]} == data["checks"][0]
