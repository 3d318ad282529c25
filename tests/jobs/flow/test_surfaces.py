"""Flow control on REST, GraphQL and the job's own line: reads, forcing a breaker, refusals."""

import pytest

from jobs.engine import execution
from jobs.models import FlowChange
from jobs.services import flow, schedule_job
from tests.factories import token_client, user_with
from tests.jobs.graphql.client import gql

pytestmark = pytest.mark.django_db(transaction=True)

FORCE = """mutation($name: String!, $open: Boolean!) {
  forceBreaker(name: $name, open: $open) { breaker { name state forced } errors { code message } }
}"""
FLOW = "{ flow { tasks { task concurrency scopes { scope inUse waiting budget } } breakers { name state } } }"


def test_rest_lists_limits_with_their_usage_and_the_breakers(api):
    for n in range(4):
        execution.claim(str(schedule_job("tests.flow.limited", args=[n]).pk), "w")
    body = api.get("/api/flow/").json()
    limited = next(row for row in body["tasks"] if row["task"] == "tests.flow.limited")
    assert limited["concurrency"] == 3
    assert limited["scopes"][0]["in_use"] == 3 and limited["scopes"][0]["waiting"] == 1
    assert "tests-bank" in [row["name"] for row in body["breakers"]]


def test_a_rate_limits_budget_and_wait_are_visible():
    for n in range(4):
        execution.claim(str(schedule_job("tests.flow.hourly", args=[n]).pk), "w")
    scope = flow.task_flow("tests.flow.hourly")["scopes"][0]
    assert scope["budget"] == 0 and 3500 < scope["window_opens_in"] <= 3600
    assert scope["rate_limited_total"] == 1 and scope["waiting"] == 1


def test_rest_forcing_a_breaker_needs_its_own_permission_and_is_audited(api):
    viewer = token_client(user_with("view_flow", username="viewer"))
    assert viewer.post("/api/flow/breakers/tests-bank/open/").status_code == 403
    assert viewer.get("/api/flow/breakers/tests-bank/").json()["state"] == "closed"
    opened = api.post("/api/flow/breakers/tests-bank/open/")
    assert opened.status_code == 200 and opened.json()["state"] == "open" and opened.json()["forced"]
    held = schedule_job("tests.flow.bank")
    assert execution.claim(str(held.pk), "w") is None
    assert flow.job_wait(held.__class__.objects.get(pk=held.pk)) == "waiting: tests-bank breaker forced open"
    assert api.post("/api/flow/breakers/tests-bank/close/").json()["state"] == "closed"
    changes = list(FlowChange.objects.values_list("target", "change", "user__username", "interface"))
    assert changes == [
        ("breaker:tests-bank", "forced closed", "admin-api", "rest"),
        ("breaker:tests-bank", "forced open", "admin-api", "rest"),
    ]
    assert api.post("/api/flow/breakers/nope/open/").status_code == 404
    assert FlowChange.objects.count() == 2


def test_graphql_reads_flow_and_forces_a_breaker(api):
    data = gql(api, FLOW).json()["data"]["flow"]
    assert "tests.flow.limited" in [row["task"] for row in data["tasks"]]
    forced = gql(api, FORCE, {"name": "tests-bank", "open": True}).json()["data"]["forceBreaker"]
    assert forced["breaker"]["state"] == "open" and forced["errors"] == []
    unknown = gql(api, FORCE, {"name": "nope", "open": False}).json()["data"]["forceBreaker"]
    assert unknown["breaker"] is None and unknown["errors"][0]["code"] == "unknown_breaker"
    viewer = token_client(user_with("view_flow", username="viewer"))
    refused = gql(viewer, FORCE, {"name": "tests-bank", "open": False}).json()["data"]["forceBreaker"]
    assert refused["errors"][0]["code"] == "permission_denied"
