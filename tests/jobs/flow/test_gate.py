"""The claim gate in this process: slots, held jobs, wake-ups, leases (real Redis and RQ)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.core.states import JobStatus
from jobs.engine import broker, execution
from jobs.engine.flow import keys, slots
from jobs.models import Job, JobLog
from jobs.services import cancel_job, schedule_job

S = JobStatus
pytestmark = pytest.mark.django_db(transaction=True)


def status(job: Job) -> str:
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)


def finish(job: Job) -> None:
    execution.record(job, execution.Outcome(ok=True, runtime=0.0, execution_id=str(job.execution_id)))


def test_a_job_over_the_limit_waits_scheduled_without_an_attempt(redis):
    jobs = [schedule_job("tests.flow.limited", args=[n]) for n in range(4)]
    claimed = [execution.claim(str(job.pk), "w") for job in jobs]
    assert all(claimed[:3]) and claimed[3] is None
    held = Job.objects.get(pk=jobs[3].pk)
    assert held.status == S.SCHEDULED and held.attempts == 0 and held.run_at > timezone.now()
    assert redis.zscore(broker.SCHEDULED_JOBS_KEY, str(held.pk)) is not None
    assert "concurrency limit 3 of task:tests.flow.limited" in held.logs.get(event=JobLog.Event.LOG).message
    assert slots.in_use("task:tests.flow.limited") == 3


def test_a_finished_job_wakes_the_oldest_held_one_into_its_queue(redis):
    jobs = [schedule_job("tests.flow.limited", args=[n]) for n in range(5)]
    claimed = [execution.claim(str(job.pk), "w") for job in jobs]
    finish(claimed[0])
    assert status(jobs[3]) == S.QUEUED, "the oldest held job is woken"
    assert status(jobs[4]) == S.SCHEDULED
    assert str(jobs[3].pk) in [j.decode() for j in redis.lrange("rq:queue:normal", 0, -1)]
    assert execution.claim(str(jobs[3].pk), "w") is not None
    assert redis.get(keys.note(str(jobs[3].pk))) is None, "its waiting note is gone once it starts"


def test_other_tasks_in_the_same_queue_are_not_held(redis):
    for n in range(3):
        execution.claim(str(schedule_job("tests.flow.limited", args=[n]).pk), "w")
    assert execution.claim(str(schedule_job("tests.flow.limited", args=[9]).pk), "w") is None
    assert execution.claim(str(schedule_job("tests.add", args=[1, 2]).pk), "w") is not None


def test_a_cancelled_held_job_never_runs(redis):
    claimed = [execution.claim(str(schedule_job("tests.flow.limited", args=[n]).pk), "w") for n in range(3)]
    held = schedule_job("tests.flow.limited", args=[3])
    assert execution.claim(str(held.pk), "w") is None
    cancel_job(held.pk)
    finish(claimed[0])
    assert status(held) == S.CANCELLED
    assert execution.claim(str(held.pk), "w") is None
    assert status(held) == S.CANCELLED


def test_a_slot_whose_attempt_lost_its_lease_is_freed(redis, settings):
    claimed = [execution.claim(str(schedule_job("tests.flow.limited", args=[n]).pk), "w") for n in range(3)]
    stale = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=claimed[0].pk).update(heartbeat_at=stale)
    redis.zadd(keys.slots("task:tests.flow.limited"), {str(claimed[0].pk): 0})
    assert execution.claim(str(schedule_job("tests.flow.limited", args=[3]).pk), "w") is not None


def test_keyed_limits_count_each_key_apart(redis):
    first = execution.claim(str(schedule_job("tests.flow.tenant", args=["a", 1]).pk), "w")
    assert first is not None
    assert execution.claim(str(schedule_job("tests.flow.tenant", args=["a", 2]).pk), "w") is None
    assert execution.claim(str(schedule_job("tests.flow.tenant", kwargs={"account": "b", "n": 1}).pk), "w")


def test_queue_limits_come_from_settings(redis, settings):
    settings.JOBS = {**settings.JOBS, "FLOW_QUEUES": {"low": {"concurrency": 1}}}
    assert execution.claim(str(schedule_job("tests.add", args=[1, 1], queue="low").pk), "w")
    assert execution.claim(str(schedule_job("tests.add", args=[1, 2], queue="low").pk), "w") is None
    assert execution.claim(str(schedule_job("tests.add", args=[1, 3], queue="normal").pk), "w")


def test_a_rate_limit_holds_starts_over_the_window_until_it_opens(redis):
    jobs = [schedule_job("tests.flow.hourly", args=[n]) for n in range(5)]
    claimed = [execution.claim(str(job.pk), "w") for job in jobs]
    assert [bool(job) for job in claimed] == [True, True, True, False, False]
    held, later = (Job.objects.get(pk=job.pk) for job in jobs[3:])
    opens = claimed[0].started_at + timedelta(hours=1)
    assert held.status == S.SCHEDULED and held.attempts == 0
    assert abs((held.run_at - opens).total_seconds()) < 1, "it waits for the window to open"
    assert later.run_at >= held.run_at


def test_a_held_job_is_logged_as_held_not_as_unstartable(redis, caplog):
    for n in range(3):
        execution.claim(str(schedule_job("tests.flow.limited", args=[n]).pk), "w")
    held = schedule_job("tests.flow.limited", args=[3])
    with caplog.at_level("INFO"):
        assert execution.claim(str(held.pk), "w") is None
    lines = [record.getMessage() for record in caplog.records if str(held.pk) in record.getMessage()]
    assert any("event=held" in line for line in lines), lines
    assert not any("not startable" in line for line in lines), lines
    timeline = list(held.logs.values_list("message", flat=True))
    assert timeline == ["Waiting: concurrency limit 3 of task:tests.flow.limited."], timeline


def test_a_cancelled_job_is_still_logged_as_unstartable(redis, caplog):
    job = schedule_job("tests.flow.limited", args=[0])
    cancel_job(job.pk)
    with caplog.at_level("INFO"):
        assert execution.claim(str(job.pk), "w") is None
    assert any("not startable" in record.getMessage() for record in caplog.records)
