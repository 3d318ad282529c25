"""Demo data for the example project: the reference system's recurring jobs.

Called by the demo setup command (not a migration, so a real deployment never gets
them). Idempotent: a recurring job that already exists by name is left as it is.
"""

from __future__ import annotations

from typing import Any

from jobs.models import RecurringJob
from jobs.services import create_recurring_job


def _cron(minute: str, hour: str, day_of_week: str = "*", timezone: str = "America/Sao_Paulo") -> dict:
    return {
        "crontab": {
            "minute": minute,
            "hour": hour,
            "day_of_week": day_of_week,
            "day_of_month": "*",
            "month_of_year": "*",
            "timezone": timezone,
        }
    }


DEMO_RECURRING_JOBS: tuple[dict[str, Any], ...] = (
    {
        "name": "Daily Subscription Detection",
        "task": "subscriptions.detect",
        "kwargs": {"days": 7},
        "schedule": _cron("0", "6"),
        "description": "Looks for recurring payments in last week's transactions.",
    },
    {
        "name": "Weekly Budget Analysis",
        "task": "budgets.weekly_analysis",
        "schedule": _cron("0", "8", day_of_week="1"),
        "max_concurrent_runs": 5,
        "description": "Compares each budget with last week's spending, Mondays.",
    },
    {
        "name": "Currency Exchange Rate Update",
        "task": "currency.update_rates",
        "schedule": _cron("*/15", "*", timezone="UTC"),
        "misfire_policy": "skip",
        "description": "Refreshes exchange rates; a missed refresh is not worth catching up.",
    },
    {
        "name": "Daily Data Cleanup",
        "task": "jobs.cleanup",
        "schedule": _cron("0", "2"),
        "description": "Deletes finished jobs past their retention (JOBS retention settings).",
    },
    {
        "name": "Nightly Security Scan",
        "task": "security.scan",
        "schedule": _cron("0", "3"),
        "description": "Scans for suspicious logins.",
    },
)


def create_demo_recurring_jobs() -> list[RecurringJob]:
    """Create the demo's recurring jobs that don't exist yet; returns the ones created."""
    existing = set(RecurringJob.objects.values_list("name", flat=True))
    return [
        create_recurring_job(**spec, via="cli")
        for spec in DEMO_RECURRING_JOBS
        if spec["name"] not in existing
    ]
