"""A real worker runs jobs scheduled through each API; the same API then reports them succeeded."""

from __future__ import annotations

import pytest

from tests.jobs.graphql.client import data

pytestmark = pytest.mark.django_db(transaction=True)


def test_rest_scheduled_job_runs_and_reports_succeeded(api, burst_worker):
    job_id = api.post("/api/jobs/", {"task": "tests.add", "args": [2, 3]}, format="json").json()["id"]
    burst_worker()
    job = api.get(f"/api/jobs/{job_id}/").json()
    assert job["status"] == "succeeded" and job["result"] == 5 and job["attempts"] == 1
    events = [entry["event"] for entry in api.get(f"/api/jobs/{job_id}/logs/").json()["results"]]
    assert events[0] == "created"


def test_graphql_scheduled_job_runs_and_reports_succeeded(api, burst_worker):
    scheduled = data(
        api,
        "mutation($in: ScheduleJobInput!) { scheduleJob(input: $in) { job { id status } errors { code } } }",
        {"in": {"task": "tests.add", "args": [4, 5], "queue": "low"}},
    )["scheduleJob"]
    assert scheduled["errors"] == [] and scheduled["job"]["status"] == "queued"
    burst_worker()
    job = data(
        api,
        "query($id: ID!) { job(id: $id) { status result logs { event interface } } }",
        {"id": scheduled["job"]["id"]},
    )["job"]
    assert job["status"] == "succeeded" and job["result"] == 9
    assert {"event": "created", "interface": "graphql"} in job["logs"]
