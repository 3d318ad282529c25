"""Dashboard pages: events with payload and jobs, the workflow graph with live states and
per-node buttons, the batch page, and "why did this job run?" on the job page."""

from __future__ import annotations

import pytest
from django.test import Client

from jobs.core.workflows import chain, group, step
from jobs.models import Job
from jobs.services.batches import schedule_batch
from jobs.services.events import publish_event
from jobs.services.workflows import schedule_workflow, workflow_nodes
from tests.factories import staff

pytestmark = pytest.mark.django_db(transaction=True)
VIEW = ("view_job", "view_event", "view_workflow", "view_batch")


@pytest.fixture
def viewer(client: Client) -> Client:
    staff(client, *VIEW)
    return client


def test_events_list_shows_the_payload_escaped_and_the_jobs(viewer):
    event = publish_event(
        "tests.transaction.created", {"transaction_id": 1, "amount": 2, "description": "<b>x</b>"}
    )
    page = viewer.get("/dashboard/events/").content.decode()
    assert event.event_id in page and "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    job_id = event.deliveries.get().job_id
    assert f"/dashboard/jobs/{job_id}/" in page
    job_page = viewer.get(f"/dashboard/jobs/{job_id}/").content.decode()
    assert "Why did this job run?" in job_page and "tests.transaction.created" in job_page


def test_workflow_page_draws_the_graph_with_states_and_the_feed_updates(viewer, burst_worker):
    workflow = schedule_workflow(
        chain(
            step("tests.add", 1, 2),
            group(step("tests.wf.double"), step("tests.wf.double")),
            pass_results=True,
        )
    )
    page = viewer.get(f"/dashboard/workflows/{workflow.pk}/").content.decode()
    assert page.count("data-node-box") == 3 and page.count("<line ") == 2
    assert "queued" in page and "pending" in page
    assert "Retry</button>" not in page and "Cancel workflow" not in page  # a viewer sees no buttons
    burst_worker()
    feed = viewer.get(f"/dashboard/workflows/{workflow.pk}/feed/").json()
    assert feed == {"status": "succeeded", "nodes": {"0": "succeeded", "1": "succeeded", "2": "succeeded"}}
    node_job = workflow_nodes(workflow)[1].job_id
    assert "Node #1 of workflow" in viewer.get(f"/dashboard/jobs/{node_job}/").content.decode()


def test_node_buttons_need_the_permission_and_act_through_the_services(client, viewer):
    workflow = schedule_workflow(chain(step("tests.add", 1, 2), step("tests.wf.mark", "x")))
    forged = viewer.post(f"/dashboard/workflows/{workflow.pk}/nodes/1/cancel/")
    assert forged.status_code == 403 and workflow_nodes(workflow)[1].outcome == ""
    operator = Client()
    staff(operator, *VIEW, "cancel_workflow", "retry_workflow", username="op")
    page = operator.get(f"/dashboard/workflows/{workflow.pk}/").content.decode()
    assert "Cancel workflow" in page and page.count('data-action="cancel"') == 3
    operator.post(f"/dashboard/workflows/{workflow.pk}/nodes/1/cancel/")
    assert [n.outcome for n in workflow_nodes(workflow)] == ["", "failed"]
    operator.post(f"/dashboard/workflows/{workflow.pk}/cancel/")
    assert Job.objects.get(pk=workflow_nodes(workflow)[0].job_id).status == "cancelled"
    assert operator.get("/dashboard/workflows/nope/").status_code == 404


def test_batch_page_shows_progress_and_retry_failed(viewer, burst_worker):
    batch = schedule_batch(
        [{"task": "tests.fail", "args": ["no"]}, {"task": "tests.add", "args": [1, 1]}], name="mixed"
    )
    burst_worker()
    page = viewer.get(f"/dashboard/batches/{batch.pk}/").content.decode()
    assert "2 of 2 done: 1 succeeded, 1 failed" in page and "tests.fail" in page
    assert "Retry failed jobs" not in page
    assert viewer.post(f"/dashboard/batches/{batch.pk}/retry/").status_code == 403
    assert "mixed" in viewer.get("/dashboard/batches/").content.decode()
