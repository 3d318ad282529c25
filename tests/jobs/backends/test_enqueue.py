"""Enqueueing through django.tasks: a Job row, on commit, with Jobdesk's queue and priority."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connections, transaction
from django.utils import timezone

from jobs.backends import mapping
from jobs.backends.compat import TaskResultDoesNotExist, TaskResultStatus, task_backends
from jobs.core.states import JobStatus, Priority
from jobs.engine import broker
from jobs.models import Job
from jobs.services import schedule_job
from tests import backends_tasks as tasks

pytestmark = pytest.mark.django_db


def rq_ids(queue: str) -> list[str]:
    return [
        job_id.decode() if isinstance(job_id, bytes) else job_id
        for job_id in broker.connection().lrange(f"rq:queue:{queue}", 0, -1)
    ]


def test_enqueue_writes_the_job_and_sends_it_on_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.add.enqueue(2, 3)
    job = Job.objects.get(pk=result.id)
    assert (job.task, job.args, job.kwargs, job.source) == (
        "tests.backends_tasks.add",
        [2, 3],
        {},
        "django.tasks",
    )
    assert (job.status, job.queue, job.priority) == (JobStatus.QUEUED, "normal", Priority.NORMAL)
    assert result.status == TaskResultStatus.READY
    assert result.enqueued_at == job.created_at
    assert (result.started_at, result.finished_at, result.worker_ids, result.errors) == (None, None, [], [])
    assert rq_ids("normal") == [result.id]


def test_a_rolled_back_enqueue_leaves_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        tasks.add.enqueue(1, 1)
        raise RuntimeError("roll back")
    assert not Job.objects.exists()
    assert rq_ids("normal") == []


@pytest.mark.parametrize(
    ("priority", "band", "queue"),
    [
        (100, Priority.URGENT, "high"),
        (99, Priority.HIGH, "high"),
        (1, Priority.HIGH, "high"),
        (0, Priority.NORMAL, "normal"),
        (-1, Priority.LOW, "low"),
        (-100, Priority.LOW, "low"),
    ],
)
def test_priority_picks_the_band_and_its_queue(priority, band, queue):
    result = tasks.add.using(priority=priority).enqueue(1, 2)
    job = Job.objects.get(pk=result.id)
    assert (job.priority, job.queue) == (band, queue)
    assert mapping.band(priority) == band
    assert result.task.priority == priority


def test_urgent_goes_to_the_front_of_its_queue(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.add.using(priority=50).enqueue(1, 1)
        urgent = tasks.add.using(priority=100).enqueue(2, 2)
    assert rq_ids("high") == [urgent.id, first.id]


def test_a_named_queue_is_kept(django_capture_on_commit_callbacks):
    result = tasks.add.using(queue_name="low", priority=10).enqueue(1, 1)
    job = Job.objects.get(pk=result.id)
    assert (job.queue, job.priority) == ("low", Priority.HIGH)
    assert task_backends["default"].get_result(result.id).task.queue_name == "low"


def test_run_after_schedules_the_job(django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.add.using(run_after=later).enqueue(1, 1)
    job = Job.objects.get(pk=result.id)
    assert (job.status, job.run_at) == (JobStatus.SCHEDULED, later)
    assert result.status == TaskResultStatus.READY
    assert tasks.add.get_result(result.id).task.run_after == later
    assert rq_ids("normal") == []


def test_run_after_in_the_past_runs_now():
    result = tasks.add.using(run_after=timezone.now() - timedelta(days=1)).enqueue(1, 1)
    assert Job.objects.get(pk=result.id).status == JobStatus.QUEUED


def test_get_result_reads_the_row_and_refresh_follows_it():
    result = tasks.add.enqueue(4, 5)
    Job.objects.filter(pk=result.id).update(
        status=JobStatus.SUCCEEDED,
        result=9,
        attempts=1,
        worker_name="w1",
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    read = tasks.add.get_result(result.id)
    assert (read.status, read.return_value, read.worker_ids, read.attempts) == (
        TaskResultStatus.SUCCESSFUL,
        9,
        ["w1"],
        1,
    )
    assert (read.args, read.kwargs, read.backend) == ([4, 5], {}, "default")
    assert read.task.func is tasks.add.func
    result.refresh()
    assert (result.status, result.return_value, result.is_finished) == (TaskResultStatus.SUCCESSFUL, 9, True)


@pytest.mark.parametrize(("status", "expected"), list(mapping.STATUS.items()))
def test_every_status_maps(status, expected):
    result = tasks.add.enqueue(1, 1)
    Job.objects.filter(pk=result.id).update(status=status)
    assert tasks.add.get_result(result.id).status == expected


def test_aenqueue_and_aget_result(transactional_db):
    async def scenario():
        result = await tasks.add.aenqueue(1, 2)
        read = await tasks.add.aget_result(result.id)
        await result.arefresh()
        # The queries ran in asgiref's one thread for sync code; leave no connection open there
        # (PostgreSQL won't drop a test database a session still holds).
        await sync_to_async(connections.close_all)()
        return result, read

    # In a thread of its own: Playwright's sync API may have left an event loop running in
    # this one, where async_to_sync refuses to start.
    with ThreadPoolExecutor(1) as pool:
        result, read = pool.submit(asyncio.run, scenario()).result()
    assert (read.id, read.status, result.status) == (
        result.id,
        TaskResultStatus.READY,
        TaskResultStatus.READY,
    )


def test_unknown_ids_and_jobdesk_tasks_have_no_result():
    with pytest.raises(TaskResultDoesNotExist, match="No job with id"):
        tasks.add.get_result("not-a-job")
    native = schedule_job("tests.add", args=[1, 2])
    with pytest.raises(TaskResultDoesNotExist, match=r"Jobdesk task 'tests\.add'"):
        task_backends["default"].get_result(str(native.pk))


def test_the_backend_says_what_it_supports():
    backend = task_backends["default"]
    assert (backend.supports_defer, backend.supports_async_task) == (True, True)
    assert (backend.supports_get_result, backend.supports_priority) == (True, True)
