"""REST /api/jobs/: scheduling, reading, retry, cancel, and every refusal."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from jobs import services
from jobs.models import Job, JobLog
from tests.jobs.api.assertions import assert_error

pytestmark = pytest.mark.django_db(transaction=True)


def test_schedule_returns_201_with_the_job_and_logs_the_user_and_interface(api, redis):
    response = api.post("/api/jobs/", {"task": "tests.add", "args": [1, 2], "tags": ["x"]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    job = Job.objects.get(pk=body["id"])
    assert body["status"] == "queued" and job.args == [1, 2] and body["tags"] == ["x"]
    log = JobLog.objects.get(job=job, event=JobLog.Event.CREATED)
    assert log.interface == "rest" and log.user.username == "admin-api"
    assert redis.llen("rq:queue:normal") == 1


def test_schedule_with_delay_is_scheduled(api):
    response = api.post("/api/jobs/", {"task": "tests.noop", "delay_seconds": 60}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "scheduled"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"task": "no.such.task"}, "unknown_task", None),
        ({"task": "tests.add", "args": [1]}, "invalid_arguments", None),
        ({"task": "tests.add", "args": [1, 2], "queue": "nope"}, "unknown_queue", None),
        ({"task": "tests.add", "args": [1, 2], "bogus": 1}, "invalid", "bogus"),
        ({"task": "tests.add", "args": "not a list"}, "invalid", "args"),
        ({"task": "tests.add", "args": [1, 2], "max_attempts": "many"}, "invalid", "max_attempts"),
        ({"task": "tests.add", "args": [1, 2], "delay_seconds": -1}, "invalid", "delay_seconds"),
        ({"task": "tests.fail", "args": ["x" * 70_000]}, "payload_too_large", None),
        ({"args": [1, 2]}, "invalid", "task"),
        ({"task": "tests.noop", "depends_on": ["not-a-uuid"]}, "unknown_dependency", "depends_on"),
    ],
)
def test_bad_schedule_requests_are_4xx_and_write_nothing(api, body, code, field):
    response = api.post("/api/jobs/", body, format="json")
    error = assert_error(response, 404 if code == "not_found" else 400, code)
    if field:
        assert field in error["fields"]
    assert not Job.objects.exists()


def test_malformed_json_is_400(api):
    response = api.post("/api/jobs/", '{"task": ', content_type="application/json")
    assert_error(response, 400, "parse_error")
    assert not Job.objects.exists()


def test_bulk_schedules_all_or_nothing(api):
    ok = {"jobs": [{"task": "tests.add", "args": [1, 2]}, {"task": "tests.noop"}]}
    response = api.post("/api/jobs/bulk/", ok, format="json")
    assert response.status_code == 201 and [j["task"] for j in response.json()] == ["tests.add", "tests.noop"]
    bad = {"jobs": [{"task": "tests.noop"}, {"task": "no.such"}]}
    error = assert_error(api.post("/api/jobs/bulk/", bad, format="json"), 400, "unknown_task")
    assert "Job 1" in error["message"]
    assert Job.objects.count() == 2


def test_list_filters_and_pages_by_cursor(api):
    for _ in range(3):
        services.schedule_job("tests.noop", queue="high")
    services.schedule_job("tests.add", args=[1, 2])
    first = api.get("/api/jobs/", {"queue": "high", "page_size": 2}).json()
    assert len(first["results"]) == 2 and all(j["queue"] == "high" for j in first["results"])
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    seen = {j["id"] for j in first["results"] + second["results"]}
    assert len(seen) == 3
    assert api.get("/api/jobs/", {"task": "tests.add"}).json()["results"][0]["task"] == "tests.add"
    assert_error(api.get("/api/jobs/", {"status": "nonsense"}), 400)


def test_list_query_count_does_not_grow_with_page_size(api, django_assert_max_num_queries):
    for _ in range(30):
        services.schedule_job("tests.noop")
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/jobs/", {"page_size": 30}).json()["results"]) == 30


def test_detail_and_logs(api):
    job = services.schedule_job("tests.noop", via="rest")
    assert api.get(f"/api/jobs/{job.pk}/").json()["id"] == str(job.pk)
    logs = api.get(f"/api/jobs/{job.pk}/logs/").json()
    assert logs["results"][0]["event"] == "created"
    assert_error(api.get("/api/jobs/not-a-uuid/"), 404, "not_found")
    assert_error(api.get(f"/api/jobs/{uuid.uuid4()}/logs/"), 404, "not_found")


def test_cancel_then_retry_and_illegal_transitions_are_409(api):
    job = services.schedule_job("tests.noop", delay=600)
    response = api.post(f"/api/jobs/{job.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert JobLog.objects.filter(job=job, interface="rest", event=JobLog.Event.CANCELLED).exists()
    assert_error(api.post(f"/api/jobs/{job.pk}/cancel/"), 409, "invalid_transition")
    assert api.post(f"/api/jobs/{job.pk}/retry/").json()["status"] == "queued"
    assert_error(api.post(f"/api/jobs/{job.pk}/retry/"), 409, "invalid_transition")
    assert_error(api.post("/api/jobs/123/retry/"), 404, "not_found")


def test_anonymous_is_401_with_www_authenticate(db):
    response = APIClient().get("/api/jobs/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")
    assert_error(APIClient().post("/api/jobs/", {"task": "tests.noop"}, format="json"), 401)
    assert not Job.objects.exists()


def test_each_action_needs_its_own_permission(reader, make_user):
    from tests.factories import token_client

    job = services.schedule_job("tests.noop", delay=600)
    assert reader.get("/api/jobs/").status_code == 200
    assert_error(reader.post("/api/jobs/", {"task": "tests.noop"}, format="json"), 403, "permission_denied")
    assert_error(reader.post("/api/jobs/bulk/", {"jobs": [{"task": "tests.noop"}]}, format="json"), 403)
    assert_error(reader.post(f"/api/jobs/{job.pk}/cancel/"), 403)
    assert_error(reader.post(f"/api/jobs/{job.pk}/retry/"), 403)
    nobody = token_client(make_user(username="nobody"))
    assert_error(nobody.get("/api/jobs/"), 403)
    canceller = token_client(make_user("cancel_job", username="canceller"))
    assert canceller.post(f"/api/jobs/{job.pk}/cancel/").status_code == 200
    assert Job.objects.count() == 1


def test_session_auth_enforces_csrf(make_user):
    user = make_user("view_job", "schedule_job", username="browser")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/jobs/").status_code == 200
    assert_error(client.post("/api/jobs/", {"task": "tests.noop"}, format="json"), 403)
    assert not Job.objects.exists()


def test_actions_are_throttled_but_reads_are_not(api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"jobs_actions": "2/min"}}
    from django.core.cache import cache

    cache.clear()
    codes = [api.post("/api/jobs/", {"task": "tests.noop"}, format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert_error(api.post("/api/jobs/", {"task": "tests.noop"}, format="json"), 429, "throttled")
    assert api.get("/api/jobs/").status_code == 200
    assert Job.objects.count() == 2
    cache.clear()
