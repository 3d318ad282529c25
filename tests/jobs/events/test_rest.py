"""REST: events, triggers, workflows and batches, with permissions and clear refusals."""

from __future__ import annotations

import pytest

from jobs.models import Batch, Event, EventTrigger, Job, Workflow
from tests.factories import token_client
from tests.jobs.api.assertions import assert_error

pytestmark = pytest.mark.django_db
TX = {"transaction_id": 7, "amount": 3.5}


def test_publish_answers_201_then_200_for_the_same_id(api):
    first = api.post(
        "/api/events/", {"name": "tests.transaction.created", "payload": TX, "event_id": "r-1"}, format="json"
    )
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["event_id"] == "r-1" and body["jobs"][0]["trigger"] == "task:tests.events.categorise"
    again = api.post(
        "/api/events/", {"name": "tests.transaction.created", "payload": TX, "event_id": "r-1"}, format="json"
    )
    assert again.status_code == 200 and Job.objects.count() == 1
    listed = api.get("/api/events/").json()["results"]
    assert [e["event_id"] for e in listed] == ["r-1"]
    assert api.get("/api/events/r-1/").json()["payload"] == TX


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "tests.nobody", "payload": {}}, "unknown_event"),
        ({"name": "Bad Name", "payload": {}}, "invalid_event"),
        ({"name": "tests.transaction.created", "payload": [1]}, "invalid_event"),
        ({"name": "tests.transaction.created", "payload": {**TX, "pad": "x" * 70_000}}, "payload_too_large"),
        ({"name": "tests.transaction.created", "payload": {"amount": 1}}, "invalid_arguments"),
    ],
)
def test_bad_publishes_are_400_and_change_nothing(api, body, code):
    assert_error(api.post("/api/events/", body, format="json"), 400, code)
    assert not Event.objects.exists() and not Job.objects.exists()


def test_each_action_needs_its_permission(make_user):
    reader = token_client(make_user("view_event", "view_workflow", "view_batch", username="reader"))
    assert reader.get("/api/events/").status_code == 200
    assert_error(
        reader.post("/api/events/", {"name": "tests.transaction.created", "payload": TX}, format="json"), 403
    )
    assert_error(reader.post("/api/workflows/", {"definition": {"task": "tests.noop"}}, format="json"), 403)
    assert_error(reader.post("/api/batches/", {"jobs": [{"task": "tests.noop"}]}, format="json"), 403)
    assert_error(reader.get("/api/event-triggers/"), 403)
    assert not Event.objects.exists() and not Workflow.objects.exists() and not Batch.objects.exists()


def test_triggers_are_checked_against_events_and_signatures(api):
    good = {"event_name": "tests.order.placed", "task": "tests.events.ship", "mapping": {"order": "id"}}
    created = api.post("/api/event-triggers/", good, format="json")
    assert created.status_code == 201, created.content
    trigger_id = created.json()["id"]
    assert_error(
        api.post("/api/event-triggers/", {**good, "event_name": "tests.nope"}, format="json"),
        400,
        "unknown_event",
    )
    assert_error(
        api.post("/api/event-triggers/", {**good, "mapping": {"parcel": "id"}}, format="json"),
        400,
        "invalid_arguments",
    )
    assert_error(
        api.post("/api/event-triggers/", {**good, "task": "nope"}, format="json"), 400, "unknown_task"
    )
    assert_error(api.patch(f"/api/event-triggers/{trigger_id}/", {"mapping": {"x": "y"}}, format="json"), 400)
    assert EventTrigger.objects.get().mapping == {"order": "id"}
    assert api.delete(f"/api/event-triggers/{trigger_id}/").status_code == 204


def test_workflows_schedule_and_refuse_cycles_and_unknown_callbacks(api):
    chord = {
        "chord": {
            "header": [{"task": "tests.add", "args": [1, 2]}],
            "callback": {"task": "tests.wf.collect"},
            "pass_results": True,
        }
    }
    created = api.post(
        "/api/workflows/", {"definition": chord, "name": "r", "policy": "continue"}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert [n["state"] for n in body["nodes"]] == ["queued", "pending"] and body["policy"] == "continue"
    cycle = {
        "graph": {"a": {"task": "tests.noop", "after": ["b"]}, "b": {"task": "tests.noop", "after": ["a"]}}
    }
    assert_error(api.post("/api/workflows/", {"definition": cycle}, format="json"), 400, "invalid_workflow")
    unknown = {"chord": {"header": [{"task": "tests.noop"}], "callback": {"task": "nope.cb"}}}
    assert_error(api.post("/api/workflows/", {"definition": unknown}, format="json"), 400, "unknown_task")
    assert Workflow.objects.count() == 1
    workflow_id = body["id"]
    assert_error(api.post(f"/api/workflows/{workflow_id}/retry/"), 409)
    assert_error(api.post(f"/api/workflows/{workflow_id}/retry-node/", {"node": 9}, format="json"), 400)
    assert (
        api.post(f"/api/workflows/{workflow_id}/cancel-node/", {"node": 1}, format="json").status_code == 200
    )
    cancelled = api.post(f"/api/workflows/{workflow_id}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert_error(api.get("/api/workflows/not-a-uuid/"), 404)


def test_batches_show_progress_and_refuse_bad_callbacks(api):
    created = api.post(
        "/api/batches/",
        {"jobs": [{"task": "tests.noop"}] * 3, "name": "b", "on_complete": "tests.wf.collect"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert (created.json()["total"], created.json()["waiting"]) == (3, 3)
    batch_id = created.json()["id"]
    assert_error(
        api.post("/api/batches/", {"jobs": [{"task": "tests.noop"}], "on_success": "nope"}, format="json"),
        400,
        "unknown_task",
    )
    assert api.post(f"/api/batches/{batch_id}/cancel/").json()["failed"] == 3
    assert_error(api.post(f"/api/batches/{batch_id}/cancel/"), 409)
    assert api.post(f"/api/batches/{batch_id}/retry/").json()["waiting"] == 3
    assert Batch.objects.count() == 1
