"""Flow control in the REST and GraphQL shapes: a held job's wait reason, overrides."""

import pytest

from jobs.engine import execution
from jobs.models import FlowChange, FlowOverride, Job
from jobs.services import flow, schedule_job
from tests.jobs.graphql.client import gql

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "waiting: concurrency limit 3 of task:tests.flow.limited"


def held_job(redis) -> Job:
    """Three running limited jobs and a fourth the limit holds."""
    for n in range(3):
        assert execution.claim(str(schedule_job("tests.flow.limited", args=[n]).pk), "w") is not None
    job = schedule_job("tests.flow.limited", args=[3])
    assert execution.claim(str(job.pk), "w") is None
    return job


def test_rest_a_held_job_says_why_it_waits_alone_and_in_a_list(api, redis):
    job = held_job(redis)
    assert api.get(f"/api/jobs/{job.pk}/").json()["wait_reason"] == REASON
    rows = {row["id"]: row["wait_reason"] for row in api.get("/api/jobs/").json()["results"]}
    assert rows.pop(str(job.pk)) == REASON
    assert set(rows.values()) == {None}, "running jobs don't wait"


def test_rest_the_wait_reason_is_in_the_openapi_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    field = schema["components"]["schemas"]["Job"]["properties"]["wait_reason"]
    assert field["nullable"] is True and "breaker open" in field["description"]


def test_graphql_a_held_job_says_why_it_waits(api, redis):
    job = held_job(redis)
    query = "query($id: ID!) { job(id: $id) { status waitReason } }"
    found = gql(api, query, {"id": str(job.pk)}).json()["data"]["job"]
    assert found == {"status": "scheduled", "waitReason": REASON}
    running = Job.objects.filter(status="started").first()
    assert gql(api, query, {"id": str(running.pk)}).json()["data"]["job"]["waitReason"] is None


OVERRIDES = "/api/flow/overrides/"


def test_rest_overrides_are_created_edited_and_deleted_with_the_audit(api):
    body = {"kind": "task", "name": "tests.flow.limited", "concurrency": 1}
    made = api.post(OVERRIDES, body, format="json")
    assert made.status_code == 201, made.json()
    row = made.json()
    assert (row["concurrency"], row["updated_by"]) == (1, "admin-api")
    edited = api.patch(f"{OVERRIDES}{row['id']}/", {"rate_limit": "5/m"}, format="json")
    assert edited.status_code == 200 and edited.json()["rate_limit"] == "5/m"
    assert FlowOverride.objects.get().describe() == "concurrency 1, 5/m"
    assert [r["id"] for r in api.get(OVERRIDES).json()["results"]] == [row["id"]]
    assert api.delete(f"{OVERRIDES}{row['id']}/").status_code == 204
    assert not FlowOverride.objects.exists()
    changes = FlowChange.objects.order_by("created_at", "pk")
    audit = list(changes.values_list("change", "interface", "user__username"))
    assert audit == [
        ("as in code → concurrency 1", "rest", "admin-api"),
        ("concurrency 1 → concurrency 1, 5/m", "rest", "admin-api"),
        ("concurrency 1, 5/m → as in code", "rest", "admin-api"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "task", "name": "tests.flow.limited", "concurrency": 0}, "concurrency"),
        ({"kind": "task", "name": "tests.flow.limited", "concurrency": -3}, "concurrency"),
        ({"kind": "task", "name": "tests.flow.limited", "rate_limit": "100"}, "rate_limit"),
        ({"kind": "task", "name": "no.such.task", "concurrency": 2}, "name"),
        ({"kind": "queue", "name": "nowhere", "concurrency": 2}, "name"),
        ({"kind": "task", "name": "tests.flow.limited", "concurrency_key": "account"}, "concurrency_key"),
        ({"kind": "queue", "name": "low", "concurrency": 2, "concurrency_key": "n"}, "concurrency_key"),
        ({"kind": "tenant", "name": "low"}, "kind"),
        ({"kind": "task", "name": "tests.flow.limited", "concurrency": "many"}, "concurrency"),
    ],
)
def test_rest_bad_overrides_are_a_400_on_their_field_and_change_nothing(api, body, field):
    answer = api.post(OVERRIDES, body, format="json")
    assert answer.status_code == 400, answer.json()
    assert field in str(answer.json()), answer.json()
    assert not FlowOverride.objects.exists() and not FlowChange.objects.exists()


def test_rest_a_bad_edit_is_a_400_and_changes_nothing_and_overrides_need_their_permission(api, reader):
    row = flow.save_override("task", "tests.flow.tenant", concurrency=2, concurrency_key="account")
    assert api.patch(f"{OVERRIDES}{row.pk}/", {"concurrency_key": "nope"}, format="json").status_code == 400
    assert api.patch(f"{OVERRIDES}999/", {"concurrency": 2}, format="json").status_code == 404
    assert FlowOverride.objects.get().concurrency_key == "account"
    body = {"kind": "queue", "name": "low", "concurrency": 1}
    assert reader.post(OVERRIDES, body, format="json").status_code == 403
    assert reader.delete(f"{OVERRIDES}{row.pk}/").status_code == 403
    assert FlowOverride.objects.count() == 1 and FlowChange.objects.count() == 1


def test_an_overridden_key_takes_effect_at_the_next_claim(redis):
    flow.save_override("task", "tests.flow.tenant", concurrency=1, concurrency_key="n")
    first = execution.claim(str(schedule_job("tests.flow.tenant", args=["a", 1]).pk), "w")
    same_n = execution.claim(str(schedule_job("tests.flow.tenant", args=["b", 1]).pk), "w")
    other_n = execution.claim(str(schedule_job("tests.flow.tenant", args=["a", 2]).pk), "w")
    assert first is not None and same_n is None and other_n is not None
    assert flow.task_flow("tests.flow.tenant")["concurrency_key"] == ["n"]


SAVE = """mutation($input: FlowOverrideInput!) {
  saveFlowOverride(input: $input) { override { id kind name concurrency rateLimit concurrencyKey updatedBy }
    errors { code field message } }
}"""
UPDATE = """mutation($id: ID!, $input: FlowOverrideInput!) {
  updateFlowOverride(id: $id, input: $input) { override { concurrency rateLimit } errors { code field } }
}"""
DELETE = "mutation($id: ID!) { deleteFlowOverride(id: $id) { ok errors { code field } } }"


def test_graphql_overrides_are_saved_updated_deleted_and_listed(api):
    saved = gql(api, SAVE, {"input": {"kind": "queue", "name": "low", "rateLimit": "10/s"}}).json()["data"]
    override = saved["saveFlowOverride"]["override"]
    assert saved["saveFlowOverride"]["errors"] == []
    assert override["rateLimit"] == "10/s" and override["concurrency"] is None
    assert override["updatedBy"] == "admin-api"
    updated = gql(api, UPDATE, {"id": override["id"], "input": {"concurrency": 4}}).json()["data"]
    assert updated["updateFlowOverride"]["override"] == {"concurrency": 4, "rateLimit": "10/s"}
    listed = gql(api, "{ flowOverrides { name concurrency } }").json()["data"]["flowOverrides"]
    assert listed == [{"name": "low", "concurrency": 4}]
    deleted = gql(api, DELETE, {"id": override["id"]}).json()["data"]["deleteFlowOverride"]
    assert deleted == {"ok": True, "errors": []}
    assert not FlowOverride.objects.exists()
    assert FlowChange.objects.filter(interface="graphql").count() == 3


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "task", "name": "tests.flow.limited", "concurrency": 0}, "concurrency"),
        ({"kind": "task", "name": "tests.flow.limited", "rateLimit": "5/0s"}, "rate_limit"),
        ({"kind": "task", "name": "no.such.task", "concurrency": 1}, "name"),
        ({"kind": "task", "name": "tests.flow.limited", "concurrencyKey": "account"}, "concurrency_key"),
    ],
)
def test_graphql_bad_overrides_are_field_errors_and_change_nothing(api, values, field):
    answer = gql(api, SAVE, {"input": values}).json()["data"]["saveFlowOverride"]
    assert answer["override"] is None and field in [error["field"] for error in answer["errors"]]
    assert not FlowOverride.objects.exists() and not FlowChange.objects.exists()
