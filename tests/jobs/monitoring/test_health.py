"""Health checks, each failing on its own condition (the ``jobs_health`` command: tests/jobs/management/)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from redis import Redis

from jobs.monitoring import counters
from jobs.monitoring.health import run_checks
from jobs.services import schedule_job
from tests.conftest import closed_port

pytestmark = pytest.mark.django_db(transaction=True)


def by_name(report):
    return {check.name: check for check in report.checks}


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
    schedule_job("tests.add", args=[1, 1], queue="low")
    assert by_name(run_checks())["backlog"].ok
    schedule_job("tests.add", args=[1, 2], queue="low")
    check = by_name(run_checks())["backlog"]
    assert not check.ok and "low has 2" in check.detail


def test_report_as_dict_is_what_apis_return():
    data = run_checks().as_dict()
    assert data["ok"] is False
    assert {"name": "database", "ok": True, "detail": data["checks"][0]["detail"]} == data["checks"][0]
