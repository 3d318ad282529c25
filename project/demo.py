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


DEMO_TRANSACTION = {"transaction_id": 1001, "amount": 42.9, "description": "Farmers market, Saturday"}
NIGHTLY_REPORT = "Nightly report"
WELCOME_BATCH = "Welcome notifications"


def create_demo_events_and_workflows() -> dict[str, Any]:
    """One of each: a ``transaction.created`` event (its code trigger categorises it),
    the nightly report chain and a notification batch. Idempotent: the event has a
    fixed id, and a workflow or batch of that name is left as it is."""
    from jobs.core.workflows import chain, group, step
    from jobs.models import Batch, Workflow
    from jobs.services.batches import schedule_batch
    from jobs.services.events import publish_event
    from jobs.services.workflows import schedule_workflow

    made: dict[str, Any] = {
        "event": publish_event(
            "transaction.created", DEMO_TRANSACTION, event_id="demo-transaction-1001", via="cli"
        )
    }
    if not Workflow.objects.filter(name=NIGHTLY_REPORT).exists():
        made["workflow"] = schedule_workflow(
            chain(
                step("reports.collect", "2026-12-01"),
                group(step("reports.render", fmt="pdf"), step("reports.render", fmt="csv")),
                step("reports.deliver"),
                pass_results=True,
            ),
            name=NIGHTLY_REPORT,
            via="cli",
        )
    if not Batch.objects.filter(name=WELCOME_BATCH).exists():
        made["batch"] = schedule_batch(
            [
                {"task": "notifications.send", "args": [user, "email", "Welcome to Jobdesk"]}
                for user in range(1, 51)
            ],
            name=WELCOME_BATCH,
            on_complete="notifications.batch_done",
            via="cli",
        )
    return made
