"""Real ``rqscheduler`` and ``rqworker`` processes: one-off and recurring runs on time, exactly once."""

import itertools
import statistics
from datetime import datetime, timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.engine.worker_registry import list_workers
from jobs.models import Job, RecurringJob
from jobs.services import pause_recurring_job, schedule_job
from tests.conftest import wait_for
from tests.factories import make_recurring

S = JobStatus
pytestmark = pytest.mark.slow


def runs(rj: RecurringJob) -> list[Job]:
    return list(Job.objects.filter(recurring_job=rj).order_by("scheduled_for"))


def start_processes(processes, schedulers: int = 1, workers: int = 1) -> None:
    for _ in range(workers):
        processes.worker()
    for _ in range(schedulers):
        processes.scheduler()
    wait_for(lambda: len(list_workers(broker.connection())) >= workers, timeout=60, message="workers up")


def lateness(job: Job, due: datetime) -> float:
    return (job.started_at - due).total_seconds()


def test_a_due_one_off_job_starts_within_a_second(processes):
    start_processes(processes)
    due = timezone.now() + timedelta(seconds=4)
    job = schedule_job("tests.noop", run_at=due)
    wait_for(lambda: Job.objects.get(pk=job.pk).status == S.SUCCEEDED, timeout=30, message="one-off ran")
    job.refresh_from_db()
    assert 0 <= lateness(job, due) < 1.0, processes.logs()


def test_two_schedulers_run_each_interval_and_cron_run_exactly_once_on_time(processes):
    """rq-scheduler's lock alone lets both enqueue a run (rq-scheduler#312); the DB doesn't."""
    start_processes(processes, schedulers=2, workers=2)
    now = timezone.now()
    # No concurrency cap, so a slow worker can't make a gap that hides a duplicate.
    every_second = make_recurring(
        "every-second", {"interval": {"every": 1, "period": "seconds"}}, now=now, max_concurrent_runs=100
    )
    cron = make_recurring(
        "every-minute", {"crontab": {"minute": "*", "hour": "*", "timezone": "America/Sao_Paulo"}}, now=now
    )

    def finished() -> bool:
        done = Job.objects.filter(status=S.SUCCEEDED)
        return (
            done.filter(recurring_job=cron).exists() and done.filter(recurring_job=every_second).count() >= 30
        )

    wait_for(finished, timeout=100, interval=0.5, message="recurring runs")
    duplicates = (
        Job.objects.filter(recurring_job__isnull=False)
        .values("recurring_job", "scheduled_for")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    ticks = [job for job in runs(every_second) if job.started_at]
    times = [job.scheduled_for for job in runs(every_second)]
    assert all(b - a == timedelta(seconds=1) for a, b in itertools.pairwise(times)), times
    assert statistics.median(lateness(job, job.scheduled_for) for job in ticks) < 1.0
    [minute_run] = [job for job in runs(cron) if job.started_at][:1]
    assert minute_run.scheduled_for.second == 0 and lateness(minute_run, minute_run.scheduled_for) < 1.0


def test_pausing_stops_future_runs_of_a_running_scheduler(processes):
    start_processes(processes)
    now = timezone.now()
    rj = make_recurring("pausable", {"interval": {"every": 1, "period": "seconds"}}, now=now)
    wait_for(lambda: Job.objects.filter(recurring_job=rj).count() >= 2, timeout=30, message="first runs")
    pause_recurring_job(rj.pk)
    kept = Job.objects.filter(recurring_job=rj).exclude(status=S.CANCELLED).count()
    witness = make_recurring("witness", {"interval": {"every": 1, "period": "seconds"}}, now=timezone.now())
    wait_for(lambda: Job.objects.filter(recurring_job=witness, status=S.SUCCEEDED).count() >= 3, timeout=30)
    assert Job.objects.filter(recurring_job=rj).exclude(status=S.CANCELLED).count() == kept


def test_runs_keep_coming_after_redis_is_flushed_under_a_running_scheduler(processes, redis):
    start_processes(processes)
    rj = make_recurring("survivor", {"interval": {"every": 1, "period": "seconds"}}, now=timezone.now())
    wait_for(lambda: Job.objects.filter(recurring_job=rj, status=S.SUCCEEDED).count() >= 2, timeout=30)
    redis.flushdb()
    flushed_at = timezone.now()
    wait_for(
        lambda: (
            Job.objects.filter(recurring_job=rj, status=S.SUCCEEDED, started_at__gt=flushed_at).count() >= 3
        ),
        timeout=60,
        message="runs after the flush",
    )
