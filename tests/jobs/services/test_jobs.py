"""The service layer: scheduling rules, refusals, transactions, manual actions."""

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.exceptions import (
    DependencyFailed,
    InvalidArguments,
    InvalidSchedule,
    InvalidTransition,
    JobNotFound,
    PayloadTooLarge,
    UnknownDependency,
    UnknownQueue,
    UnknownTask,
)
from jobs.models import Job, JobLog, QueueStats
from jobs.services import (
    cancel_job,
    cancel_jobs,
    pause_queue,
    rerun_job,
    resume_queue,
    retry_job,
    schedule_job,
    schedule_jobs,
)
from tests.factories import user_with

S = JobStatus
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("options", "error", "text"),
    [
        ({"task": "no.such.task"}, UnknownTask, "Unknown task"),
        ({"task": "os.system", "args": ["rm -rf /"]}, UnknownTask, "not registered"),
        ({"args": [1]}, InvalidArguments, "missing a required argument"),
        ({"args": [1, 2, 3]}, InvalidArguments, "too many positional"),
        ({"args": [1, object()]}, InvalidArguments, "JSON-serialisable"),
        ({"args": [1, float("nan")]}, InvalidArguments, "JSON-serialisable"),
        ({"args": "1,2"}, InvalidArguments, "must be a list"),
        ({"kwargs": [1]}, InvalidArguments, "must be an object"),
        ({"queue": "nope"}, UnknownQueue, "Unknown queue 'nope'"),
        ({"priority": "asap"}, InvalidArguments, "Unknown priority"),
        ({"max_attempts": 0}, InvalidArguments, "max_attempts"),
        ({"delay": -1}, InvalidSchedule, "negative"),
        ({"delay": "soon"}, InvalidSchedule, "number of seconds"),
        ({"delay": 5, "run_at": "later"}, InvalidSchedule, "not both"),
        ({"run_at": "tomorrow"}, InvalidSchedule, "date and time"),
        ({"args": ["x" * 70_000, 1]}, PayloadTooLarge, "limit is 65536"),
        ({"depends_on": [str(uuid.UUID(int=0))]}, UnknownDependency, "depends_on names no job"),
        ({"tags": [""]}, InvalidArguments, "tags"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(redis, options, error, text):
    options = {"task": "tests.add", "args": [1, 2], **options}
    with pytest.raises(error, match=text):
        schedule_job(options.pop("task"), **options)
    assert not Job.objects.exists()
    assert not redis.keys("rq:job:*")


def test_run_at_in_the_past_beyond_the_tolerance_is_refused():
    now = timezone.now()
    with pytest.raises(InvalidSchedule, match="in the past"):
        schedule_job("tests.add", args=[1, 2], run_at=now - timedelta(minutes=5))
    job = schedule_job("tests.add", args=[1, 2], run_at=now - timedelta(seconds=30))
    assert job.status == S.QUEUED, "within the clock-skew tolerance means now"


def test_a_job_at_a_time_waits_in_rq_scheduler(redis):
    when = timezone.now() + timedelta(hours=1)
    job = schedule_job("tests.add", args=[1, 2], run_at=when)
    assert job.status == S.SCHEDULED
    assert redis.zscore(broker.SCHEDULED_JOBS_KEY, str(job.pk)) == pytest.approx(when.timestamp())
    assert broker.queue("normal").count == 0


def test_a_delay_becomes_a_run_at():
    job = schedule_job("tests.add", args=[1, 2], delay=timedelta(seconds=90))
    assert job.status == S.SCHEDULED
    assert 85 < (job.run_at - job.created_at).total_seconds() <= 90


def test_queue_comes_from_argument_then_task_then_priority():
    assert schedule_job("tests.add", args=[1, 2]).queue == "normal"
    assert schedule_job("tests.urgent").queue == "high"
    assert schedule_job("tests.add", args=[1, 2], priority="low").queue == "low"
    assert schedule_job("tests.add", args=[1, 2], priority="low", queue="high").queue == "high"


def test_urgent_jobs_jump_to_the_front_of_their_queue():
    first = schedule_job("tests.add", args=[1, 2])
    urgent = schedule_job("tests.add", args=[3, 4], priority="urgent", queue="normal")
    assert broker.queue("normal").job_ids == [str(urgent.pk), str(first.pk)]


def test_rolled_back_transaction_sends_nothing(redis):
    with pytest.raises(RuntimeError), transaction.atomic():
        schedule_job("tests.add", args=[1, 2])
        raise RuntimeError("roll back")
    assert not Job.objects.exists()
    assert broker.queue("normal").count == 0


def test_enqueue_happens_only_at_commit():
    with transaction.atomic():
        job = schedule_job("tests.add", args=[1, 2])
        assert broker.queue("normal").count == 0
    assert broker.queue("normal").job_ids == [str(job.pk)]


def test_bulk_scheduling_is_all_or_nothing(redis):
    with pytest.raises(UnknownTask, match="Job 1: Unknown task"):
        schedule_jobs([{"task": "tests.add", "args": [1, 2]}, {"task": "nope"}])
    assert not Job.objects.exists()
    jobs = schedule_jobs([{"task": "tests.add", "args": [i, i]} for i in range(20)])
    assert len(jobs) == 20 == Job.objects.queued().count()
    assert broker.queue("normal").count == 20


def test_cancel_and_retry_are_logged_with_the_user():
    alice = user_with(username="alice")
    job = schedule_job("tests.add", args=[1, 2])
    cancel_job(job.pk, user=alice, via="admin")
    assert Job.objects.get(pk=job.pk).status == S.CANCELLED
    assert broker.queue("normal").count == 0, "the RQ copy is removed"
    retry_job(job.pk, user=alice, via="rest")
    job.refresh_from_db()
    assert job.status == S.QUEUED
    entries = list(JobLog.objects.filter(job=job).values_list("message", "user__username", "interface"))
    assert entries == [
        ("Cancelled by alice via admin.", "alice", "admin"),
        ("Retried by alice via rest.", "alice", "rest"),
    ]


def test_illegal_transitions_are_refused_and_change_nothing(burst_worker):
    job = schedule_job("tests.add", args=[1, 2])
    with pytest.raises(InvalidTransition, match="only failed or cancelled jobs can be retried"):
        retry_job(job.pk)
    burst_worker()
    with pytest.raises(InvalidTransition, match="already finished"):
        cancel_job(job.pk)
    job.refresh_from_db()
    assert job.status == S.SUCCEEDED
    assert not job.logs.filter(event__in=["manual", "cancelled"]).exists()


def test_unknown_ids_are_not_found():
    for bad in ["nope", "00000000-0000-0000-0000-000000000000", "'; DROP TABLE jobs_job; --"]:
        with pytest.raises(JobNotFound):
            cancel_job(bad)


def test_bulk_actions_report_refusals():
    queued = schedule_job("tests.add", args=[1, 2])
    done = schedule_job("tests.add", args=[1, 2])
    cancel_job(done.pk)
    result = cancel_jobs([queued.pk, done.pk, "bogus"])
    assert [job.pk for job in result.done] == [queued.pk]
    assert set(result.refused) == {str(done.pk), "bogus"}


def test_retry_gives_a_failed_job_one_more_attempt(burst_worker, run_scheduler):
    job = schedule_job("tests.flaky", args=[1], max_attempts=1)
    burst_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (S.FAILED, 1)
    retry_job(job.pk)
    burst_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.max_attempts, job.result) == (S.SUCCEEDED, 2, 2, 2)


def test_rerun_makes_a_linked_copy(burst_worker):
    job = schedule_job("tests.add", args=[2, 2])
    burst_worker()
    copy = rerun_job(job.pk)
    assert copy.pk != job.pk and copy.parent_id == job.pk and copy.args == [2, 2]
    burst_worker()
    copy.refresh_from_db()
    assert copy.result == 4


def test_pause_and_resume_queue_flags_db_and_redis():
    stats = pause_queue("high")
    assert stats.paused and QueueStats.objects.get(name="high").paused
    assert broker.paused_queues() == {"high"}
    with pytest.raises(InvalidTransition, match="already paused"):
        pause_queue("high")
    resume_queue("high")
    assert broker.paused_queues() == set()
    with pytest.raises(InvalidTransition, match="already running"):
        resume_queue("high")
    with pytest.raises(UnknownQueue):
        pause_queue("nope")


def test_dependants_wait_and_run_after_their_dependency(burst_worker):
    first = schedule_job("tests.add", args=[1, 1])
    second = schedule_job("tests.add", args=[2, 2], depends_on=[first.pk])
    assert second.status == S.DEFERRED
    assert broker.queue("normal").job_ids == [str(first.pk)], "the dependant waits outside the queue"
    burst_worker()
    for job in (first, second):
        job.refresh_from_db()
    assert (first.status, second.status) == (S.SUCCEEDED, S.SUCCEEDED)
    assert second.started_at >= first.finished_at


def test_dependants_fail_with_a_reason_when_a_dependency_fails(burst_worker):
    first = schedule_job("tests.fail", args=["no"])
    second = schedule_job("tests.add", args=[2, 2], depends_on=[first.pk])
    third = schedule_job("tests.add", args=[3, 3], depends_on=[second.pk])
    burst_worker()
    for job in (second, third):
        job.refresh_from_db()
        assert job.status == S.FAILED
        assert job.attempts == 0
    assert second.error == f"Dependency {first.pk} (tests.fail) failed."
    assert "failed because one of its dependencies did" in third.error
    with pytest.raises(DependencyFailed, match="retry it first"):
        schedule_job("tests.add", args=[1, 1], depends_on=[first.pk])


def test_cancelling_a_dependency_fails_its_dependants():
    first = schedule_job("tests.add", args=[1, 1], delay=3600)
    second = schedule_job("tests.add", args=[2, 2], depends_on=[first.pk])
    cancel_job(first.pk)
    second.refresh_from_db()
    assert second.status == S.FAILED and "was cancelled" in second.error


def test_delete_removes_the_row_its_logs_and_its_rq_copy(redis):
    from jobs.services import delete_job

    later = schedule_job("tests.add", args=[1, 2], delay=600)
    cancel_job(later.pk)
    waiting = schedule_job("tests.add", args=[3, 4], delay=600)
    delete_job(waiting.pk)
    delete_job(later.pk)
    assert not Job.objects.exists() and not JobLog.objects.exists()
    assert redis.zcard(broker.SCHEDULED_JOBS_KEY) == 0
    assert not redis.exists(f"rq:job:{waiting.pk}")
    with pytest.raises(JobNotFound):
        delete_job(waiting.pk)
