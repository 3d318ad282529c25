"""The recurring-job services: validation, create/edit/delete, trigger, pause and resume."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.engine.recurring_runs import enqueue_due_runs
from jobs.exceptions import (
    InvalidArguments,
    InvalidSchedule,
    InvalidTransition,
    RecurringJobNotFound,
    UnknownQueue,
    UnknownTask,
)
from jobs.models import Job, JobLog, RecurringJob
from jobs.services import (
    create_recurring_job,
    delete_recurring_job,
    get_recurring_job,
    pause_recurring_job,
    resume_recurring_job,
    trigger_recurring_job,
    update_recurring_job,
)
from tests.factories import user_with

pytestmark = pytest.mark.django_db(transaction=True)

DAILY_SAO_PAULO = {
    "crontab": {
        "minute": "0",
        "hour": "6",
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": "America/Sao_Paulo",
    }
}
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def create(**options) -> RecurringJob:
    values = {"name": "adder", "task": "tests.add", "args": [1, 2], "schedule": DAILY_SAO_PAULO, "now": NOW}
    values.update(options)
    return create_recurring_job(**values)


def counts() -> tuple[int, int, int, int]:
    return (
        RecurringJob.objects.count(),
        CrontabSchedule.objects.count(),
        IntervalSchedule.objects.count(),
        ClockedSchedule.objects.count(),
    )


def test_create_computes_the_first_run_in_the_schedule_timezone():
    rj = create()
    assert rj.pk and rj.crontab.hour == "6" and str(rj.crontab.timezone) == "America/Sao_Paulo"
    assert rj.next_run_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert rj.misfire_policy == RecurringJob.MisfirePolicy.RUN_ONCE
    assert get_recurring_job(rj.pk) == rj


def test_identical_schedules_reuse_one_row():
    first = create(name="one")
    second = create(name="two")
    third = create(name="three", schedule={"interval": {"every": 15, "period": "minutes"}})
    assert first.crontab_id == second.crontab_id
    assert third.interval.every == 15 and counts() == (3, 1, 1, 0)


@pytest.mark.parametrize(
    ("options", "error", "text", "field"),
    [
        ({"schedule": {"crontab": {"minute": "61"}}}, InvalidSchedule, "Invalid cron minute", "schedule"),
        ({"schedule": {"crontab": {"hour": "*/x"}}}, InvalidSchedule, "Invalid cron hour", "schedule"),
        (
            {"schedule": {"crontab": {"day_of_month": "31", "month_of_year": "2"}}},
            InvalidSchedule,
            "never fires",
            "schedule",
        ),
        (
            {"schedule": {"crontab": {"timezone": "Mars/Olympus"}}},
            InvalidSchedule,
            "Unknown timezone",
            "schedule",
        ),
        (
            {"schedule": {"interval": {"every": 0, "period": "minutes"}}},
            InvalidSchedule,
            "greater than 0",
            "schedule",
        ),
        (
            {"schedule": {"interval": {"every": -5, "period": "seconds"}}},
            InvalidSchedule,
            "greater than 0",
            "schedule",
        ),
        (
            {"schedule": {"interval": {"every": 5, "period": "fortnights"}}},
            InvalidSchedule,
            "Unknown period",
            "schedule",
        ),
        (
            {"schedule": {"clocked": {"clocked_time": NOW - timedelta(days=1)}}},
            InvalidSchedule,
            "in the past",
            "schedule",
        ),
        ({"schedule": {"clocked": {"clocked_time": "soon"}}}, InvalidSchedule, "with a timezone", "schedule"),
        ({"schedule": {}}, InvalidSchedule, "exactly one schedule", "schedule"),
        (
            {"schedule": {"crontab": {}, "interval": {"every": 1, "period": "hours"}}},
            InvalidSchedule,
            "exactly one schedule",
            "schedule",
        ),
        ({"schedule": {"solar": {"event": "sunset"}}}, InvalidSchedule, "exactly one schedule", "schedule"),
        ({"start_at": NOW, "end_at": NOW - timedelta(hours=1)}, InvalidSchedule, "after start_at", "end_at"),
        ({"task": "os.system"}, UnknownTask, "not registered", "task"),
        ({"args": [1]}, InvalidArguments, "missing a required argument", "args"),
        ({"args": [1, object()]}, InvalidArguments, "JSON", "args"),
        ({"queue": "nope"}, UnknownQueue, "Unknown queue", "queue"),
        ({"priority": "asap"}, InvalidArguments, "Unknown priority", "priority"),
        ({"max_concurrent_runs": 0}, InvalidArguments, "max_concurrent_runs", "max_concurrent_runs"),
        ({"misfire_policy": "sometimes"}, InvalidArguments, "misfire_policy", "misfire_policy"),
        ({"name": "  "}, InvalidArguments, "name", "name"),
        ({"enabled": "yes"}, InvalidArguments, "true or false", "enabled"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(options, error, text, field):
    with pytest.raises(error) as caught:
        create(**options)
    assert text in caught.value.message
    assert field in caught.value.fields
    assert counts() == (0, 0, 0, 0)


def test_a_duplicate_name_is_refused():
    create()
    with pytest.raises(InvalidArguments, match="already exists") as caught:
        create(schedule={"interval": {"every": 1, "period": "hours"}})
    assert caught.value.fields == {"name": "taken"}
    assert counts() == (1, 1, 0, 0)


def test_model_clean_applies_the_same_rules_for_forms():
    rj = RecurringJob(name="form", task="tests.add", args=[1, 2], queue="nope")
    rj.interval = IntervalSchedule.objects.create(every=5, period="seconds")
    with pytest.raises(ValidationError) as caught:
        rj.full_clean()
    assert "queue" in caught.value.message_dict
    rj.queue = ""
    rj.interval = None
    with pytest.raises(ValidationError) as caught:
        rj.full_clean()
    assert "exactly one schedule" in str(caught.value)


def test_update_replaces_the_schedule_and_recomputes_the_next_run():
    rj = create()
    updated = update_recurring_job(
        rj.pk, schedule={"interval": {"every": 10, "period": "seconds"}}, args=[5, 5], now=NOW
    )
    assert updated.crontab is None and updated.interval.every == 10 and updated.args == [5, 5]
    assert NOW < updated.next_run_at <= NOW + timedelta(seconds=10)
    assert get_recurring_job(rj.pk).interval_id == updated.interval_id


def test_update_refuses_bad_changes_and_keeps_the_row():
    rj = create()
    with pytest.raises(InvalidSchedule):
        update_recurring_job(rj.pk, schedule={"crontab": {"minute": "99"}}, now=NOW)
    with pytest.raises(InvalidArguments, match="Unknown field"):
        update_recurring_job(rj.pk, colour="blue")
    with pytest.raises(UnknownTask):
        update_recurring_job(rj.pk, task="nope")
    fresh = get_recurring_job(rj.pk)
    assert (fresh.task, fresh.crontab.minute, fresh.next_run_at) == ("tests.add", "0", rj.next_run_at)


def test_unknown_ids_raise_not_found():
    for action in (get_recurring_job, trigger_recurring_job, pause_recurring_job, resume_recurring_job):
        with pytest.raises(RecurringJobNotFound):
            action("12345")
    with pytest.raises(RecurringJobNotFound):
        delete_recurring_job("not-a-number")


def test_trigger_runs_now_outside_the_schedule():
    user = user_with(username="ops")
    rj = create()
    job = trigger_recurring_job(rj.pk, user=user, via="admin")
    assert job.status == JobStatus.QUEUED and job.recurring_job_id == rj.pk and job.source == "recurring"
    assert job.args == [1, 2] and job.scheduled_for is None
    assert broker.rq_status(str(job.pk)) == "queued"
    assert JobLog.objects.get(job=job).message == "Scheduled by ops via admin."
    fresh = get_recurring_job(rj.pk)
    assert fresh.run_count == 1 and fresh.next_run_at == rj.next_run_at


def test_pause_and_resume_refuse_the_wrong_state():
    rj = create()
    paused = pause_recurring_job(rj.pk, via="rest")
    assert not paused.enabled and paused.next_run_at is None
    with pytest.raises(InvalidTransition, match="already paused"):
        pause_recurring_job(rj.pk)
    resumed = resume_recurring_job(rj.pk, now=NOW + timedelta(days=2))
    assert resumed.enabled and resumed.next_run_at == datetime(2026, 11, 25, 9, tzinfo=UTC)
    with pytest.raises(InvalidTransition, match="not paused"):
        resume_recurring_job(rj.pk)


def test_pause_and_delete_cancel_runs_already_handed_to_rq_scheduler():
    now = timezone.now()
    first = create(
        name="a",
        schedule={"interval": {"every": 1, "period": "hours"}},
        start_at=now + timedelta(seconds=30),
        now=now,
    )
    second = create(
        name="b",
        schedule={"interval": {"every": 1, "period": "hours"}},
        start_at=now + timedelta(seconds=30),
        now=now,
    )
    runs = enqueue_due_runs(now=now, lookahead=60)
    assert {run.recurring_job_id for run in runs} == {first.pk, second.pk}
    assert all(run.status == JobStatus.SCHEDULED for run in runs)
    pause_recurring_job(first.pk)
    delete_recurring_job(second.pk)
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.CANCELLED}
    assert broker.connection().zcard(broker.SCHEDULED_JOBS_KEY) == 0
    assert not RecurringJob.objects.filter(pk=second.pk).exists()
    assert Job.objects.filter(recurring_job__isnull=True).count() == 1


def test_disabled_at_creation_has_no_next_run():
    rj = create(enabled=False)
    assert rj.next_run_at is None
    assert enqueue_due_runs(now=NOW + timedelta(days=30)) == []
