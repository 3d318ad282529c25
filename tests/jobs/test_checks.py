"""Settings mistakes are system checks: ``manage.py check`` names each one with its id."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from jobs.checks import check_jobs_settings

BASE = {"QUEUES": ["high", "normal", "low"]}


def ids(**jobs_settings) -> set[str]:
    with override_settings(JOBS={**BASE, **jobs_settings}):
        return {message.id for message in check_jobs_settings()}


def test_the_example_settings_pass():
    assert check_jobs_settings() == []


@pytest.mark.parametrize(
    ("jobs_settings", "expected"),
    [
        ({"NO_SUCH_SETTING": 1}, "jobs.E001"),
        ({"DEFAULT_QUEUE": "nowhere"}, "jobs.E001"),
        ({"HOUSEKEEPING_INTERVAL": 0}, "jobs.E002"),
        ({"WORKER_LOST_AFTER": "soon"}, "jobs.E002"),
        ({"QUEUES": ["high", "normal", "low", "reports"]}, "jobs.E003"),
        ({"PRIORITY_QUEUES": {"urgent": "nowhere"}}, "jobs.E004"),
        ({"PRIORITY_QUEUES": {"whenever": "normal"}}, "jobs.E004"),
        ({"TASK_MODULES": ["no.such.module"]}, "jobs.E005"),
        ({"METRICS_ALLOWED_IPS": ["10.0.0.0/33"]}, "jobs.E006"),
        ({"LOG_FORMAT": "xml"}, "jobs.E007"),
    ],
)
def test_each_mistake_has_its_own_check(jobs_settings, expected):
    assert expected in ids(**jobs_settings)


def test_a_worker_class_that_is_not_jobdesks_is_a_warning():
    with override_settings(RQ={"WORKER_CLASS": "rq.worker.SimpleWorker"}):
        assert [message.id for message in check_jobs_settings()] == ["jobs.W001"]


def test_manage_py_check_refuses_to_pass_with_an_error():
    with (
        override_settings(JOBS={**BASE, "LOG_FORMAT": "xml"}),
        pytest.raises(SystemCheckError, match=r"jobs\.E007"),
    ):
        call_command("check")
