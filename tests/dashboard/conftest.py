"""Users with the permission sets the dashboard distinguishes, and logged-in clients."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import user_with

VIEW_PERMS = ("view_job", "view_queuestats", "view_recurringjob")
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def viewer(db) -> Client:
    """Sees every page, may do nothing."""
    client = Client()
    client.force_login(user_with(*VIEW_PERMS, username="viewer"))
    return client


@pytest.fixture
def operator(db) -> Client:
    """Sees and acts: retry, cancel, schedule, pause queues and recurring jobs."""
    client = Client()
    actions = (
        "retry_job",
        "cancel_job",
        "schedule_job",
        "pause_queue",
        "trigger_recurring_job",
        "pause_recurring_job",
    )
    client.force_login(user_with(*VIEW_PERMS, *actions, username="operator"))
    return client


@pytest.fixture
def deleter(db) -> Client:
    """Sees every page and may delete jobs and recurring jobs, nothing else."""
    client = Client()
    client.force_login(user_with(*VIEW_PERMS, "delete_job", "delete_recurringjob", username="deleter"))
    return client


@pytest.fixture(autouse=True)
def dashboard_urls(settings) -> None:
    settings.ROOT_URLCONF = "tests.dashboard.urls"
