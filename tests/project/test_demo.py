"""The demo project's recurring jobs: the reference scheduler table, created once."""

from datetime import UTC, datetime

import pytest

from jobs.core import schedules
from jobs.models import RecurringJob
from project.demo import create_demo_recurring_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def test_creates_the_reference_table_once():
    created = create_demo_recurring_jobs()
    assert len(created) == 5
    assert create_demo_recurring_jobs() == []
    described = {rj.task: schedules.describe_schedule(rj) for rj in RecurringJob.objects.all()}
    assert described == {
        "subscriptions.detect": "At 06:00, every day, America/Sao_Paulo",
        "budgets.weekly_analysis": "At 08:00, only on Monday, America/Sao_Paulo",
        "currency.update_rates": "Every 15 minutes, UTC",
        "jobs.cleanup": "At 02:00, every day, America/Sao_Paulo",
        "security.scan": "At 03:00, every day, America/Sao_Paulo",
    }
    rates = RecurringJob.objects.get(task="currency.update_rates")
    assert schedules.next_runs(rates, 2, now=datetime(2026, 11, 23, 10, 7, tzinfo=UTC)) == [
        datetime(2026, 11, 23, 10, 15, tzinfo=UTC),
        datetime(2026, 11, 23, 10, 30, tzinfo=UTC),
    ]
    assert all(rj.enabled and rj.next_run_at for rj in RecurringJob.objects.all())
