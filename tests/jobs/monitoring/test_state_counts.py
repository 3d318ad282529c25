"""QueueStats' succeeded and cancelled counts follow the transitions, deletes and repairs."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from jobs.models import Job, QueueStats
from jobs.monitoring import counters, periodic
from jobs.services import cancel_job, delete_job, retry_job, schedule_job
from jobs.services.cleanup import delete_old_jobs
from jobs.services.maintenance import reconcile
from jobs.services.operations import empty_queue, purge_jobs
from tests.conftest import wait_for
from tests.factories import make_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def counts(queue: str = "normal") -> tuple[int, int]:
    """(succeeded, cancelled) of ``queue`` once the pending counters are folded in."""
    counters.flush()
    stats = QueueStats.objects.get(name=queue)
    return stats.succeeded, stats.cancelled


def test_jobs_a_real_worker_runs_to_success_are_counted_per_queue(burst_worker, redis):
    for n in range(3):
        schedule_job("tests.add", args=[n, 1])
    schedule_job("tests.add", args=[5, 5], queue="high")
    burst_worker("high", "normal")
    assert Job.objects.succeeded().count() == 4
    assert counts("normal") == (3, 0) and counts("high") == (1, 0)


def test_the_scheduler_process_folds_successes_into_the_tab_counts(processes, burst_worker, redis):
    processes.scheduler()
    wait_for(lambda: redis.get(counters.RECOUNT_KEY), timeout=60, message=processes.logs())
    for n in range(2):
        schedule_job("tests.add", args=[n, 1])
    burst_worker("normal")
    wait_for(
        lambda: QueueStats.objects.filter(name="normal", succeeded=2).exists(),
        timeout=60,
        message=processes.logs(),
    )


def test_cancel_counts_and_a_retry_out_of_cancelled_takes_it_back(redis):
    job = schedule_job("tests.add", args=[1, 2])
    cancel_job(job.pk)
    assert counts() == (0, 1)
    retry_job(job.pk)
    assert counts() == (0, 0)


def test_a_retry_out_of_failed_leaves_the_counts_alone(redis):
    [job] = make_jobs(1, status="failed")
    retry_job(job.pk)
    assert counts() == (0, 0)


def test_emptying_a_queue_counts_every_job_it_cancelled(redis):
    for n in range(3):
        schedule_job("tests.add", args=[n, 1])
    assert empty_queue("normal") == 3
    assert counts() == (0, 3)


def test_a_cancel_rolled_back_counts_nothing(redis):
    job = schedule_job("tests.add", args=[1, 2])
    with pytest.raises(RuntimeError), transaction.atomic():
        cancel_job(job.pk)
        raise RuntimeError("roll back")
    assert Job.objects.get(pk=job.pk).status == "queued"
    assert counts() == (0, 0)


def test_delete_and_purge_take_the_deleted_jobs_out_of_their_state(burst_worker, redis):
    done = [schedule_job("tests.add", args=[n, 1]) for n in range(4)]
    burst_worker("normal")
    cancelled = [cancel_job(schedule_job("tests.add", args=[9, n]).pk) for n in range(2)]
    assert counts() == (4, 2)
    delete_job(done[0].pk)
    delete_job(cancelled[0].pk)
    assert counts() == (3, 1)
    assert purge_jobs(Job.objects.filter(pk__in=[job.pk for job in done[1:3]]), limit=10) == 2
    assert counts() == (1, 1)
    assert purge_jobs(Job.objects.all(), limit=10) == 2
    assert counts() == (0, 0)


def test_a_success_deleted_before_the_flush_nets_to_zero(burst_worker, redis):
    job = schedule_job("tests.add", args=[1, 2])
    burst_worker("normal")
    delete_job(job.pk)
    assert counts() == (0, 0)


def test_retention_cleanup_takes_old_jobs_out_of_their_state(redis):
    old = timezone.now() - timezone.timedelta(days=60)
    make_jobs(3, status="succeeded", finished_at=old)
    make_jobs(2, status="cancelled", finished_at=old)
    make_jobs(1, status="succeeded", finished_at=timezone.now())
    counters.recount_states()
    assert counts() == (4, 2)
    assert delete_old_jobs() == {"succeeded": 3, "failed": 2}
    assert counts() == (1, 0)


def test_a_count_never_goes_below_zero(redis):
    QueueStats.objects.create(name="normal")
    counters.record_state_changes({("normal", "cancelled"): -5})
    assert counts() == (0, 0)


def test_recount_repairs_drift_and_reconcile_runs_it(redis):
    make_jobs(3, status="succeeded")
    make_jobs(2, status="cancelled", queue="high")
    make_jobs(4, status="failed")
    QueueStats.objects.create(name="normal", succeeded=99, cancelled=7)
    assert counters.recount_states()["normal"] == {"succeeded": 3, "cancelled": 0}
    assert counts("normal") == (3, 0) and counts("high") == (0, 2)
    QueueStats.objects.filter(name="normal").update(succeeded=50)
    reconcile()
    assert counts("normal") == (3, 0)


def test_the_housekeeper_recounts_at_most_once_an_hour(redis):
    make_jobs(2, status="succeeded")
    now = timezone.now()
    periodic.housekeep(now, redis)
    assert counts() == (2, 0)
    QueueStats.objects.filter(name="normal").update(succeeded=40)
    periodic.housekeep(now, redis)
    assert counts() == (40, 0)
    assert 0 < redis.ttl(counters.RECOUNT_KEY) <= counters.RECOUNT_EVERY


def test_the_migration_fills_the_counts_from_existing_rows(redis):
    make_jobs(2, status="succeeded")
    make_jobs(3, status="cancelled", queue="low")
    QueueStats.objects.create(name="normal", succeeded=0)
    migration = importlib.import_module("jobs.migrations.0011_queue_state_counts")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.fill_counts(apps, editor)
    assert QueueStats.objects.get(name="normal").succeeded == 2
    assert QueueStats.objects.get(name="low").cancelled == 3
