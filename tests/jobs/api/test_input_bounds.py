"""REST: numbers past the services' bounds, forged cursors and absurd JSON are 4xx, never 500."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import pytest

from jobs import services
from jobs.api.docs import openapi_document
from jobs.api.urls import api_patterns
from jobs.core import rules
from jobs.models import Job, RecurringJob
from tests.jobs.api.assertions import assert_error
from tests.jobs.graphql.client import gql

pytestmark = pytest.mark.django_db

HOURLY = {"interval": {"every": 1, "period": "hours"}}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"delay_seconds": 1e12}, "delay_seconds"),
        ({"delay_seconds": 1e20}, "delay_seconds"),
        ({"delay_seconds": "Infinity"}, "delay_seconds"),
        ({"delay_seconds": "NaN"}, "delay_seconds"),
        ({"delay_seconds": rules.MAX_DELAY_SECONDS + 1}, "delay_seconds"),
        ({"max_attempts": 10**20}, "max_attempts"),
        ({"run_at": "9999-12-31T23:59:59-12:00"}, "run_at"),
        ({"tags": ["a\u0000"]}, "tags"),
        ({"args": ["x\u0000"], "task": "tests.fail"}, "args"),
    ],
)
def test_out_of_range_schedule_fields_are_400_with_the_field(api, body, field):
    response = api.post("/api/jobs/", {"task": "tests.noop", **body}, format="json")
    error = assert_error(response, 400)
    assert field in error["fields"], error
    assert not Job.objects.exists()


def test_bulk_with_one_huge_delay_is_400_and_writes_nothing(api):
    jobs = [{"task": "tests.noop"}, {"task": "tests.noop", "delay_seconds": 1e20}]
    assert_error(api.post("/api/jobs/bulk/", {"jobs": jobs}, format="json"), 400)
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"schedule": {"interval": {"every": 2**40, "period": "seconds"}}},
        {"schedule": {"interval": {"every": 10**12, "period": "days"}}},
        {"schedule": {"clocked": {"clocked_time": "9999-12-31T23:59:59-12:00"}}},
        {"start_at": "0001-01-01T00:00:00+00:00"},
        {"end_at": "9999-12-31T23:59:59+00:00"},
        {"max_concurrent_runs": 10**20},
        {"name": "a\u0000"},
    ],
)
def test_out_of_range_recurring_fields_are_400(api, changes):
    body = {"name": "r", "task": "tests.noop", "schedule": HOURLY, **changes}
    assert_error(api.post("/api/recurring-jobs/", body, format="json"), 400)
    assert not RecurringJob.objects.exists()


def test_the_schema_declares_the_services_bounds():
    schema = openapi_document(api_patterns)
    components = schema["components"]["schemas"]
    request = components["ScheduleJobRequest"]["properties"]
    assert request["delay_seconds"]["maximum"] == rules.MAX_DELAY_SECONDS
    assert request["delay_seconds"]["minimum"] == 0
    assert request["max_attempts"]["maximum"] == rules.MAX_ATTEMPTS
    recurring = components["RecurringJobWriteRequest"]["properties"]
    assert recurring["max_concurrent_runs"]["maximum"] == rules.MAX_CONCURRENT_RUNS


def forged(position: str) -> str:
    """A cursor as DRF encodes one, naming a position it never wrote."""
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


@pytest.mark.parametrize(
    "position", ["garbage", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "a\x00"]
)
@pytest.mark.parametrize("url", ["/api/jobs/", "/api/jobs/{id}/logs/"])
def test_a_forged_cursor_is_an_invalid_cursor_400(api, url, position):
    job = services.schedule_job("tests.noop", via="rest")
    response = api.get(url.format(id=job.pk), {"cursor": forged(position)})
    assert "Invalid cursor" in assert_error(response, 400)["fields"]["cursor"]


def test_a_forged_recurring_cursor_with_nul_is_400_and_a_name_is_fine(api):
    services.create_recurring_job(name="r", task="tests.noop", schedule=HOURLY)
    assert_error(api.get("/api/recurring-jobs/", {"cursor": forged("a\x00")}), 400)
    assert api.get("/api/recurring-jobs/", {"cursor": forged("a")}).status_code == 200


@pytest.mark.parametrize("depth", [100_000, 5_000])
def test_json_nested_too_deep_is_a_parse_error(api, depth):
    body = '{"task": "tests.fail", "args": ' + "[" * depth + "]" * depth + "}"
    response = api.post("/api/jobs/", body, content_type="application/json")
    assert_error(response, 400, "parse_error")
    assert not Job.objects.exists()


def test_a_valid_cursor_still_pages(api):
    for _ in range(3):
        services.schedule_job("tests.noop")
    first = api.get("/api/jobs/", {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1


FAR_OFF_TIMES = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"]


@pytest.mark.parametrize("at", FAR_OFF_TIMES)
@pytest.mark.parametrize("name", ["created_after", "created_before", "finished_after", "finished_before"])
def test_a_time_filter_no_database_can_convert_is_400(api, name, at):
    error = assert_error(api.get("/api/jobs/", {name: at}), 400)
    assert name in error["fields"]


@pytest.mark.parametrize("at", FAR_OFF_TIMES)
def test_a_graphql_time_filter_no_database_can_convert_is_a_coded_error(api, at):
    query = "query($at: DateTime) { jobs(createdAfter: $at) { edges { node { id } } } }"
    body = gql(api, query, {"at": at}).json()
    assert body["errors"][0]["extensions"]["code"] == "invalid" and "between" in body["errors"][0]["message"]
