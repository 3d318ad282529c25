"""Reconcile: rows that never reached Redis, or whose copy there ended, run after all (once).

Redis losing everything is tests/jobs/management/test_jobs_reconcile.py.
"""

import pytest

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.engine.housekeeping import reconcile
from jobs.services import schedule_job
from tests.factories import make_job

S = JobStatus
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_row_that_never_reached_redis_is_enqueued(burst_worker):
    orphan = make_job(args=[20, 22])
    assert reconcile(grace=0)["queued"] == 1
    burst_worker()
    orphan.refresh_from_db()
    assert (orphan.status, orphan.result) == (S.SUCCEEDED, 42)


def test_reconcile_leaves_young_rows_and_present_copies_alone(redis):
    job = schedule_job("tests.add", args=[1, 1])
    assert reconcile() == {"queued": 0, "scheduled": 0, "deferred": 0}
    assert reconcile(grace=0) == {"queued": 0, "scheduled": 0, "deferred": 0}
    assert broker.queue("normal").job_ids == [str(job.pk)]


def test_a_job_enqueued_twice_runs_once(burst_worker):
    job = schedule_job("tests.add", args=[1, 1])
    broker.enqueue(job)
    burst_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (S.SUCCEEDED, 1)


def test_a_queued_row_whose_rq_copy_ended_unclaimed_is_enqueued_again(burst_worker, redis):
    job = schedule_job("tests.add", args=[5, 5])
    redis.hset(f"rq:job:{job.pk}", "status", "failed")  # as when the start couldn't reach the database
    broker.queue("normal").remove(str(job.pk))
    assert reconcile(grace=0)["queued"] == 1
    burst_worker()
    job.refresh_from_db()
    assert (job.status, job.result) == (S.SUCCEEDED, 10)
