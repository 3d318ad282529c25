"""REST fixtures: the objects the endpoints act on (the clients are in tests/jobs/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from jobs import services
from jobs.models import Alert, AlertRule


@pytest.fixture
def cancelled_job() -> Any:
    """A job that may be retried, rerun or deleted, and whose state shows whether anything happened."""
    job = services.schedule_job("tests.add", args=[1, 2], delay=600, tags=["t"])
    return services.cancel_job(job.pk)


@pytest.fixture
def alert_rule() -> AlertRule:
    return services.create_alert_rule(name="backlog", kind="backlog", queue="high", threshold=100)


@pytest.fixture
def open_alert(alert_rule) -> Alert:
    """An incident as the housekeeper records one (its evaluation is tested in tests/jobs/monitoring)."""
    now = timezone.now()
    return Alert.objects.create(
        rule=alert_rule,
        subject="queue:high",
        message="150 waiting",
        value=150,
        started_at=now,
        last_notified_at=now,
    )
