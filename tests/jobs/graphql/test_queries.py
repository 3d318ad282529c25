"""GraphQL reads: UUID ids, the jobs connection and its filters, no N+1, login and limits."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from jobs import services
from jobs.models import Job
from tests.factories import token_client
from tests.jobs.graphql.client import data, gql

pytestmark = pytest.mark.django_db(transaction=True)

NODE_QUERY = """query($after: String) {
  jobs(first: %d, after: $after) {
    edges { cursor node { id task status recurringJob { id name scheduleDescription }
                          logs { event message user interface } dependsOn } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def schedule(count: int, **options) -> list[Job]:
    return [services.schedule_job("tests.add", args=[i, 1], **options) for i in range(count)]


def test_job_by_uuid_matches_rest_and_admin_ids(api):
    job = schedule(1)[0]
    found = data(api, "query($id: ID!) { job(id: $id) { id task status args } }", {"id": str(job.pk)})
    assert found["job"] == {"id": str(job.pk), "task": "tests.add", "status": "queued", "args": [0, 1]}


@pytest.mark.parametrize("job_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_unknown_or_malformed_job_id_is_a_not_found_error(api, job_id):
    body = gql(api, "query($id: ID!) { job(id: $id) { id } }", {"id": job_id}).json()
    assert body["data"]["job"] is None and body["errors"][0]["extensions"]["code"] == "not_found"


def test_jobs_connection_pages_with_cursors_and_filters(api):
    jobs = schedule(5)
    services.schedule_job("tests.add", args=[1, 2], queue="high")
    first = data(api, NODE_QUERY % 3)["jobs"]
    assert len(first["edges"]) == 3 and first["pageInfo"]["hasNextPage"]
    rest = data(api, NODE_QUERY % 10, {"after": first["pageInfo"]["endCursor"]})["jobs"]
    ids = [edge["node"]["id"] for edge in first["edges"] + rest["edges"]]
    assert len(set(ids)) == 6 and not rest["pageInfo"]["hasNextPage"]
    assert {str(job.pk) for job in jobs} < set(ids)
    high = data(api, '{ jobs(queue: ["high"], first: 10) { edges { node { queue } } } }')["jobs"]["edges"]
    assert [edge["node"]["queue"] for edge in high] == ["high"]


def test_bad_filter_cursor_and_page_size_are_errors_not_500(api):
    for query in (
        '{ jobs(status: ["bogus"], first: 5) { edges { node { id } } } }',
        '{ jobs(first: 5, after: "garbage!") { edges { node { id } } } }',
        "{ jobs(first: 100000) { edges { node { id } } } }",
    ):
        response = gql(api, query)
        assert response.status_code in (200, 400), response.content
        assert response.json()["errors"], query


def test_jobs_with_logs_and_recurring_job_take_a_fixed_number_of_queries(api):
    rj = services.create_recurring_job(
        name="nightly",
        task="tests.add",
        args=[1, 2],
        schedule={"interval": {"every": 5, "period": "minutes"}},
    )
    schedule(3)
    services.trigger_recurring_job(rj.pk, via="code")
    with CaptureQueriesContext(connection) as few:
        data(api, NODE_QUERY % 100)
    schedule(40)
    for _ in range(5):
        services.trigger_recurring_job(rj.pk, via="code")
    with CaptureQueriesContext(connection) as many:
        result = data(api, NODE_QUERY % 100)
    assert len(result["jobs"]["edges"]) == 49
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


def test_queues_tasks_workers_metrics_and_health(api):
    body = data(
        api,
        '{ queues { name paused } queue(name: "high") { name } tasks { name parameters } '
        "workers { name } metrics { queue depth successRate } health { ok checks { name ok } } }",
    )
    assert [q["name"] for q in body["queues"]] == ["high", "normal", "low"]
    assert body["queue"]["name"] == "high" and "tests.add" in {t["name"] for t in body["tasks"]}
    assert body["workers"] == [] and {m["queue"] for m in body["metrics"]} == {"high", "normal", "low"}
    assert {c["name"] for c in body["health"]["checks"]} >= {"database", "redis"}


def test_unknown_queue_and_recurring_job_are_not_found(api):
    body = gql(api, '{ queue(name: "nope") { name } recurringJob(id: "x") { id } }').json()
    assert {e["extensions"]["code"] for e in body["errors"]} == {"unknown_queue", "not_found"}


def test_recurring_jobs_list_and_detail(api):
    rj = services.create_recurring_job(
        name="every-hour", task="tests.add", args=[1, 2], schedule={"crontab": {"minute": "0"}}
    )
    body = data(
        api,
        "query($id: ID!) { recurringJobs { name } recurringJob(id: $id) { name schedule } }",
        {"id": rj.pk},
    )
    assert body["recurringJobs"] == [{"name": "every-hour"}] and "crontab" in body["recurringJob"]["schedule"]


def test_anonymous_is_401_with_www_authenticate():
    response = gql(APIClient(), "{ queues { name } }")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert gql(client, "{ queues { name } }").status_code == 401


def test_session_posts_need_the_csrf_token(make_user):
    user = make_user("view_queuestats")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    assert gql(client, "{ queues { name } }").status_code == 403
    client.get("/graphql/", HTTP_ACCEPT="application/json")
    token = client.cookies["csrftoken"].value
    ok = client.post("/graphql/", {"query": "{ queues { name } }"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200 and ok.json()["data"]["queues"]


def test_reading_needs_the_view_permission(make_user):
    client = token_client(make_user("view_job", username="jobs-only"))
    body = gql(client, "{ queues { name } }").json()
    assert body["errors"][0]["extensions"]["code"] == "permission_denied"


def test_syntax_errors_and_unknown_fields_are_400(api):
    assert gql(api, "{ jobs(first: ").status_code == 400
    assert gql(api, "{ noSuchField }").status_code == 400


def test_over_deep_and_over_costly_queries_are_refused_before_running(api, settings):
    settings.JOBS_GRAPHQL = {"MAX_DEPTH": 3}
    deep = gql(api, "{ jobs(first: 1) { edges { node { recurringJob { name } } } } }")
    assert deep.status_code == 400 and "depth" in deep.json()["errors"][0]["message"]
    settings.JOBS_GRAPHQL = {"MAX_COST": 1000}
    costly = gql(api, "{ jobs(first: 500) { edges { node { id logs { message } } } } }")
    assert costly.status_code == 400 and "cost" in costly.json()["errors"][0]["message"]


def test_introspection_and_graphiql_follow_the_setting(api, settings):
    settings.JOBS_GRAPHQL = {"INTROSPECTION": False, "GRAPHIQL": False}
    assert gql(api, "{ __schema { types { name } } }").status_code == 400
    assert api.get("/graphql/", HTTP_ACCEPT="text/html").status_code == 400
    settings.JOBS_GRAPHQL = {"INTROSPECTION": True, "GRAPHIQL": True}
    assert gql(api, "{ __schema { queryType { name } } }").status_code == 200
    page = api.get("/graphql/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and b"graphiql" in page.content.lower()


def test_malformed_json_body_is_400_and_runs_nothing(api):
    response = api.post("/graphql/", '{"query": "mutation {', content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"]
    assert not Job.objects.exists()


def test_jobs_without_first_returns_the_page_the_cost_rule_assumed(api):
    schedule(25)
    edges = data(api, "{ jobs { edges { node { id } } pageInfo { hasNextPage } } }")["jobs"]
    assert len(edges["edges"]) == 20 and edges["pageInfo"]["hasNextPage"]


def test_a_query_leaves_no_cursor_wrapper_behind_and_bulk_scheduling_works(api):
    schedule(1)
    data(api, "{ jobs(first: 1) { edges { node { id } } } }")
    # graphene-django's debug middleware (on by default under DEBUG) wraps every
    # cursor for good, and its executemany breaks schedule_jobs.
    assert not hasattr(connection, "_graphene_cursor")
    assert len(services.schedule_jobs([{"task": "tests.add", "args": [i, 1]} for i in range(3)])) == 3
