"""Login, permissions, CSP, escaping and bad input: never a 500, never a change."""

from __future__ import annotations

import pytest
from django.test import Client

from jobs.models import Job, JobLog, QueueStats
from tests.dashboard.conftest import XSS
from tests.factories import make_jobs

pytestmark = pytest.mark.django_db

PAGES = [
    "/dashboard/",
    "/dashboard/jobs/",
    "/dashboard/queues/",
    "/dashboard/queues/high/",
    "/dashboard/recurring/",
    "/dashboard/workers/",
    "/dashboard/failed/",
]


@pytest.mark.parametrize("url", [*PAGES, "/dashboard/feed/", "/dashboard/charts/depth.svg"])
def test_anonymous_people_are_sent_to_the_admin_login(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/dashboard/")


def test_a_user_without_view_permission_gets_403(db):
    from tests.factories import user_with

    client = Client()
    client.force_login(user_with(username="nobody"))
    assert client.get("/dashboard/jobs/").status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_every_page_sends_a_strict_csp(operator, url):
    csp = operator.get(url)["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_pages_carry_no_inline_script_or_style(operator):
    job = make_jobs(1, status="started")[0]
    for url in [*PAGES, f"/dashboard/jobs/{job.pk}/"]:
        page = operator.get(url).content.decode()
        assert "<script>" not in page and " style=" not in page and "<style" not in page
        assert page.count("<script") == page.count('<script src="/static/dashboard/') + page.count(
            'type="application/json"'
        )


def test_args_errors_and_logs_are_escaped_on_every_page_that_shows_them(operator):
    job = make_jobs(
        1, status="failed", task="tests.fail", args=[XSS], kwargs={"x": XSS}, error=f"RuntimeError: {XSS}"
    )[0]
    JobLog.objects.create(job=job, message=XSS)
    for url in ["/dashboard/", "/dashboard/jobs/", f"/dashboard/jobs/{job.pk}/", "/dashboard/failed/"]:
        page = operator.get(url).content.decode()
        assert XSS not in page, url
    detail = operator.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in detail


@pytest.mark.parametrize("job_id", ["not-a-uuid", "0c6f0b2e-5d1f-4a51-9f0e-2f8e3b9d7a11", "<script>"])
def test_unknown_job_is_a_404_page(operator, job_id):
    response = operator.get(f"/dashboard/jobs/{job_id}/")
    assert response.status_code == 404
    assert b"Not found" in response.content and b"<script>" not in response.content
    assert operator.get(f"/dashboard/jobs/{job_id}/feed/").status_code == 404


def test_unknown_queue_is_a_404_page(operator):
    response = operator.get("/dashboard/queues/nope/")
    assert response.status_code == 404
    assert b"Unknown queue &#x27;nope&#x27;; the queues are high, normal, low." in response.content
    assert operator.post("/dashboard/queues/nope/pause/").status_code == 404
    assert operator.get("/dashboard/charts/nope.svg").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "status=exploded",
        "queue=nope",
        "created_after=yesterday",
        "recurring_job=abc",
        "cursor=%%%garbage",
        "cursor=MjAyNnxub3BlCg",
        "size=-5",
        "search=" + "x" * 500,
        "status=failed&status=<script>",
    ],
)
def test_tampered_filters_never_500(operator, query):
    make_jobs(3)
    response = operator.get("/dashboard/jobs/?" + query)
    assert response.status_code == 200
    assert len(response.context["jobs"]) >= 0
    assert b"<script>" not in response.content.split(b"</header>")[1]


def test_invalid_filters_are_ignored_with_a_message(operator):
    make_jobs(3)
    response = operator.get("/dashboard/jobs/?status=exploded")
    assert len(response.context["jobs"]) == 3
    assert "Ignored invalid filter values: status" in response.content.decode()


def test_view_only_user_cannot_act_and_nothing_changes(viewer):
    failed = make_jobs(1, status="failed")[0]
    queued = make_jobs(1, status="queued")[0]
    assert viewer.post(f"/dashboard/jobs/{failed.pk}/retry/").status_code == 403
    assert viewer.post(f"/dashboard/jobs/{queued.pk}/cancel/").status_code == 403
    assert viewer.post("/dashboard/queues/high/pause/").status_code == 403
    assert (
        viewer.post(
            "/dashboard/jobs/bulk/", {"action": "cancel", "ids": [queued.pk], "confirmed": "yes"}
        ).status_code
        == 403
    )
    assert (
        viewer.post("/dashboard/failed/retry/", {"task": "tests.add", "error_type": "x"}).status_code == 403
    )
    assert Job.objects.get(pk=failed.pk).status == "failed"
    assert Job.objects.get(pk=queued.pk).status == "queued"
    assert not QueueStats.objects.filter(name="high", paused=True).exists()


def test_view_only_user_sees_no_action_buttons(viewer):
    failed = make_jobs(1, status="failed")[0]
    page = viewer.get(f"/dashboard/jobs/{failed.pk}/").content.decode()
    assert "/retry/" not in page
    assert "/pause/" not in viewer.get("/dashboard/queues/").content.decode()


def test_actions_need_post_and_csrf(db):
    from tests.factories import user_with

    queued = make_jobs(1, status="queued")[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with("view_job", "cancel_job", username="op"))
    assert client.get(f"/dashboard/jobs/{queued.pk}/cancel/").status_code == 405
    assert client.post(f"/dashboard/jobs/{queued.pk}/cancel/").status_code == 403
    assert Job.objects.get(pk=queued.pk).status == "queued"


def test_looking_at_pages_never_cleans_rq_registries(operator, redis):
    """An expired entry in the started registry would run failure callbacks if cleaned."""
    from rq.registry import StartedJobRegistry

    job = make_jobs(1, status="started")[0]
    key = StartedJobRegistry("normal", connection=redis).key
    redis.zadd(key, {f"{job.pk}:exec": 1})
    for url in [*PAGES, f"/dashboard/jobs/{job.pk}/", "/dashboard/feed/", "/dashboard/charts/depth.svg"]:
        assert operator.get(url).status_code == 200
    assert redis.zscore(key, f"{job.pk}:exec") == 1


def test_garbage_ids_in_actions_are_messages_not_500s(operator):
    for url, data in [
        ("/dashboard/recurring/abc/trigger/", {}),
        ("/dashboard/jobs/not-a-uuid/retry/", {}),
        ("/dashboard/jobs/bulk/", {"action": "retry", "ids": ["nope", "<b>"], "confirmed": "yes"}),
        ("/dashboard/jobs/bulk/", {"action": "explode", "ids": ["nope"]}),
        ("/dashboard/failed/retry/", {"task": "<b>", "error_type": ""}),
    ]:
        response = operator.post(url, data, follow=True)
        assert response.status_code in (200, 404), url
        assert b"<b>" not in response.content
    assert Job.objects.count() == 0
