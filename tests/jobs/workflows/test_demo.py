"""The example project's demo: one event, one workflow, one batch, each created once and run."""

from __future__ import annotations

import pytest

from jobs.models import Batch, Event, Job, Workflow
from project.demo import create_demo_events_and_workflows

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_objects_run_and_are_made_once(burst_worker):
    first = create_demo_events_and_workflows()
    again = create_demo_events_and_workflows()
    assert (
        set(first) == {"event", "workflow", "batch"}
        and set(again) == {"event"}
        and not again["event"].created
    )
    assert (Event.objects.count(), Workflow.objects.count(), Batch.objects.count()) == (1, 1, 1)
    burst_worker()
    assert Job.objects.get(task="transactions.categorise").result["category"] == "groceries"
    workflow = Workflow.objects.get()
    assert workflow.status == "succeeded"
    assert Job.objects.get(task="reports.deliver").result == {
        "sent": ["reports/nightly-2026-12-01.pdf", "reports/nightly-2026-12-01.csv"]
    }
    batch = Batch.objects.get()
    assert Job.objects.get(pk=batch.complete_job_id).result["total"] == 50
