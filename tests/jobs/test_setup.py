"""``jobs.setup.configure``: the one settings call, and the check that the URLs are mounted."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from jobs import setup


def startproject_settings() -> dict:
    """What ``django-admin startproject`` writes, as far as configure cares."""
    return {
        "INSTALLED_APPS": [
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
        ]
    }


def test_configure_adds_the_apps_before_the_admin_so_jobdesks_templates_win(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    values = startproject_settings()
    setup.configure(values)
    apps = values["INSTALLED_APPS"]
    assert apps[: len(setup.APPS)] == list(setup.APPS)
    assert apps[len(setup.APPS)] == "django.contrib.admin" and len(apps) == len(set(apps))
    assert values["LOGIN_URL"] == "admin:login"
    assert values["REDIS_URL"] == setup.DEFAULT_REDIS_URL
    assert set(values["RQ_QUEUES"]) == {"high", "normal", "low", "default"}
    assert values["RQ"]["WORKER_CLASS"] == "jobs.engine.worker.Worker"


def test_configure_keeps_what_the_host_set(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://elsewhere:6379/3")
    jobs = {"QUEUES": ["a"], "DEFAULT_QUEUE": "a"}
    values = {**startproject_settings(), "LOGIN_URL": "/login/", "JOBS": jobs}
    values["INSTALLED_APPS"] = ["jobs", *values["INSTALLED_APPS"]]
    setup.configure(values)
    assert values["LOGIN_URL"] == "/login/" and values["INSTALLED_APPS"].count("jobs") == 1
    assert values["RQ_QUEUES"]["a"]["URL"] == "redis://elsewhere:6379/3"
    assert set(values["RQ_QUEUES"]) == {"a", "default"}


def test_configure_is_idempotent():
    values = startproject_settings()
    setup.configure(values)
    again = dict(values, INSTALLED_APPS=list(values["INSTALLED_APPS"]))
    setup.configure(again)
    assert again["INSTALLED_APPS"] == values["INSTALLED_APPS"]


def _url_errors() -> list[str]:
    return [message.msg for message in run_checks(tags=["urls"]) if message.id == "jobs.E018"]


def test_the_example_projects_urls_pass_the_check():
    assert _url_errors() == []


@pytest.mark.parametrize(
    ("urlconf", "text"),
    [
        ("tests.jobs.urls_admin_first", "answered by another pattern"),
        ("tests.jobs.urls_without_jobs", "are not mounted"),
    ],
)
def test_the_check_names_urls_that_hide_or_miss_django_rqs_pages(urlconf, text):
    with override_settings(ROOT_URLCONF=urlconf):
        errors = _url_errors()
    assert len(errors) == 1 and text in errors[0]
