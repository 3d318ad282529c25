"""REST /api/jobs/: rerun, delete and the bulk retry, cancel and delete, with every refusal."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

import pytest

from jobs import services
from jobs.core.states import JobStatus
from jobs.models import Job, JobLog
from tests.factories import token_client
from tests.jobs.api.assertions import assert_error

pytestmark = pytest.mark.django_db(transaction=True)

BULK = ("bulk-retry", "bulk-cancel", "bulk-delete")


def test_rerun_answers_201_with_a_fresh_copy(api, cancelled_job, redis):
    response = api.post(f"/api/jobs/{cancelled_job.pk}/rerun/")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] != str(cancelled_job.pk) and body["parent"] == str(cancelled_job.pk)
    assert (body["task"], body["args"], body["tags"], body["status"]) == (
        "tests.add",
        [1, 2],
        ["t"],
        "queued",
    )
    assert JobLog.objects.get(job_id=body["id"], event=JobLog.Event.CREATED).interface == "rest"
    assert Job.objects.get(pk=cancelled_job.pk).status == JobStatus.CANCELLED
    assert redis.llen("rq:queue:normal") == 1


def test_rerun_refusals_create_nothing(api, reader, cancelled_job):
    assert_error(api.post(f"/api/jobs/{uuid.uuid4()}/rerun/"), 404, "not_found")
    assert_error(api.post("/api/jobs/not-a-uuid/rerun/"), 404, "not_found")
    assert_error(reader.post(f"/api/jobs/{cancelled_job.pk}/rerun/"), 403, "permission_denied")
    gone = Job.objects.create(task="gone.task", queue="normal", status=JobStatus.FAILED)
    assert_error(api.post(f"/api/jobs/{gone.pk}/rerun/"), 400, "unknown_task")
    assert Job.objects.count() == 2


def test_delete_removes_the_job_its_timeline_and_its_rq_copy(api, redis):
    job = services.schedule_job("tests.noop")
    assert redis.llen("rq:queue:normal") == 1
    assert api.delete(f"/api/jobs/{job.pk}/").status_code == 204
    assert not Job.objects.exists() and not JobLog.objects.exists()
    assert redis.llen("rq:queue:normal") == 0
    assert_error(api.delete(f"/api/jobs/{job.pk}/"), 404, "not_found")
    assert_error(api.delete("/api/jobs/not-a-uuid/"), 404, "not_found")


def test_delete_needs_delete_job(reader, make_user, cancelled_job):
    assert_error(reader.delete(f"/api/jobs/{cancelled_job.pk}/"), 403, "permission_denied")
    assert Job.objects.filter(pk=cancelled_job.pk).exists()
    deleter = token_client(make_user("delete_job", username="deleter"))
    assert deleter.delete(f"/api/jobs/{cancelled_job.pk}/").status_code == 204


def test_running_jobs_are_409_alone_and_refused_in_bulk(api, rq_jobs):
    running, failed, queued, scheduled = (rq_jobs[k] for k in ("running", "failed", "queued", "scheduled"))
    assert_error(api.delete(f"/api/jobs/{running.pk}/"), 409, "invalid_transition")
    deleted = api.post(
        "/api/jobs/bulk-delete/", {"ids": [str(running.pk), str(scheduled.pk), "nope"]}, format="json"
    )
    assert deleted.status_code == 200, deleted.content
    assert deleted.json()["done"] == [str(scheduled.pk)]
    assert set(deleted.json()["refused"]) == {str(running.pk), "nope"}
    assert "cancel it first" in deleted.json()["refused"][str(running.pk)]
    retried = api.post(
        "/api/jobs/bulk-retry/", {"ids": [str(failed.pk), str(running.pk)]}, format="json"
    ).json()
    assert retried["done"] == [str(failed.pk)] and list(retried["refused"]) == [str(running.pk)]
    cancelled = api.post(
        "/api/jobs/bulk-cancel/", {"ids": [str(running.pk), str(queued.pk)]}, format="json"
    ).json()
    assert cancelled == {"done": [str(running.pk), str(queued.pk)], "refused": {}}
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses[running.pk] == statuses[queued.pk] == JobStatus.CANCELLED
    assert scheduled.pk not in statuses
    assert JobLog.objects.filter(job=queued, event=JobLog.Event.CANCELLED, interface="rest").exists()


def test_bulk_names_each_job_once(api, cancelled_job):
    ids = [str(cancelled_job.pk)] * 3
    assert api.post("/api/jobs/bulk-retry/", {"ids": ids}, format="json").json() == {
        "done": ids[:1],
        "refused": {},
    }
    assert Job.objects.get().status == JobStatus.QUEUED


@pytest.mark.parametrize("url", BULK)
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "ids"),
        ({"ids": []}, "ids"),
        ({"ids": "not a list"}, "ids"),
        ({"ids": [None]}, "ids"),
        ({"ids": ["x" * 65]}, "ids"),
        ({"ids": ["a\u0000"]}, "ids"),
        ({"ids": ["\ud800"]}, "ids"),
        ({"ids": ["x"], "force": True}, "force"),
    ],
)
def test_bad_bulk_requests_are_400_and_change_nothing(api, cancelled_job, url, body, field):
    response = api.post(f"/api/jobs/{url}/", json.dumps(body), content_type="application/json")
    assert field in assert_error(response, 400, "invalid")["fields"]
    assert Job.objects.get().status == JobStatus.CANCELLED


@pytest.mark.parametrize("url", BULK)
def test_bulk_refuses_more_ids_than_its_limit(api, cancelled_job, url):
    action = {"bulk-retry": "retry_job", "bulk-cancel": "cancel_job", "bulk-delete": "delete_job"}[url]
    ids = [str(cancelled_job.pk)] * (services.actions.bulk_limit(action) + 1)
    error = assert_error(api.post(f"/api/jobs/{url}/", {"ids": ids}, format="json"), 400, "invalid")
    assert "ids" in error["fields"]
    assert Job.objects.get().status == JobStatus.CANCELLED


def test_bulk_schedule_refuses_more_jobs_than_its_limit(api):
    jobs = [{"task": "tests.noop"}] * (services.actions.bulk_limit("schedule_job") + 1)
    error = assert_error(api.post("/api/jobs/bulk/", {"jobs": jobs}, format="json"), 400, "invalid")
    assert "jobs" in error["fields"]
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("url", "perm"),
    [("bulk-retry", "retry_job"), ("bulk-cancel", "cancel_job"), ("bulk-delete", "delete_job")],
)
def test_each_bulk_action_needs_its_own_permission(reader, make_user, cancelled_job, url, perm):
    body = {"ids": [str(cancelled_job.pk)]}
    assert_error(reader.post(f"/api/jobs/{url}/", body, format="json"), 403, "permission_denied")
    others = [p for p in ("retry_job", "cancel_job", "delete_job") if p != perm]
    assert_error(
        token_client(make_user(*others, username="others")).post(f"/api/jobs/{url}/", body, format="json"),
        403,
    )
    assert Job.objects.get().status == JobStatus.CANCELLED
    allowed = token_client(make_user(perm, username="allowed"))
    assert allowed.post(f"/api/jobs/{url}/", body, format="json").status_code == 200


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", "/api/jobs/{id}/rerun/"), ("delete", "/api/jobs/{id}/"), ("post", "/api/jobs/bulk-cancel/")],
)
def test_the_new_actions_are_throttled(api, settings, cancelled_job, method, url):
    from django.core.cache import cache

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"jobs_actions": "1/min"}}
    cache.clear()
    target = url.format(id=uuid.uuid4())
    body = {"ids": [str(uuid.uuid4())]}
    assert getattr(api, method)(target, body, format="json").status_code in (200, 404)
    assert_error(getattr(api, method)(target, body, format="json"), 429, "throttled")
    assert api.get("/api/jobs/").status_code == 200
    cache.clear()


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("form", ["multipart", "urlencoded"])
def test_ids_as_more_form_fields_than_django_reads_are_a_parse_error(api, cancelled_job, settings, form):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = {"ids": [str(cancelled_job.pk)] * 11}
    if form == "multipart":
        response = api.post("/api/jobs/bulk-retry/", body, format="multipart")
    else:
        response = api.post("/api/jobs/bulk-retry/", urlencode(body, doseq=True), content_type=FORM)
    assert_error(response, 400, "parse_error")
    assert Job.objects.get().status == JobStatus.CANCELLED
