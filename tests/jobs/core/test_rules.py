"""Numbers and dates out of range are refusals with a field, never an exception of Python's.

Each case here was a 500 (OverflowError, IntegrityError, DataError on PostgreSQL,
TypeError) before the bounds of :mod:`jobs.core.rules` were enforced by the services.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from datetime import timezone as tz

import pytest
from django_celery_beat.models import IntervalSchedule

from jobs.core import rules
from jobs.exceptions import InvalidAlertRule, InvalidArguments, InvalidSchedule, JobsError
from jobs.models import Job, RecurringJob
from jobs.services import create_recurring_job, schedule_job, schedule_jobs, validate_recurring_job
from jobs.services.alerts import create_alert_rule

pytestmark = pytest.mark.django_db(transaction=True)

FAR_WEST = tz(timedelta(hours=-12))
HOURLY = {"interval": {"every": 1, "period": "hours"}}


@pytest.mark.parametrize(
    ("options", "error", "field"),
    [
        ({"delay": 1e20}, InvalidSchedule, "delay"),
        ({"delay": 1e12}, InvalidSchedule, "delay"),
        ({"delay": 10**30}, InvalidSchedule, "delay"),
        ({"delay": float("inf")}, InvalidSchedule, "delay"),
        ({"delay": timedelta.max}, InvalidSchedule, "delay"),
        ({"delay": rules.MAX_DELAY_SECONDS + 1}, InvalidSchedule, "delay"),
        ({"run_at": datetime.max}, InvalidSchedule, "run_at"),
        ({"run_at": datetime.max.replace(tzinfo=UTC)}, InvalidSchedule, "run_at"),
        ({"run_at": datetime(9999, 12, 31, 23, tzinfo=FAR_WEST)}, InvalidSchedule, "run_at"),
        ({"timeout": -1}, InvalidArguments, "timeout"),
        ({"timeout": 10**20}, InvalidArguments, "timeout"),
        ({"timeout": "x"}, InvalidArguments, "timeout"),
        ({"timeout": 1.5}, InvalidArguments, "timeout"),
        ({"timeout": True}, InvalidArguments, "timeout"),
        ({"depends_on": 5}, InvalidArguments, "depends_on"),
        ({"tags": ["a\x00"]}, InvalidArguments, "tags"),
        ({"correlation_id": "a\x00"}, InvalidArguments, "correlation_id"),
        ({"args": ["a\x00", 1]}, InvalidArguments, "args"),
        ({"args": ["\ud800", 1]}, InvalidArguments, "args"),
        ({"args": [], "kwargs": {"a": 1, "b": "x\x00"}}, InvalidArguments, "args"),
    ],
)
def test_out_of_range_schedule_options_are_refused_and_write_nothing(options, error, field):
    with pytest.raises(error) as refused:
        schedule_job("tests.add", **{"args": [1, 2], **options})
    assert field in refused.value.fields and refused.value.message
    assert not Job.objects.exists()


def test_the_bounds_themselves_are_accepted():
    delayed = schedule_job("tests.noop", delay=rules.MAX_DELAY_SECONDS)
    timed = schedule_job("tests.noop", timeout=rules.MAX_TIMEOUT)
    assert delayed.status == "scheduled" and timed.timeout == rules.MAX_TIMEOUT


def test_json_nested_too_deep_for_python_is_refused():
    nested: list = []
    for _ in range(100_000):
        nested = [nested]
    with pytest.raises(InvalidArguments):
        schedule_job("tests.fail", args=[nested])


@pytest.mark.parametrize("requests", [5, None, "tests.add", {"task": "tests.add"}, [5], [None]])
def test_bulk_requests_that_are_not_lists_of_mappings_are_refused(requests):
    with pytest.raises(JobsError):
        schedule_jobs(requests)
    assert not Job.objects.exists()


def test_a_bulk_request_with_a_huge_delay_is_refused_with_its_position():
    with pytest.raises(InvalidSchedule, match="Job 1:"):
        schedule_jobs([{"task": "tests.noop"}, {"task": "tests.noop", "delay": 1e20}])
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    "schedule",
    [
        {"interval": {"every": 10**12, "period": "days"}},
        {"interval": {"every": 2**40, "period": "seconds"}},
        {"interval": {"every": 3654, "period": "days"}},
        {"interval": {"every": 1, "period": ["days"]}},
        {"clocked": {"clocked_time": "9999-12-31T23:59:59-12:00"}},
        {"clocked": {"clocked_time": "9999-12-31T23:59:59+00:00"}},
    ],
)
def test_schedules_beyond_the_bound_are_refused_and_save_nothing(schedule):
    with pytest.raises(InvalidSchedule) as refused:
        create_recurring_job(name="far", task="tests.noop", schedule=schedule)
    assert refused.value.fields == {"schedule": refused.value.fields["schedule"]}
    assert not RecurringJob.objects.exists() and not IntervalSchedule.objects.exists()


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"start_at": datetime.max.replace(tzinfo=UTC)}, "start_at"),
        ({"start_at": datetime.min.replace(tzinfo=UTC)}, "start_at"),
        ({"end_at": datetime.min.replace(tzinfo=UTC)}, "end_at"),
        ({"end_at": datetime(9999, 12, 31, tzinfo=FAR_WEST)}, "end_at"),
        ({"name": "a\x00"}, "name"),
        ({"description": "a\x00"}, "description"),
    ],
)
def test_recurring_options_out_of_range_are_refused(options, field):
    with pytest.raises(JobsError) as refused:
        create_recurring_job(**{"name": "r", "task": "tests.noop", "schedule": HOURLY, **options})
    assert field in refused.value.fields
    assert not RecurringJob.objects.exists()


def test_an_existing_huge_interval_row_is_refused_by_validation():
    """celery-beat's admin saves any integer; choosing such a row is a form error."""
    huge = IntervalSchedule.objects.create(every=2**31 - 1, period="days")
    rj = RecurringJob(name="r", task="tests.noop", interval=huge)
    with pytest.raises(InvalidSchedule, match="at most"):
        validate_recurring_job(rj)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "stuck", "threshold": 1e300}, "threshold"),
        ({"kind": "oldest_waiting", "threshold": 1e20}, "threshold"),
        ({"kind": "backlog", "threshold": 5, "repeat_minutes": 2**31 - 1}, "repeat_minutes"),
        ({"kind": "backlog", "threshold": 5, "min_jobs": 10**30}, "min_jobs"),
    ],
)
def test_alert_rules_with_durations_no_clock_can_reach_are_refused(fields, field):
    with pytest.raises(InvalidAlertRule) as refused:
        create_alert_rule(name="huge", **fields)
    assert field in refused.value.fields
