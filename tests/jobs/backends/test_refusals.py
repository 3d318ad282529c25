"""What the backend refuses, with Django's and Jobdesk's exception types and a message to act on."""

from __future__ import annotations

import math
from datetime import datetime

import pytest
from django.core import checks
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.backends import InvalidTaskArguments, InvalidTaskQueue, JobdeskBackend, TaskPayloadTooLarge
from jobs.backends.compat import InvalidTask, InvalidTaskBackend, task_backends
from jobs.backends.options import job_options
from jobs.exceptions import InvalidArguments, PayloadTooLarge, TaskConfigurationError, UnknownQueue
from jobs.models import Job
from tests import backends_tasks as tasks

pytestmark = pytest.mark.django_db


def test_a_queue_jobdesk_does_not_have_is_refused_with_its_message():
    with pytest.raises(
        InvalidTaskQueue, match="Unknown queue 'emails'; the queues are high, normal, low"
    ) as info:
        tasks.add.using(queue_name="emails")
    assert isinstance(info.value, InvalidTask) and isinstance(info.value, UnknownQueue)


def test_a_queue_outside_the_backends_queues_is_refused():
    backend = JobdeskBackend("narrow", {"QUEUES": ["high"]})
    task = tasks.add.using(queue_name="high")
    backend.validate_task(task)
    with pytest.raises(InvalidTaskQueue, match=r"'low' is not in TASKS\['narrow'\]\['QUEUES'\]: high"):
        backend.validate_task(tasks.add.using(queue_name="low"))


def test_an_empty_queues_list_is_every_jobdesk_queue():
    backend = JobdeskBackend("open", {"QUEUES": []})
    for queue in ("default", "high", "normal", "low"):
        backend.validate_task(tasks.add.using(queue_name=queue))
    with pytest.raises(InvalidTaskQueue, match="Unknown queue 'emails'"):
        backend.validate_task(tasks.add.using(queue_name="emails"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((object(),), "must be JSON-serialisable"),
        (({1, 2},), "must be JSON-serialisable"),
        ((math.nan,), "must be JSON-serialisable"),
        (({1: "a"},), "must come back unchanged from JSON"),
        ((datetime(2026, 1, 1),), "must be JSON-serialisable"),
    ],
)
def test_arguments_that_are_not_json_are_refused_and_nothing_is_written(args, message):
    with pytest.raises(InvalidTaskArguments, match=message) as info:
        tasks.add.enqueue(*args, 1)
    assert isinstance(info.value, InvalidTask) and isinstance(info.value, InvalidArguments)
    assert isinstance(info.value, TypeError)  # as Django's own backends refuse them
    assert not Job.objects.exists()


def test_arguments_that_do_not_fit_the_function_are_refused():
    with pytest.raises(InvalidTaskArguments, match=r"Arguments don.t fit tests\.backends_tasks\.add"):
        tasks.add.enqueue(1, 2, 3)
    assert not Job.objects.exists()


@pytest.mark.parametrize("depth", [101, 5_000])
def test_arguments_nested_too_deep_are_refused_on_every_python(depth):
    deep: list = []
    for _ in range(depth - 1):
        deep = [deep]
    with pytest.raises(InvalidTaskArguments, match="nest more than 100 levels deep"):
        tasks.add.enqueue(deep, 1)
    assert not Job.objects.exists()


def test_arguments_nested_to_the_limit_are_fine():
    deep: list = []
    for _ in range(99):
        deep = [deep]  # 100 levels
    assert Job.objects.get(pk=tasks.pair.enqueue(deep, 1).id).args[1] == 1


def test_oversized_arguments_are_refused():
    with pytest.raises(TaskPayloadTooLarge, match="the limit is") as info:
        tasks.add.enqueue("x" * 70_000, "y")
    assert isinstance(info.value, PayloadTooLarge) and isinstance(info.value, InvalidTask)


@settings(max_examples=40, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00")),
        lambda inner: st.lists(inner, max_size=3),
    )
)
def test_json_arguments_arrive_as_they_were_sent(value):
    result = tasks.pair.enqueue(value, value)
    assert Job.objects.get(pk=result.id).args == [value, value] == result.args


def test_djangos_own_refusals_still_apply():
    with pytest.raises(InvalidTask, match="priority must be a whole number between -100 and 100"):
        tasks.add.using(priority=101)
    with pytest.raises(InvalidTask, match="run_after must be an aware datetime"):
        tasks.add.using(run_after=datetime(2030, 1, 1))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"RETRIES": 3}, "Unknown OPTIONS RETRIES for jobs.backends.JobdeskBackend"),
        ({"MAX_ATTEMPTS": 0}, "max_attempts must be a whole number of at least 1, not 0"),
        ({"TIMEOUT": "1m"}, "timeout must be a whole number of seconds above 0, not '1m'"),
        ({"BACKOFF": {"strategy": "sometimes"}}, "Unknown back-off strategy 'sometimes'"),
        ({"BACKOFF": {"delay": 1}}, "use strategy, initial, max_delay, jitter"),
    ],
)
def test_bad_options_are_a_system_check_error_and_refuse_enqueue(options, message):
    tasks_setting = {
        "default": {"BACKEND": "jobs.backends.JobdeskBackend"},
        "bad": {"BACKEND": "jobs.backends.JobdeskBackend", "OPTIONS": options},
    }
    with override_settings(TASKS=tasks_setting):
        backend = task_backends["bad"]
        errors = list(backend.check())
        assert [error.id for error in errors] == ["jobs.E170"]
        assert message in errors[0].msg and isinstance(errors[0], checks.Error)
        with pytest.raises(InvalidTaskBackend, match=message):
            backend.enqueue(tasks.add, (1, 2), {})
    assert not Job.objects.exists()


def test_unknown_queues_in_the_backends_queues_are_a_system_check_error():
    backend = JobdeskBackend("mail", {"QUEUES": ["default", "emails"]})
    [error] = backend.check()
    assert error.msg == "TASKS['mail']['QUEUES']: Unknown queue 'emails'; the queues are high, normal, low."


@override_settings(
    TASKS={
        "default": {"BACKEND": "jobs.backends.JobdeskBackend"},
        "strict": {"BACKEND": "jobs.backends.JobdeskBackend", "OPTIONS": {"MAX_ATTEMPTS": 4}},
    }
)
def test_manage_py_check_reports_through_djangos_checks():
    messages = checks.run_checks()
    assert not [m for m in messages if m.id == "jobs.E170"]


def test_unknown_per_task_options_are_refused_when_the_task_is_declared():
    with pytest.raises(TypeError):
        job_options(retries=3)
    marked = job_options(max_attempts=0)(lambda: None)
    with pytest.raises(TaskConfigurationError, match="max_attempts must be a whole number"):
        JobdeskBackend("x", {}).defaults.updated(marked.jobdesk_options)
