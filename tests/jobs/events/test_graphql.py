"""GraphQL: publishEvent, triggers, workflows and batches, with permissions and refusals as data."""

from __future__ import annotations

import pytest

from jobs.models import Event, Job, Workflow
from jobs.services import actions
from tests.factories import token_client, user_with
from tests.jobs.graphql.client import data, gql

pytestmark = pytest.mark.django_db
PUBLISH = """mutation($name: String!, $payload: JSON, $id: String) {
  publishEvent(name: $name, payload: $payload, eventId: $id) {
    created event { eventId name payload jobs { trigger job status } } errors { code message field } } }"""
SCHEDULE = """mutation($d: JSON!, $policy: String) {
  scheduleWorkflow(definition: $d, policy: $policy) {
    workflow { id status nodes { key task state predecessors } } errors { code message field } } }"""


@pytest.fixture
def admin():
    return token_client(user_with(*actions.ACTIONS, username="gql-admin", is_staff=False))


def test_publish_once_per_id(admin):
    variables = {
        "name": "tests.transaction.created",
        "payload": {"transaction_id": 1, "amount": 2},
        "id": "g-1",
    }
    first = data(admin, PUBLISH, variables)["publishEvent"]
    assert first["created"] and first["errors"] == []
    assert first["event"]["jobs"][0]["trigger"] == "task:tests.events.categorise"
    again = data(admin, PUBLISH, variables)["publishEvent"]
    assert again["created"] is False and Job.objects.count() == 1
    listed = data(admin, '{ events { eventId } event(id: "g-1") { name } }')
    assert listed == {"events": [{"eventId": "g-1"}], "event": {"name": "tests.transaction.created"}}


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"name": "tests.nobody", "payload": {}}, "unknown_event"),
        ({"name": "tests.transaction.created", "payload": {"pad": "x" * 70_000}}, "payload_too_large"),
        ({"name": "tests.transaction.created", "payload": {"amount": 1}}, "invalid_arguments"),
    ],
)
def test_bad_publishes_are_refused_as_data(admin, variables, code):
    result = data(admin, PUBLISH, variables)["publishEvent"]
    assert result["event"] is None and result["errors"][0]["code"] == code
    assert not Event.objects.exists()


def test_without_the_permission_nothing_is_published():
    reader = token_client(user_with("view_event", username="gql-reader", is_staff=False))
    result = data(
        reader, PUBLISH, {"name": "tests.transaction.created", "payload": {"transaction_id": 1, "amount": 2}}
    )
    assert result["publishEvent"]["errors"][0]["code"] == "permission_denied"
    assert (
        gql(reader, "{ workflows { id } }").json()["errors"][0]["extensions"]["code"] == "permission_denied"
    )
    assert not Event.objects.exists()


def test_triggers_refuse_unknown_events_and_mappings_that_dont_bind(admin):
    create = """mutation($i: EventTriggerInput!) { createEventTrigger(input: $i) {
      eventTrigger { id mapping } errors { code field } } }"""
    ok = data(
        admin,
        create,
        {"i": {"eventName": "tests.order.placed", "task": "tests.events.ship", "mapping": {"order": "id"}}},
    )
    assert ok["createEventTrigger"]["eventTrigger"]["mapping"] == {"order": "id"}
    bad_event = data(admin, create, {"i": {"eventName": "tests.nope", "task": "tests.events.ship"}})
    assert bad_event["createEventTrigger"]["errors"][0]["code"] == "unknown_event"
    bad_mapping = data(
        admin,
        create,
        {"i": {"eventName": "tests.order.placed", "task": "tests.events.ship", "mapping": {"zip": "id"}}},
    )
    assert bad_mapping["createEventTrigger"]["errors"][0]["code"] == "invalid_arguments"


def test_workflows_schedule_cancel_and_refuse_cycles(admin):
    chain = {
        "chain": [{"task": "tests.add", "args": [1, 2]}, {"task": "tests.wf.double"}],
        "pass_results": True,
    }
    made = data(admin, SCHEDULE, {"d": chain})["scheduleWorkflow"]
    assert [n["state"] for n in made["workflow"]["nodes"]] == ["queued", "pending"]
    assert made["workflow"]["nodes"][1]["predecessors"] == [0]
    cycle = {"graph": {"a": {"task": "tests.noop", "after": ["a"]}}}
    refused = data(admin, SCHEDULE, {"d": cycle})["scheduleWorkflow"]
    assert refused["workflow"] is None and refused["errors"][0]["code"] == "invalid_workflow"
    unknown = data(
        admin, SCHEDULE, {"d": {"chord": {"header": [{"task": "tests.noop"}], "callback": "nope.cb"}}}
    )
    assert unknown["scheduleWorkflow"]["errors"][0]["code"] == "unknown_task"
    assert (
        data(admin, SCHEDULE, {"d": chain, "policy": "whatever"})["scheduleWorkflow"]["errors"][0]["code"]
        == "invalid_workflow"
    )
    cancel = data(
        admin,
        "mutation($id: ID!) { cancelWorkflow(id: $id) { workflow { status } errors { code } } }",
        {"id": made["workflow"]["id"]},
    )
    assert cancel["cancelWorkflow"]["workflow"]["status"] == "cancelled"
    assert Workflow.objects.count() == 1


def test_batches_schedule_and_show_progress(admin):
    made = data(
        admin,
        """mutation { scheduleBatch(jobs: [{task: "tests.noop"}, {task: "tests.noop"}], name: "g",
      onComplete: "tests.wf.collect") { batch { id total waiting done } errors { code } } }""",
    )["scheduleBatch"]
    assert (made["batch"]["total"], made["batch"]["waiting"], made["errors"]) == (2, 2, [])
    shown = data(admin, "query($id: ID!) { batch(id: $id) { name failed } }", {"id": made["batch"]["id"]})
    assert shown["batch"] == {"name": "g", "failed": 0}
    empty = data(admin, "mutation { scheduleBatch(jobs: []) { batch { id } errors { code } } }")
    assert empty["scheduleBatch"]["errors"][0]["code"] == "invalid"
