"""Batches: bulk-created members, progress, callbacks once, retry-failed, cancel."""

from __future__ import annotations

import pytest

from jobs.core.states import JobStatus
from jobs.exceptions import InvalidArguments, InvalidTransition, InvalidWorkflow, UnknownTask
from jobs.models import Batch, Job
from jobs.services.batches import batch_progress, cancel_batch, retry_batch, schedule_batch

S = JobStatus
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_batch_reports_progress_and_calls_back_once(burst_worker):
    batch = schedule_batch(
        [{"task": "tests.add", "args": [n, n]} for n in range(20)],
        name="twenty",
        on_complete={"task": "tests.wf.collect"},
        on_success="tests.wf.collect",
    )
    assert batch_progress(batch.pk) == {"total": 20, "done": 0, "succeeded": 0, "failed": 0, "waiting": 20}
    burst_worker()
    batch.refresh_from_db()
    assert batch_progress(batch.pk)["succeeded"] == 20
    assert batch.completed_at and batch.succeeded_at
    complete, success = Job.objects.get(pk=batch.complete_job_id), Job.objects.get(pk=batch.success_job_id)
    assert complete.result == {
        "batch": str(batch.pk),
        "name": "twenty",
        "total": 20,
        "done": 20,
        "succeeded": 20,
        "failed": 0,
        "waiting": 0,
    }
    assert success.status == S.SUCCEEDED
    assert Job.objects.filter(task="tests.wf.collect").count() == 2
    assert not Job.objects.filter(batch=batch, task="tests.wf.collect").exists()


def test_failures_complete_the_batch_and_retry_failed_lets_it_succeed(burst_worker):
    batch = schedule_batch(
        [{"task": "tests.flaky", "args": [1], "max_attempts": 1}, {"task": "tests.add", "args": [1, 1]}],
        on_complete="tests.wf.collect",
        on_success="tests.wf.collect",
    )
    burst_worker()
    batch.refresh_from_db()
    assert batch.completed_at and not batch.succeeded_at and batch.success_job_id is None
    assert batch_progress(batch.pk)["failed"] == 1
    result = retry_batch(batch.pk)
    assert len(result.done) == 1
    burst_worker()
    batch.refresh_from_db()
    assert batch.succeeded_at and Job.objects.get(pk=batch.success_job_id).status == S.SUCCEEDED
    assert Job.objects.filter(task="tests.wf.collect").count() == 2  # on_complete did not fire again
    with pytest.raises(InvalidTransition):
        retry_batch(batch.pk)


def test_cancel_batch_cancels_what_waits():
    batch = schedule_batch([{"task": "tests.noop"} for _ in range(5)])
    assert len(cancel_batch(batch.pk).done) == 5
    assert batch_progress(batch.pk)["failed"] == 5
    with pytest.raises(InvalidTransition):
        cancel_batch(batch.pk)


@pytest.mark.parametrize(
    ("requests", "options", "error"),
    [
        ([], {}, InvalidWorkflow),
        ([{"task": "tests.add", "args": [1]}], {}, InvalidArguments),
        ([{"task": "tests.noop"}], {"on_success": "nope.callback"}, UnknownTask),
        ([{"task": "tests.noop"}], {"on_complete": {"task": "tests.noop"}}, InvalidArguments),
        ("tests.noop", {}, InvalidArguments),
    ],
)
def test_bad_batches_are_refused_and_change_nothing(requests, options, error):
    with pytest.raises(error):
        schedule_batch(requests, **options)
    assert (Batch.objects.count(), Job.objects.count()) == (0, 0)
