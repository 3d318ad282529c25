"""Property: whatever a caller passes, the services return a result or raise a JobsError.

Hypothesis draws every argument of ``schedule_job``, ``schedule_jobs`` and
``create_recurring_job`` from a mix of valid values, values just past a bound, and
garbage of every Python shape (huge and negative numbers, NaN, infinities, bools,
text with NUL and lone surrogates, naive and far-off datetimes, non-JSON objects).
A refusal must write nothing; an acceptance must read back from the database.

Examples are derandomized (the same every run) and bounded so CI stays quick.
"""

from __future__ import annotations

import decimal
from datetime import UTC, datetime, timedelta

import pytest
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from jobs.core import rules
from jobs.exceptions import JobsError
from jobs.models import Job, RecurringJob
from jobs.services import create_recurring_job, schedule_job, schedule_jobs

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

NOW = datetime.now(UTC)

texts = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e12, 1e20, 10**30, 2**31, 2**63, float("inf"), float("-inf"), float("nan")]),
    st.decimals(allow_nan=True),
    st.booleans(),
)
not_json = st.one_of(
    st.builds(object),
    st.binary(max_size=5),
    st.complex_numbers(),
    st.sets(st.integers(), max_size=2),
    st.just(decimal.Decimal("1.5")),
    st.datetimes(),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
hashables = st.one_of(texts, st.integers(), st.floats(), st.none(), st.booleans(), st.binary(max_size=3))
anything = st.one_of(st.none(), numbers, texts, not_json, st.lists(json_values, max_size=2))
datetimes = st.one_of(
    st.datetimes(),
    st.datetimes(timezones=st.timezones()),
    st.sampled_from(
        [
            datetime.max,
            datetime.min,
            datetime.max.replace(tzinfo=UTC),
            datetime.min.replace(tzinfo=UTC),
            NOW + rules.MAX_DELAY,
            NOW + rules.MAX_DELAY + timedelta(seconds=1),
            NOW + timedelta(minutes=5),
        ]
    ),
)


soon = st.datetimes(min_value=datetime(2030, 1, 1), max_value=datetime(2034, 1, 1), timezones=st.just(UTC))
"""Valid run-at and clocked times (the tests run before 2030 and within ten years of 2034)."""


def mostly(valid: st.SearchStrategy, garbage: st.SearchStrategy) -> st.SearchStrategy:
    """Three draws in four from ``valid`` (``one_of`` would pick each branch alike)."""
    return st.integers(0, 3).flatmap(lambda pick: garbage if pick == 3 else valid)


def maybe(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly left out or valid, so the later checks get reached too; sometimes garbage."""
    return st.one_of(st.none(), valid, valid, anything)


valid_calls = st.sampled_from(
    [
        ("tests.add", [1, 2], {}),
        ("tests.add", [], {"a": 1, "b": 2}),
        ("tests.noop", [], {}),
        ("tests.fail", ["boom"], {}),
    ]
)
garbage_calls = st.tuples(
    st.one_of(texts, anything, st.sampled_from(["tests.add", "tests.fail"])),
    st.one_of(st.lists(json_values, max_size=3), st.lists(not_json, max_size=2), anything),
    st.one_of(
        st.dictionaries(texts, json_values, max_size=3),
        st.dictionaries(hashables, anything, max_size=3),
        anything,
    ),
)
options = st.fixed_dictionaries(
    {},
    optional={
        "queue": maybe(st.sampled_from(["high", "normal", "low"])),
        "priority": maybe(st.sampled_from(["low", "normal", "high", "urgent"])),
        "run_at": maybe(st.one_of(soon, datetimes)),
        "delay": maybe(st.one_of(st.floats(0, rules.MAX_DELAY_SECONDS), numbers, st.timedeltas())),
        "max_attempts": maybe(st.integers(min_value=1, max_value=rules.MAX_ATTEMPTS)),
        "timeout": maybe(st.integers(min_value=1, max_value=rules.MAX_TIMEOUT)),
        "tags": maybe(st.lists(texts, max_size=3)),
        "correlation_id": maybe(texts),
        "depends_on": st.one_of(st.lists(texts, max_size=2), anything),
    },
)


def requests() -> st.SearchStrategy:
    return st.tuples(mostly(valid_calls, garbage_calls), options).map(
        lambda drawn: {"task": drawn[0][0], "args": drawn[0][1], "kwargs": drawn[0][2], **drawn[1]}
    )


def without_none(request: dict) -> dict:
    """``correlation_id=None`` is a refusal, but ``None`` elsewhere means "the default"."""
    return {
        name: value
        for name, value in request.items()
        if value is not None or name in ("task", "correlation_id")
    }


@PROPERTY
@given(request=requests())
def test_schedule_job_returns_a_job_or_refuses_and_writes_nothing(request):
    request = without_none(request)
    before = Job.objects.count()
    try:
        job = schedule_job(request.pop("task"), **request)
    except JobsError as refused:
        event(type(refused).__name__)
        assert refused.message
        assert Job.objects.count() == before
    else:
        event("accepted")
        assert Job.objects.get(pk=job.pk).task == job.task
        assert job.run_at is None or job.run_at - NOW <= rules.MAX_DELAY + timedelta(minutes=5)


@PROPERTY
@given(batch=st.one_of(st.lists(requests().map(without_none), max_size=3), anything, st.lists(anything)))
def test_schedule_jobs_is_all_or_nothing_whatever_it_is_given(batch):
    before = Job.objects.count()
    try:
        jobs = schedule_jobs(batch)
    except JobsError:
        assert Job.objects.count() == before
    else:
        assert Job.objects.count() == before + len(jobs)


cron_fields = st.one_of(st.sampled_from(["*", "0", "*/5", "1-5", "31", "99", "a", ""]), texts, numbers)
periods = st.sampled_from(["seconds", "minutes", "hours", "days"])
plausible_schedules = st.one_of(
    st.builds(
        lambda every, period: {"interval": {"every": every, "period": period}},
        st.one_of(st.integers(1, 1000), st.integers(1), st.sampled_from([3654, 2**31, 2**40, 10**30])),
        periods,
    ),
    st.builds(
        lambda minute: {"crontab": {"minute": minute, "timezone": "Europe/Berlin"}}, st.integers(0, 59)
    ),
    st.one_of(soon, datetimes).map(lambda at: {"clocked": {"clocked_time": at.isoformat()}}),
)
"""Well-formed schedules, some of them too long or too far ahead."""
garbage_schedules = st.one_of(
    st.fixed_dictionaries(
        {"interval": st.fixed_dictionaries(
            {"every": st.one_of(st.integers(min_value=1, max_value=1000), numbers, anything)},
            optional={"period": st.one_of(periods, anything)},
        )}
    ),
    st.fixed_dictionaries(
        {"crontab": st.fixed_dictionaries(
            {},
            optional={
                **{name: cron_fields for name in ("minute", "hour", "day_of_month", "month_of_year")},
                "day_of_week": cron_fields,
                "timezone": st.one_of(st.sampled_from(["UTC", "Europe/Berlin", "Nowhere/Land"]), texts),
            },
        )}
    ),
    st.fixed_dictionaries(
        {"clocked": st.fixed_dictionaries(
            {"clocked_time": st.one_of(datetimes, datetimes.map(lambda at: at.isoformat()), anything)}
        )}
    ),
    st.dictionaries(hashables, anything, max_size=2),
    anything,
)  # fmt: skip
schedules = mostly(plausible_schedules, garbage_schedules)
recurring_options = st.fixed_dictionaries(
    {},
    optional={
        "queue": maybe(st.sampled_from(["", "high", "low"])),
        "priority": maybe(st.sampled_from(["", "high"])),
        "enabled": maybe(st.booleans()),
        "start_at": maybe(st.one_of(soon, datetimes)),
        "end_at": maybe(st.one_of(soon, datetimes)),
        "max_concurrent_runs": maybe(st.one_of(st.integers(min_value=1, max_value=5), numbers)),
        "misfire_policy": maybe(st.sampled_from(["skip", "run_once"])),
        "description": maybe(texts),
    },
).map(lambda drawn: {name: value for name, value in drawn.items() if value is not None})


def schedule_rows() -> tuple[int, int, int, int]:
    return (
        RecurringJob.objects.count(),
        IntervalSchedule.objects.count(),
        CrontabSchedule.objects.count(),
        ClockedSchedule.objects.count(),
    )


@PROPERTY
@given(
    name=st.one_of(st.uuids().map(str), texts, anything),
    call=mostly(valid_calls, garbage_calls),
    schedule=schedules,
    extra=recurring_options,
)
def test_create_recurring_job_returns_it_or_refuses_and_writes_nothing(name, call, schedule, extra):
    task, args, kwargs = call
    before = schedule_rows()
    try:
        rj = create_recurring_job(name=name, task=task, args=args, kwargs=kwargs, schedule=schedule, **extra)
    except JobsError as refused:
        event(type(refused).__name__)
        assert refused.message
        assert schedule_rows() == before
    else:
        event("accepted")
        assert RecurringJob.objects.get(pk=rj.pk).name == rj.name
