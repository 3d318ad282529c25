"""Admin: events read-only with their jobs; trigger rows validated like the services; workflow
and batch actions through the services, each behind its permission."""

from __future__ import annotations

import pytest
from django.test import Client

from jobs.core.workflows import chain, step
from jobs.models import EventTrigger
from jobs.services.events import publish_event
from jobs.services.workflows import schedule_workflow
from tests.factories import staff, superuser

pytestmark = pytest.mark.django_db
ADD = "/admin/jobs/eventtrigger/add/"


@pytest.fixture
def root(client: Client) -> Client:
    client.force_login(superuser())
    return client


def test_a_trigger_form_refuses_unknown_events_and_mappings_that_dont_bind(root):
    base = {
        "event_name": "tests.order.placed",
        "task": "tests.events.ship",
        "filter": "{}",
        "queue": "",
        "enabled": "on",
    }
    page = root.post(ADD, {**base, "event_name": "tests.nope", "mapping": "{}"}).content.decode()
    assert "Unknown event" in page
    page = root.post(ADD, {**base, "mapping": '{"zip": "id"}'}).content.decode()
    assert "doesn&#x27;t bind" in page
    assert not EventTrigger.objects.exists()
    assert root.post(ADD, {**base, "mapping": '{"order": "id"}'}).status_code == 302
    assert EventTrigger.objects.get().mapping == {"order": "id"}


def test_an_event_page_shows_payload_and_jobs(root):
    event = publish_event("tests.transaction.created", {"transaction_id": 5, "amount": 1})
    page = root.get(f"/admin/jobs/event/{event.pk}/change/").content.decode()
    assert "transaction_id" in page and "tests.events.categorise" in page


def test_workflow_actions_need_their_permission(client):
    workflow = schedule_workflow(chain(step("tests.add", 1, 2), step("tests.noop")))
    staff(client, "view_workflow")
    page = client.get("/admin/jobs/workflow/").content.decode()
    assert "Cancel the selected workflows" not in page
    client.post("/admin/jobs/workflow/", {"action": "cancel", "_selected_action": [str(workflow.pk)]})
    workflow.refresh_from_db()
    assert workflow.status == "running"
    operator = Client()
    staff(operator, "view_workflow", "cancel_workflow", username="op")
    operator.post("/admin/jobs/workflow/", {"action": "cancel", "_selected_action": [str(workflow.pk)]})
    workflow.refresh_from_db()
    assert workflow.status == "cancelled"
