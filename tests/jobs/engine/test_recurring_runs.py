"""Recurring runs from the scheduler: exactly once, misfires, concurrency, reconcile.

The first half drives :func:`enqueue_due_runs` with a controlled clock; the second runs
real ``rqscheduler`` and ``rqworker`` processes and checks timing and duplicates.
"""

import itertools
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule

from jobs.core.states import JobStatus
from jobs.engine import broker, housekeeping
from jobs.engine.recurring_runs import create_run, enqueue_due_runs, reconcile_recurring_jobs
from jobs.engine.worker_registry import list_workers
from jobs.models import Job, RecurringJob
from jobs.services import create_recurring_job, delete_recurring_job, pause_recurring_job, schedule_job
from tests.conftest import wait_for

S = JobStatus
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
EVERY_MINUTE = {"interval": {"every": 1, "period": "minutes"}}


def recurring(name="tick", schedule=EVERY_MINUTE, now=T0, **options) -> RecurringJob:
    """A recurring demo.noop whose first run is at ``now`` (interval) or the next cron time."""
    created = now - timedelta(seconds=1)
    return create_recurring_job(
        name=name, task="demo.noop", schedule=schedule, start_at=now, now=created, **options
    )


def runs(rj: RecurringJob) -> list[Job]:
    return list(Job.objects.filter(recurring_job=rj).order_by("scheduled_for"))


@pytest.mark.django_db(transaction=True)
class TestCreatingRuns:
    def test_a_run_due_soon_is_handed_to_rq_scheduler_for_its_exact_time(self):
        rj = recurring()
        assert rj.next_run_at == T0
        [job] = enqueue_due_runs(now=T0 - timedelta(seconds=0.6), lookahead=1)
        assert (job.status, job.scheduled_for, job.run_at, job.source) == (S.SCHEDULED, T0, T0, "recurring")
        score = broker.connection().zscore(broker.SCHEDULED_JOBS_KEY, str(job.pk))
        assert score == T0.timestamp()
        rj.refresh_from_db()
        assert (rj.next_run_at, rj.last_run_at, rj.run_count) == (T0 + timedelta(minutes=1), T0, 1)

    def test_a_run_past_its_time_is_queued_at_once(self):
        rj = recurring()
        [job] = enqueue_due_runs(now=T0 + timedelta(seconds=3))
        assert job.status == S.QUEUED and job.scheduled_for == T0
        assert broker.rq_status(str(job.pk)) == "queued"
        assert enqueue_due_runs(now=T0 + timedelta(seconds=4)) == []
        assert len(runs(rj)) == 1

    def test_the_due_check_is_one_query_when_nothing_is_due(self):
        recurring()
        with CaptureQueriesContext(connection) as queries:
            assert enqueue_due_runs(now=T0 - timedelta(minutes=5)) == []
        assert len(queries) == 1

    def test_a_second_scheduler_with_a_stale_view_creates_nothing(self):
        rj = recurring()
        stale = RecurringJob.objects.get(pk=rj.pk)
        assert create_run(rj, T0) is not None
        assert create_run(stale, T0) is None
        assert len(runs(rj)) == 1

    def test_the_database_key_refuses_a_second_job_for_one_run_time(self):
        """Even if next_run_at were set back (a bad edit, a restored backup)."""
        rj = recurring()
        enqueue_due_runs(now=T0)
        RecurringJob.objects.filter(pk=rj.pk).update(next_run_at=T0)
        assert enqueue_due_runs(now=T0 + timedelta(seconds=1)) == []
        assert [job.scheduled_for for job in runs(rj)] == [T0]
        assert RecurringJob.objects.get(pk=rj.pk).next_run_at == T0 + timedelta(minutes=1)
        Job.objects.filter(recurring_job=rj).update(status=S.SUCCEEDED)
        [job] = enqueue_due_runs(now=T0 + timedelta(minutes=1))
        assert job.scheduled_for == T0 + timedelta(minutes=1)

    def test_max_concurrent_runs_skips_and_counts(self):
        rj = recurring(max_concurrent_runs=2)
        for minute in range(4):
            enqueue_due_runs(now=T0 + timedelta(minutes=minute))
        assert len(runs(rj)) == 2
        rj.refresh_from_db()
        assert (rj.skipped_count, rj.run_count) == (2, 2)
        Job.objects.filter(recurring_job=rj).update(status=S.SUCCEEDED)
        enqueue_due_runs(now=T0 + timedelta(minutes=4))
        assert len(runs(rj)) == 3

    def test_paused_and_deleted_jobs_create_no_more_runs(self):
        paused, deleted = recurring("paused"), recurring("deleted")
        enqueue_due_runs(now=T0)
        pause_recurring_job(paused.pk)
        delete_recurring_job(deleted.pk)
        assert enqueue_due_runs(now=T0 + timedelta(hours=5)) == []
        assert Job.objects.count() == 2


@pytest.mark.django_db(transaction=True)
class TestMisfires:
    def test_a_late_run_within_the_grace_period_just_runs(self):
        recurring(misfire_policy="skip")
        [job] = enqueue_due_runs(now=T0 + timedelta(seconds=30))
        assert job.scheduled_for == T0

    def test_run_once_catches_up_with_one_run_then_continues(self):
        hourly = {"interval": {"every": 1, "period": "hours"}}
        rj = recurring(schedule=hourly, misfire_policy="run_once")
        [job] = enqueue_due_runs(now=T0 + timedelta(hours=3, minutes=30))
        assert job.scheduled_for == T0 + timedelta(hours=3) and job.status == S.QUEUED
        rj.refresh_from_db()
        assert rj.next_run_at == T0 + timedelta(hours=4)
        assert (rj.skipped_count, rj.run_count) == (3, 1)

    def test_skip_makes_no_run_for_an_old_miss(self):
        hourly = {"interval": {"every": 1, "period": "hours"}}
        rj = recurring(schedule=hourly, misfire_policy="skip")
        assert enqueue_due_runs(now=T0 + timedelta(hours=3, minutes=30)) == []
        rj.refresh_from_db()
        assert (rj.next_run_at, rj.skipped_count, rj.run_count) == (T0 + timedelta(hours=4), 4, 0)

    def test_skip_jumps_to_the_next_future_run(self):
        daily = {"crontab": {"minute": "0", "hour": "2", "timezone": "Europe/Berlin"}}
        rj = recurring(schedule=daily, misfire_policy="skip", now=T0)
        first = rj.next_run_at
        assert first == datetime(2026, 11, 24, 1, tzinfo=UTC)
        assert enqueue_due_runs(now=first + timedelta(hours=7)) == []
        rj.refresh_from_db()
        assert rj.next_run_at == datetime(2026, 11, 25, 1, tzinfo=UTC) and rj.skipped_count == 1

    def test_run_once_after_a_daily_run_was_missed(self):
        daily = {"crontab": {"minute": "0", "hour": "2", "timezone": "Europe/Berlin"}}
        rj = recurring(schedule=daily, now=T0)
        [job] = enqueue_due_runs(now=rj.next_run_at + timedelta(hours=7))
        assert job.scheduled_for == datetime(2026, 11, 24, 1, tzinfo=UTC)

    def test_many_short_intervals_missed_collapse_into_the_latest(self):
        every_5s = {"interval": {"every": 5, "period": "seconds"}}
        rj = recurring(schedule=every_5s, misfire_policy="skip")
        [job] = enqueue_due_runs(now=T0 + timedelta(seconds=22))
        assert job.scheduled_for == T0 + timedelta(seconds=20)
        rj.refresh_from_db()
        assert rj.skipped_count == 4 and rj.next_run_at == T0 + timedelta(seconds=25)


@pytest.mark.django_db(transaction=True)
class TestReconcile:
    def test_redis_flushed_reconcile_restores_every_enabled_schedule(self, redis):
        now = timezone.now()
        soon = now + timedelta(seconds=30)
        jobs = [recurring(f"r{i}", now=soon) for i in range(5)]
        created = enqueue_due_runs(now=now, lookahead=60)
        assert len(created) == 5
        redis.flushdb()
        housekeeping.reconcile(now=now, grace=0)
        reconcile_recurring_jobs(now=now)
        scheduled = {member.decode() for member in redis.zrange(broker.SCHEDULED_JOBS_KEY, 0, -1)}
        assert scheduled == {str(job.pk) for job in created}
        assert all(
            RecurringJob.objects.get(pk=rj.pk).next_run_at == soon + timedelta(minutes=1) for rj in jobs
        )

    def test_reconcile_repairs_rows_changed_behind_the_services(self):
        rj = recurring(schedule={"crontab": {"minute": "0", "hour": "6", "timezone": "UTC"}})
        orphan = recurring("orphan")
        paused = recurring("paused")
        RecurringJob.objects.filter(pk=orphan.pk).update(next_run_at=None)
        RecurringJob.objects.filter(pk=paused.pk).update(enabled=False)
        CrontabSchedule.objects.filter(pk=rj.crontab_id).update(hour="7")
        assert reconcile_recurring_jobs(now=T0 - timedelta(hours=1)) == {
            "scheduled": 1,
            "rescheduled": 1,
            "stopped": 1,
        }
        assert RecurringJob.objects.get(pk=rj.pk).next_run_at == datetime(2026, 11, 24, 7, tzinfo=UTC)
        assert RecurringJob.objects.get(pk=orphan.pk).next_run_at == T0
        assert RecurringJob.objects.get(pk=paused.pk).next_run_at is None
        assert reconcile_recurring_jobs(now=T0 - timedelta(hours=1)) == {
            "scheduled": 0,
            "rescheduled": 0,
            "stopped": 0,
        }


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
    job = schedule_job("demo.noop", run_at=due)
    wait_for(lambda: Job.objects.get(pk=job.pk).status == S.SUCCEEDED, timeout=30, message="one-off ran")
    job.refresh_from_db()
    assert 0 <= lateness(job, due) < 1.0, processes.logs()


def test_two_schedulers_run_each_interval_and_cron_run_exactly_once_on_time(processes):
    """rq-scheduler's lock alone lets both enqueue a run (rq-scheduler#312); the DB doesn't."""
    start_processes(processes, schedulers=2, workers=2)
    now = timezone.now()
    # No concurrency cap, so a slow worker can't make a gap that hides a duplicate.
    every_second = recurring(
        "every-second", {"interval": {"every": 1, "period": "seconds"}}, now=now, max_concurrent_runs=100
    )
    cron = recurring(
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
    rj = recurring("pausable", {"interval": {"every": 1, "period": "seconds"}}, now=now)
    wait_for(lambda: Job.objects.filter(recurring_job=rj).count() >= 2, timeout=30, message="first runs")
    pause_recurring_job(rj.pk)
    kept = Job.objects.filter(recurring_job=rj).exclude(status=S.CANCELLED).count()
    witness = recurring("witness", {"interval": {"every": 1, "period": "seconds"}}, now=timezone.now())
    wait_for(lambda: Job.objects.filter(recurring_job=witness, status=S.SUCCEEDED).count() >= 3, timeout=30)
    assert Job.objects.filter(recurring_job=rj).exclude(status=S.CANCELLED).count() == kept


def test_runs_keep_coming_after_redis_is_flushed_under_a_running_scheduler(processes, redis):
    start_processes(processes)
    rj = recurring("survivor", {"interval": {"every": 1, "period": "seconds"}}, now=timezone.now())
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
