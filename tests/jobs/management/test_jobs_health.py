"""``manage.py jobs_health``: exit 0 when all is well, 1 when anything is not (real processes)."""

import subprocess
import sys

import pytest

from jobs.monitoring import counters
from jobs.monitoring.health import run_checks
from tests.conftest import ROOT, closed_port, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def jobs_health(processes, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "jobs_health"],
        cwd=ROOT,
        env=processes.env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


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


def test_no_live_worker_exits_1(processes):
    counters.beat()
    result = jobs_health(processes)
    assert result.returncode == 1
    assert "FAIL workers: fewer than 1 live worker(s)" in result.stdout
    assert "OK   scheduler" in result.stdout


def test_redis_down_exits_1(processes):
    result = jobs_health(processes, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL redis: unreachable" in result.stdout
    assert "OK   database" in result.stdout
