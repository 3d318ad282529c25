"""REST's Idempotency-Key header and GraphQL's scheduleJob(idempotencyKey:)."""

import pytest

from jobs.models import Job
from tests.jobs.graphql.client import gql

pytestmark = pytest.mark.django_db(transaction=True)

SCHEDULE = """mutation($key: String) {
  scheduleJob(input: {task: "tests.add", args: [1, 2]}, idempotencyKey: $key) {
    job { id } errors { code message field }
  }
}"""


def post(api, key: str, args=(1, 2)):
    return api.post(
        "/api/jobs/", {"task": "tests.add", "args": list(args)}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_rest_the_same_idempotency_key_returns_the_same_job(api):
    first, second = post(api, "order-17"), post(api, "order-17")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Job.objects.count() == 1
    assert post(api, "order-18").json()["id"] != first.json()["id"]


def test_rest_a_key_reused_for_another_request_is_a_409_and_a_bad_key_a_400(api):
    post(api, "order-17")
    reused = post(api, "order-17", args=(5, 5))
    assert reused.status_code == 409 and "different request" in str(reused.json())
    assert post(api, "x" * 300).status_code == 400
    assert Job.objects.count() == 1


def test_graphql_the_same_idempotency_key_returns_the_same_job(api):
    ids = [gql(api, SCHEDULE, {"key": "k"}).json()["data"]["scheduleJob"]["job"]["id"] for _ in range(2)]
    assert ids[0] == ids[1] and Job.objects.count() == 1
    bad = gql(api, SCHEDULE, {"key": ""}).json()["data"]["scheduleJob"]
    assert bad["job"] is None and bad["errors"][0]["field"] == "idempotency_key"
