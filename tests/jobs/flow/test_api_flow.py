"""Flow control in the REST and GraphQL shapes: a held job's wait reason, overrides."""

import pytest

from jobs.engine import execution
from jobs.models import Job
from jobs.services import schedule_job
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
