"""REST answers a client can act on (issue 18): a bad request is a 400 naming its field."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from jobs import services
from jobs.api.docs import openapi_document
from jobs.api.urls import api_patterns
from jobs.models import Job, RecurringJob
from tests.factories import superuser
from tests.jobs.api.assertions import assert_error

TYPED = "tests.typed"


def test_an_unknown_dependency_is_a_400_on_depends_on(api):
    missing = str(uuid.uuid4())
    response = api.post("/api/jobs/", {"task": "tests.noop", "depends_on": [missing]}, format="json")
    error = assert_error(response, 400, "unknown_dependency")
    assert error["fields"] == {"depends_on": f"unknown job {missing}"} and not Job.objects.exists()


def test_an_unknown_dependency_in_a_bulk_request_names_its_job(api):
    body = {"jobs": [{"task": "tests.noop"}, {"task": "tests.noop", "depends_on": [str(uuid.uuid4())]}]}
    error = assert_error(api.post("/api/jobs/bulk/", body, format="json"), 400, "unknown_dependency")
    assert error["message"].startswith("Job 1:") and "depends_on" in error["fields"]
    assert not Job.objects.exists()


@pytest.mark.parametrize("cursor", ["garbage", "%%%", "not base64!"])
@pytest.mark.parametrize("url", ["/api/jobs/", "/api/recurring-jobs/", "/api/alerts/"])
def test_a_cursor_this_api_did_not_issue_is_a_400_on_cursor(api, url, cursor):
    error = assert_error(api.get(url, {"cursor": cursor}), 400)
    assert "Invalid cursor" in error["fields"]["cursor"]


def test_a_cursor_the_api_gave_still_pages(api):
    for number in range(3):
        services.schedule_job("tests.add", args=[number, 1])
    first = api.get("/api/jobs/", {"page_size": 2}).json()
    second = api.get(first["next"])
    assert second.status_code == 200 and len(second.json()["results"]) == 1


@pytest.mark.parametrize("ordering", ["bogus", "-created", "created_at,task"])
def test_an_unknown_ordering_is_a_400_listing_the_allowed_values(api, ordering):
    error = assert_error(api.get("/api/jobs/", {"ordering": ordering}), 400)
    assert "use one of created_at, -created_at" in error["fields"]["ordering"]


def test_a_known_ordering_orders(api):
    older, newer = (services.schedule_job("tests.add", args=[n, 1]) for n in range(2))
    ids = [job["id"] for job in api.get("/api/jobs/", {"ordering": "created_at"}).json()["results"]]
    assert ids == [str(older.pk), str(newer.pk)]


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"task": "tests.add", "args": ["a", "b"]}, "args", 'a must be a number, not "a"'),
        (
            {"task": "tests.typed", "args": [1], "kwargs": {"mode": "medium"}},
            "kwargs",
            "one of 'fast', 'slow'",
        ),
        (
            {"task": "tests.typed", "kwargs": {"count": 1, "dry_run": 1}},
            "kwargs",
            "dry_run must be true or false",
        ),
        (
            {"task": "tests.typed", "args": [1, 1.0, "x", "fast", [True, "no"]]},
            "args",
            "flags must be a list",
        ),
    ],
)
def test_arguments_of_the_wrong_type_are_a_400_naming_the_parameter(api, body, field, text):
    error = assert_error(api.post("/api/jobs/", body, format="json"), 400, "invalid_arguments")
    assert text in error["fields"][field] and not Job.objects.exists()


def test_arguments_of_the_right_types_schedule(api):
    body = {
        "task": "tests.typed",
        "args": [3],
        "kwargs": {"label": "x", "options": {"a": 1}, "dry_run": True},
    }
    assert api.post("/api/jobs/", body, format="json").status_code == 201


def test_a_recurring_job_with_wrongly_typed_arguments_is_refused(api):
    body = {"name": "r", "task": "tests.add", "args": ["x", 1], "schedule": {"interval": {"every": 60}}}
    assert_error(api.post("/api/recurring-jobs/", body, format="json"), 400)
    assert not RecurringJob.objects.exists()


def test_the_schedule_object_is_documented_by_shape_with_examples():
    schemas = openapi_document(api_patterns)["components"]["schemas"]
    for component in ("RecurringJob", "RecurringJobWriteRequest"):
        shapes = schemas[component]["properties"]["schedule"]["oneOf"]
        assert [shape["title"] for shape in shapes] == ["crontab", "interval", "clocked"]
        for shape in shapes:
            assert set(shape["example"]) == {shape["title"]}


@pytest.mark.parametrize("shape", ["crontab", "interval", "clocked"])
def test_each_documented_example_is_a_schedule_the_api_takes(api, shape):
    shapes = openapi_document(api_patterns)["components"]["schemas"]["RecurringJobWriteRequest"]
    example = next(s["example"] for s in shapes["properties"]["schedule"]["oneOf"] if s["title"] == shape)
    body = {"name": f"r-{shape}", "task": "tests.noop", "schedule": example}
    assert api.post("/api/recurring-jobs/", body, format="json").status_code == 201


def test_the_liveness_probe_answers_without_credentials_and_without_details():
    response = APIClient().get("/api/health/live")
    assert response.status_code == 200 and response.json() == {"ok": True}


def test_the_detailed_health_check_still_needs_credentials():
    assert_error(APIClient().get("/api/health/"), 401)


def test_the_api_docs_send_a_visitor_to_the_login_and_show_to_a_user(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 302 and response["Location"] == "/admin/login/?next=/api/docs/"
    client = Client()
    client.force_login(superuser())
    page = client.get("/api/docs/")
    assert page.status_code == 200 and b"swagger-ui" in page.content and b"jobs/favicon.svg" in page.content


def test_the_schema_is_served_without_any_drf_setting_of_the_host(api):
    with override_settings(REST_FRAMEWORK={}):
        schema = api.get("/api/schema/", {"format": "json"})
        listing = api.get("/api/jobs/")
    assert schema.status_code == 200 and "/api/jobs/" in schema.json()["paths"]
    assert listing.status_code == 200
    assert_error(APIClient().get("/api/jobs/"), 401)


def test_the_schema_refuses_an_anonymous_client_in_the_one_error_shape(db):
    assert_error(APIClient().get("/api/schema/", {"format": "json"}), 401, "not_authenticated")
