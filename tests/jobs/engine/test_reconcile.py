"""Nothing lost: Redis losing its data, and rows that never reached Redis."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.engine.housekeeping import reconcile
from jobs.models import Job
from jobs.services import pause_queue, schedule_job

S = JobStatus
pytestmark = pytest.mark.django_db(transaction=True)


def test_redis_flushed_with_jobs_waiting_loses_nothing(redis, burst_worker, run_scheduler, capsys):
    queued = [schedule_job("demo.add", args=[i, i]) for i in range(5)]
    later = schedule_job("demo.add", args=[9, 9], run_at=timezone.now() + timedelta(hours=1))
    first = schedule_job("demo.add", args=[1, 0], queue="high")
    dependant = schedule_job("demo.add", args=[2, 0], depends_on=[first.pk])
    pause_queue("low")
    redis.flushdb()

    call_command("jobs_reconcile", "--grace", "0")
    assert "restored queued=6 scheduled=1 deferred=1" in capsys.readouterr().out
    assert set(broker.queue("normal").job_ids) == {str(job.pk) for job in queued}
    assert redis.zscore(broker.SCHEDULED_JOBS_KEY, str(later.pk)) == pytest.approx(later.run_at.timestamp())
    assert broker.paused_queues() == {"low"}

    burst_worker()
    assert Job.objects.filter(pk__in=[job.pk for job in queued], status=S.SUCCEEDED).count() == 5
    dependant.refresh_from_db()
    assert dependant.status == S.SUCCEEDED and dependant.result == 2
    assert Job.objects.get(pk=later.pk).status == S.SCHEDULED


def test_a_row_that_never_reached_redis_is_enqueued(burst_worker):
    orphan = Job.objects.create(task="demo.add", args=[20, 22], queue="normal", status=S.QUEUED)
    assert reconcile(grace=0)["queued"] == 1
    burst_worker()
    orphan.refresh_from_db()
    assert (orphan.status, orphan.result) == (S.SUCCEEDED, 42)


def test_reconcile_leaves_young_rows_and_present_copies_alone(redis):
    job = schedule_job("demo.add", args=[1, 1])
    assert reconcile() == {"queued": 0, "scheduled": 0, "deferred": 0}
    assert reconcile(grace=0) == {"queued": 0, "scheduled": 0, "deferred": 0}
    assert broker.queue("normal").job_ids == [str(job.pk)]


def test_a_job_enqueued_twice_runs_once(burst_worker):
    job = schedule_job("demo.add", args=[1, 1])
    broker.enqueue(job)
    burst_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (S.SUCCEEDED, 1)


def test_a_queued_row_whose_rq_copy_ended_unclaimed_is_enqueued_again(burst_worker, redis):
    job = schedule_job("demo.add", args=[5, 5])
    redis.hset(f"rq:job:{job.pk}", "status", "failed")  # as when the start couldn't reach the database
    broker.queue("normal").remove(str(job.pk))
    assert reconcile(grace=0)["queued"] == 1
    burst_worker()
    job.refresh_from_db()
    assert (job.status, job.result) == (S.SUCCEEDED, 10)
