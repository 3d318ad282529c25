"""Recurring runs, driven with a controlled clock: exactly once, misfires, concurrency, reconcile.

tests/jobs/engine/test_scheduler.py runs the real ``rqscheduler`` and ``rqworker``
processes and checks timing and duplicates.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule

from jobs.core.states import JobStatus
from jobs.engine import broker, housekeeping
from jobs.engine.recurring_runs import create_run, enqueue_due_runs, reconcile_recurring_jobs
from jobs.models import Job, RecurringJob
from jobs.services import delete_recurring_job, pause_recurring_job
from tests.factories import make_recurring

S = JobStatus
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
EVERY_MINUTE = {"interval": {"every": 1, "period": "minutes"}}


def recurring(name="tick", schedule=EVERY_MINUTE, now=T0, **options) -> RecurringJob:
    """A recurring tests.noop whose first run is at ``now`` (interval) or the next cron time."""
    return make_recurring(name, schedule, now=now, **options)


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
