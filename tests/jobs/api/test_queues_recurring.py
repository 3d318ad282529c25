"""REST /api/queues/ and /api/recurring-jobs/: reads, actions, refusals and permissions."""

from __future__ import annotations

import pytest

from jobs import services
from jobs.models import Job, JobLog, QueueStats, RecurringJob
from tests.factories import token_client
from tests.jobs.api.assertions import assert_error

pytestmark = pytest.mark.django_db(transaction=True)

EVERY_5_MIN = {"interval": {"every": 5, "period": "minutes"}}


def test_queues_by_name_pause_and_resume(api, admin_user):
    assert [q["name"] for q in api.get("/api/queues/").json()] == ["high", "normal", "low"]
    assert api.get("/api/queues/high/").json()["paused"] is False
    paused = api.post("/api/queues/high/pause/").json()
    assert paused["paused"] is True and paused["paused_by"] == "admin-api"
    assert QueueStats.objects.get(name="high").paused
    assert_error(api.post("/api/queues/high/pause/"), 409, "invalid_transition")
    assert api.post("/api/queues/high/resume/").json()["paused"] is False
    assert_error(api.post("/api/queues/high/resume/"), 409, "invalid_transition")
    assert_error(api.get("/api/queues/nope/"), 404, "not_found")
    assert_error(api.post("/api/queues/nope/pause/"), 404, "not_found")


def test_queue_actions_need_pause_queue(reader):
    assert reader.get("/api/queues/").status_code == 200
    assert_error(reader.post("/api/queues/high/pause/"), 403, "permission_denied")
    assert not QueueStats.objects.filter(paused=True).exists()


def test_recurring_job_lifecycle(api):
    created = api.post(
        "/api/recurring-jobs/",
        {
            "name": "nightly",
            "task": "tests.add",
            "args": [1, 2],
            "schedule": {"crontab": {"minute": "0", "hour": "3"}},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    rj = created.json()
    assert rj["schedule"]["crontab"]["hour"] == "3" and rj["schedule_description"] and rj["next_run_at"]
    assert api.get("/api/recurring-jobs/").json()["results"][0]["name"] == "nightly"
    assert api.get(f"/api/recurring-jobs/{rj['id']}/").json()["name"] == "nightly"
    patched = api.patch(f"/api/recurring-jobs/{rj['id']}/", {"schedule": EVERY_5_MIN}, format="json")
    assert patched.status_code == 200 and patched.json()["schedule"] == EVERY_5_MIN
    triggered = api.post(f"/api/recurring-jobs/{rj['id']}/trigger/")
    assert triggered.status_code == 201 and triggered.json()["recurring_job"] == rj["id"]
    assert JobLog.objects.filter(job_id=triggered.json()["id"], interface="rest").exists()
    assert api.post(f"/api/recurring-jobs/{rj['id']}/pause/").json()["enabled"] is False
    assert_error(api.post(f"/api/recurring-jobs/{rj['id']}/pause/"), 409, "invalid_transition")
    assert api.post(f"/api/recurring-jobs/{rj['id']}/resume/").json()["enabled"] is True
    assert_error(api.post(f"/api/recurring-jobs/{rj['id']}/resume/"), 409, "invalid_transition")
    assert api.delete(f"/api/recurring-jobs/{rj['id']}/").status_code == 204
    assert not RecurringJob.objects.exists()
    assert_error(api.get(f"/api/recurring-jobs/{rj['id']}/"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "x", "task": "no.such", "schedule": EVERY_5_MIN}, "unknown_task"),
        (
            {"name": "x", "task": "tests.add", "args": [1, 2], "schedule": {"crontab": {"minute": "99"}}},
            "invalid_schedule",
        ),
        ({"name": "x", "task": "tests.add", "args": [1, 2], "schedule": {"weekly": {}}}, "invalid_schedule"),
        ({"name": "x", "task": "tests.add", "args": [1, 2], "schedule": EVERY_5_MIN, "extra": 1}, "invalid"),
        (
            {"name": "x", "task": "tests.add", "args": [1, 2], "schedule": EVERY_5_MIN, "queue": "nope"},
            "unknown_queue",
        ),
        ({"task": "tests.add", "schedule": EVERY_5_MIN}, "invalid"),
    ],
)
def test_bad_recurring_jobs_are_400_and_write_nothing(api, body, code):
    assert_error(api.post("/api/recurring-jobs/", body, format="json"), 400, code)
    assert not RecurringJob.objects.exists()


def test_bad_patch_changes_nothing(api):
    rj = services.create_recurring_job(name="r", task="tests.add", args=[1, 2], schedule=EVERY_5_MIN)
    assert_error(api.patch(f"/api/recurring-jobs/{rj.pk}/", {"bogus": 1}, format="json"), 400, "invalid")
    assert_error(api.patch(f"/api/recurring-jobs/{rj.pk}/", {"task": "no.such"}, format="json"), 400)
    assert_error(api.patch("/api/recurring-jobs/abc/", {"name": "y"}, format="json"), 404)
    assert RecurringJob.objects.get().task == "tests.add"
    assert api.put(f"/api/recurring-jobs/{rj.pk}/", {}, format="json").status_code == 405


@pytest.mark.parametrize(
    ("method", "suffix", "perm"),
    [
        ("post", "", "add_recurringjob"),
        ("patch", "{id}/", "change_recurringjob"),
        ("delete", "{id}/", "delete_recurringjob"),
        ("post", "{id}/trigger/", "trigger_recurring_job"),
        ("post", "{id}/pause/", "pause_recurring_job"),
    ],
)
def test_recurring_actions_need_their_permission(make_user, method, suffix, perm):
    rj = services.create_recurring_job(name="r", task="tests.add", args=[1, 2], schedule=EVERY_5_MIN)
    url = "/api/recurring-jobs/" + suffix.format(id=rj.pk)
    body = (
        {"name": "r2", "task": "tests.add", "args": [1, 2], "schedule": EVERY_5_MIN} if suffix == "" else {}
    )
    reader = token_client(make_user("view_recurringjob", username="reader"))
    assert_error(getattr(reader, method)(url, body, format="json"), 403)
    allowed = token_client(make_user(perm, username="allowed"))
    assert getattr(allowed, method)(url, body, format="json").status_code < 300
    assert not Job.objects.filter(source="recurring").exclude(recurring_job=rj).exists()


def test_tasks_workers_metrics_health(api):
    tasks = {t["name"]: t for t in api.get("/api/tasks/").json()}
    assert [p["name"] for p in tasks["tests.add"]["parameters"]] == ["a", "b"]
    assert api.get("/api/workers/").json() == []
    metrics = api.get("/api/metrics/").json()
    assert [m["queue"] for m in metrics] == ["high", "normal", "low"] and "runtime_p95" in metrics[0]
    health = api.get("/api/health/")
    assert health.status_code == 503 and not health.json()["ok"]
    checks = {c["name"]: c["ok"] for c in health.json()["checks"]}
    assert checks["database"] and checks["redis"] and not checks["workers"]


def test_system_reads_need_view_permissions(make_user):
    nobody = token_client(make_user(username="nobody"))
    for url in (
        "/api/tasks/",
        "/api/workers/",
        "/api/metrics/",
        "/api/health/",
        "/api/queues/",
        "/api/recurring-jobs/",
    ):
        assert_error(nobody.get(url), 403, "permission_denied")
