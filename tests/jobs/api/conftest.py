"""REST fixtures: the clients of tests/api, and the objects the new endpoints act on."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from jobs import services
from jobs.models import Alert, AlertRule
from tests.api.conftest import api, make_user, reader  # noqa: F401 - fixtures shared with tests/api


@pytest.fixture
def cancelled_job() -> Any:
    """A job that may be retried, rerun or deleted, and whose state shows whether anything happened."""
    job = services.schedule_job("demo.add", args=[1, 2], delay=600, tags=["t"])
    return services.cancel_job(job.pk)


@pytest.fixture
def alert_rule() -> AlertRule:
    return services.create_alert_rule(name="backlog", kind="backlog", queue="high", threshold=100)


@pytest.fixture
def open_alert(alert_rule) -> Alert:
    """An incident as the housekeeper records one (its evaluation is tested in tests/monitoring)."""
    now = timezone.now()
    return Alert.objects.create(
        rule=alert_rule,
        subject="queue:high",
        message="150 waiting",
        value=150,
        started_at=now,
        last_notified_at=now,
    )
