"""django.tasks' signals fire with Jobdesk's own, with the documented arguments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jobs.backends import JobdeskBackend
from jobs.backends.compat import TaskResultStatus, task_enqueued, task_finished, task_started
from jobs.services import cancel_job, schedule_job
from tests import backends_tasks as tasks


@pytest.fixture
def heard() -> Iterator[list[tuple[str, type, str, TaskResultStatus, object]]]:
    events: list = []

    def listener(name):
        def receive(sender, task_result, **kwargs):
            events.append((name, sender, task_result.id, task_result.status, task_result))

        return receive

    receivers = {
        task_enqueued: listener("enqueued"),
        task_started: listener("started"),
        task_finished: listener("finished"),
    }
    for signal, receiver in receivers.items():
        signal.connect(receiver)
    yield events
    for signal, receiver in receivers.items():
        signal.disconnect(receiver)


def test_enqueue_start_and_finish_are_announced(burst_worker, heard):
    result = tasks.add.enqueue(1, 2)
    assert [(name, status) for name, _, _, status, _ in heard] == [("enqueued", TaskResultStatus.READY)]
    burst_worker()
    assert [(name, sender, job_id, status) for name, sender, job_id, status, _ in heard] == [
        ("enqueued", JobdeskBackend, result.id, TaskResultStatus.READY),
        ("started", JobdeskBackend, result.id, TaskResultStatus.RUNNING),
        ("finished", JobdeskBackend, result.id, TaskResultStatus.SUCCESSFUL),
    ]
    finished = heard[-1][-1]
    assert (finished.return_value, finished.attempts, finished.finished_at is not None) == (3, 1, True)
    assert heard[1][-1].attempts == 1


def test_a_failure_is_announced_with_its_errors(burst_worker, heard, run_scheduler):
    from django.utils import timezone

    from jobs.models import Job

    result = tasks.always_fails.enqueue("boom")
    burst_worker()
    assert [name for name, *_ in heard] == ["enqueued", "started"]
    Job.objects.filter(pk=result.id).update(run_at=timezone.now())
    run_scheduler()
    burst_worker()
    name, _, _, status, finished = heard[-1]
    assert (name, status, len(finished.errors)) == ("finished", TaskResultStatus.FAILED, 2)


def test_cancel_is_a_finish_and_plain_jobdesk_jobs_are_not_announced(
    db, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.add.enqueue(1, 2)
        schedule_job("tests.add", args=[1, 2])
        cancel_job(result.id)
    assert [(name, status) for name, _, _, status, _ in heard] == [
        ("enqueued", TaskResultStatus.READY),
        ("finished", TaskResultStatus.FAILED),
    ]


def test_task_enqueued_carries_the_result_enqueue_returns_inside_a_transaction(
    db, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.add.using(priority=7).enqueue(1, 2)
        assert heard == []
    assert [(name, job_id) for name, _, job_id, _, _ in heard] == [("enqueued", result.id)]
    assert heard[0][-1] is result


def test_task_enqueued_carries_the_result_enqueue_returns_in_autocommit(transactional_db, heard):
    result = tasks.add.using(priority=7).enqueue(1, 2)
    assert [(name, job_id) for name, _, job_id, _, _ in heard] == [("enqueued", result.id)]
    assert heard[0][-1] is result
    assert result.task.priority == 7
