"""The jobs admin: changelist, bulk actions, detail buttons, scheduling, permissions, escaping."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jobs.core import rules
from jobs.models import Job, JobLog
from jobs.services import schedule_job
from tests.factories import make_job, staff

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:jobs_job_changelist")
ADD = reverse("admin:jobs_job_add")
XSS = "<script>alert(1)</script>"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def post_action(client, action: str, jobs: list[Job]):
    data = {"action": action, "_selected_action": [str(job.pk) for job in jobs]}
    return client.post(CHANGELIST, data, follow=True)


def changelist_queries(client, rows: int) -> int:
    for _ in range(rows):
        make_job("succeeded", task="tests.add", args=[1, 2])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST, {"o": "-7"})
    assert response.status_code == 200
    Job.objects.all().delete()
    return len(queries)


def test_changelist_shows_badges_and_query_count_does_not_grow_with_rows(admin_client):
    make_job("failed", task="tests.fail", args=["boom"], progress=40)
    response = admin_client.get(CHANGELIST)
    body = response.content.decode()
    assert 'class="jobs-badge jobs-failed">Failed<' in body
    assert 'style="width:40%"' in body and "1/1" in body
    Job.objects.all().delete()
    assert changelist_queries(admin_client, 10) == changelist_queries(admin_client, 50)


def test_filters_search_and_year_drilldown(admin_client):
    failed = make_job("failed", task="tests.fail", args=["boom"], error="disk full on /var")
    ok = make_job("succeeded", task="tests.add", args=[1, 2], queue="high")
    assert list(admin_client.get(CHANGELIST, {"status__exact": "failed"}).context["cl"].result_list) == [
        failed
    ]
    assert list(admin_client.get(CHANGELIST, {"queue": "high"}).context["cl"].result_list) == [ok]
    assert list(admin_client.get(CHANGELIST, {"task": "tests.add"}).context["cl"].result_list) == [ok]
    assert list(admin_client.get(CHANGELIST, {"q": "disk full"}).context["cl"].result_list) == [failed]
    assert list(admin_client.get(CHANGELIST, {"q": str(ok.pk)}).context["cl"].result_list) == [ok]
    year = str(timezone.now().year)
    assert admin_client.get(CHANGELIST, {"created": year}).context["cl"].result_count == 2
    assert admin_client.get(CHANGELIST, {"created": "1999"}).context["cl"].result_count == 0
    assert admin_client.get(CHANGELIST, {"created": "x-<b>"}).status_code == 200


def test_retry_action_reports_done_and_refused_and_leaves_refused_rows_alone(admin_client, admin_user):
    failed = [make_job("failed", task="tests.fail", args=["boom"]), make_job("cancelled")]
    succeeded = make_job("succeeded", task="tests.add", args=[1, 2], result=3)
    response = post_action(admin_client, "retry_selected", [*failed, succeeded])
    text = " ".join(messages_of(response))
    assert "Retried 2 jobs." in text
    assert f"1 refused: {succeeded.pk}: Job {succeeded.pk} is succeeded and can't be retried" in text
    assert {job.status for job in Job.objects.filter(pk__in=[j.pk for j in failed])} == {"queued"}
    succeeded.refresh_from_db()
    assert (succeeded.status, succeeded.result) == ("succeeded", 3)
    log = JobLog.objects.filter(job=failed[0], event="manual").get()
    assert (log.user, log.interface) == (admin_user, "admin")


def test_cancel_action_refuses_finished_jobs(admin_client):
    waiting = schedule_job("tests.add", args=[1, 2])
    done = make_job("succeeded", task="tests.add", args=[1, 2])
    response = post_action(admin_client, "cancel_selected", [waiting, done])
    text = " ".join(messages_of(response))
    assert "Cancelled 1 job." in text and f"{done.pk}: Job {done.pk} is succeeded" in text
    waiting.refresh_from_db()
    done.refresh_from_db()
    assert (waiting.status, done.status) == ("cancelled", "succeeded")
    assert JobLog.objects.get(job=waiting, event="cancelled").message == "Cancelled by admin via admin."


def test_rerun_and_delete_actions(admin_client):
    original = make_job("failed", task="tests.fail", args=["boom"])
    post_action(admin_client, "rerun_selected", [original])
    copy = Job.objects.get(parent=original)
    assert (copy.task, copy.args, copy.status) == ("tests.fail", ["boom"], "queued")
    response = admin_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [str(original.pk)], "post": "yes"}
    )
    assert response.status_code == 302
    assert not Job.objects.filter(pk=original.pk).exists()


def test_view_permission_alone_changes_nothing(client):
    staff(client, "view_job")
    job = make_job("failed", task="tests.fail", args=["boom"])
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "Retry</button>" not in page and "Re-run" not in page
    assert client.get(CHANGELIST).context["action_form"] is None
    post_action(client, "retry_selected", [job])
    assert client.post(reverse("admin:jobs_job_retry", args=[job.pk])).status_code == 403
    assert client.post(reverse("admin:jobs_job_rerun", args=[job.pk])).status_code == 403
    assert client.get(ADD).status_code == 403
    assert (
        client.post(reverse("admin:jobs_job_change", args=[job.pk]), {"status": "queued"}).status_code == 403
    )
    job.refresh_from_db()
    assert job.status == "failed" and Job.objects.count() == 1


def test_each_action_needs_its_own_permission(client):
    staff(client, "view_job", "retry_job")
    job = make_job("failed", task="tests.fail", args=["boom"])
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "Retry</button>" in page and "Cancel</button>" not in page
    assert client.post(reverse("admin:jobs_job_cancel", args=[job.pk])).status_code == 403
    assert client.get(reverse("admin:jobs_job_retry", args=[job.pk])).status_code == 405
    response = client.post(reverse("admin:jobs_job_retry", args=[job.pk]), follow=True)
    assert f"Job {job.pk} is now queued." in messages_of(response)
    job.refresh_from_db()
    assert job.status == "queued"


def test_detail_button_shows_a_refusal_as_a_message(admin_client):
    job = make_job("succeeded", task="tests.add", args=[1, 2])
    page = admin_client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "Retry</button>" not in page and "Cancel</button>" not in page and "Re-run a copy</button>" in page
    response = admin_client.post(reverse("admin:jobs_job_retry", args=[job.pk]), follow=True)
    assert any("can't be retried" in m for m in messages_of(response))
    job.refresh_from_db()
    assert job.status == "succeeded"


def test_detail_escapes_what_people_typed_and_links_related_jobs(admin_client):
    upstream = make_job("succeeded", task="tests.add", args=[1, 2])
    job = make_job("failed", args=[XSS], error=XSS, traceback=XSS, parent=upstream)
    job.depends_on.add(upstream)
    JobLog.objects.create(job=job, message=XSS, level=40)
    body = admin_client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert XSS not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert (
        json.dumps([XSS], indent=2).replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in body
    )
    assert body.count(reverse("admin:jobs_job_change", args=[upstream.pk])) >= 2
    assert "jobs-level-error" in body


def detail_queries(client, lines: int) -> tuple[int, int]:
    job = make_job("failed", task="tests.fail", args=["boom"])
    start = timezone.now() - timedelta(hours=1)
    JobLog.objects.bulk_create(
        JobLog(job=job, message=f"line {n}", created_at=start + timedelta(seconds=n)) for n in range(lines)
    )
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    return len(queries), body.count('<tr class="jobs-level-')


def test_detail_query_count_and_size_are_bounded_by_log_lines(admin_client):
    small, shown_small = detail_queries(admin_client, 10)
    large, shown_large = detail_queries(admin_client, 1000)
    assert small == large
    assert (shown_small, shown_large) == (10, 200)


def test_schedule_form_lists_tasks_and_schedules_through_the_service(admin_client, admin_user):
    page = admin_client.get(ADD).content.decode()
    assert "tests.sleep(seconds: float)" in page
    response = admin_client.post(
        ADD,
        {"task": "tests.add", "args": "[1, 2]", "kwargs": "", "when": "delay", "delay": "60"},
        follow=True,
    )
    job = Job.objects.get()
    assert (job.task, job.args, job.status, job.created_by) == ("tests.add", [1, 2], "scheduled", admin_user)
    assert JobLog.objects.get(job=job, event="created").interface == "admin"
    assert response.redirect_chain[-1][0] == reverse("admin:jobs_job_change", args=[job.pk])


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"args": "[1, "}, "args", "Not valid JSON"),
        ({"args": '{"a": 1}'}, "args", "Must be a list"),
        ({"args": "[1, 2, 3]"}, "args", "Arguments don't fit tests.add"),
        ({"kwargs": '{"c": 1}'}, "args", "unexpected keyword argument"),
        ({"queue": "nowhere"}, "queue", "Select a valid choice"),
        ({"task": "os.system"}, "task", "Select a valid choice"),
        ({"when": "at", "run_at_0": "2001-01-01", "run_at_1": "00:00:00"}, "run_at", "in the past"),
        ({"when": "at", "run_at_0": "", "run_at_1": ""}, "run_at", "Give the time"),
        ({"when": "at", "run_at_0": "2030-01-01", "run_at_1": ""}, "run_at", "Enter a valid time"),
        ({"when": "delay", "delay": "-5"}, "delay", "can't be negative"),
        ({"max_attempts": "0"}, "max_attempts", "from 1 to 100"),
        ({"max_attempts": "1000000"}, "max_attempts", "from 1 to 100"),
        ({"when": "delay", "delay": "1e20"}, "delay", "at most 315619200 s"),
        ({"when": "delay", "delay": "1e12"}, "delay", "at most 315619200 s"),
        ({"when": "delay", "delay": "inf"}, "delay", "Enter a number"),
        (
            {"when": "at", "run_at_0": "9999-12-31", "run_at_1": "23:59:59"},
            "run_at",
            "at most 3653 days ahead",
        ),
    ],
)
def test_schedule_form_refuses_bad_input_and_writes_nothing(admin_client, data, field, text):
    form = {"task": "tests.add", "args": "[1, 2]", "kwargs": "", "when": "now", **data}
    response = admin_client.post(ADD, form)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert text in errors
    assert Job.objects.count() == 0


def test_schedule_form_offers_the_service_bounds_to_the_browser(admin_client):
    page = admin_client.get(ADD).content.decode()
    assert f'max="{rules.MAX_DELAY_SECONDS}"' in page and f'max="{rules.MAX_ATTEMPTS}"' in page


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_a_date_filter_no_database_can_convert_is_djangos_bad_lookup_redirect(admin_client, at):
    make_job("failed", task="tests.fail", args=["boom"])
    response = admin_client.get(CHANGELIST, {"created_at__gte": at})
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


def test_the_count_never_scans_past_the_cap(admin_client, monkeypatch):
    monkeypatch.setattr("jobs.admin.paging.COUNT_CAP", 5)
    for _ in range(8):
        make_job("failed", task="tests.fail", args=["boom"])
    with CaptureQueriesContext(connection) as queries:
        cl = admin_client.get(CHANGELIST, {"status__exact": "failed"}).context["cl"]
    assert cl.result_count == 6 and len(cl.result_list) == 8
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 6" in sql for sql in counts)


def test_delete_refuses_a_running_job_and_removes_waiting_copies(admin_client, redis):
    from jobs.engine import broker
    from jobs.services import schedule_job

    waiting = schedule_job("tests.add", args=[1, 2])
    running = make_job("started")
    response = admin_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [str(waiting.pk), str(running.pk)], "post": "yes"},
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert shown[0] == "Deleted 1 job."
    assert shown[1].startswith(f"1 refused: {running.pk}: Job {running.pk} is started and can't be deleted")
    assert not any(text.startswith("Successfully deleted") for text in shown)
    assert not Job.objects.filter(pk=waiting.pk).exists()
    assert Job.objects.filter(pk=running.pk).exists()
    assert broker.queue("normal").count == 0
