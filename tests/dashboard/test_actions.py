"""Buttons go through the services with user and via="dashboard"; refusals are messages."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django_celery_beat.models import IntervalSchedule

from jobs.models import Job, JobLog, QueueStats, RecurringJob
from jobs.services import schedule_job
from tests.factories import make_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_retry_a_failed_job_names_the_user_and_the_dashboard(operator, burst_worker):
    job = schedule_job("tests.fail", args=["boom"])
    burst_worker()
    assert Job.objects.get(pk=job.pk).status == "failed"
    response = operator.post(f"/dashboard/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    assert Job.objects.get(pk=job.pk).status == "queued"
    log = JobLog.objects.filter(job=job, event="manual").last()
    assert log.interface == "dashboard" and log.user.username == "operator"


def test_stale_action_says_why_and_changes_nothing(operator, burst_worker):
    job = schedule_job("tests.add", args=[1, 2])
    burst_worker()
    response = operator.post(f"/dashboard/jobs/{job.pk}/cancel/", follow=True)
    assert Job.objects.get(pk=job.pk).status == "succeeded"
    assert any("can't be cancelled" in text for text in texts(response))
    assert not JobLog.objects.filter(job=job, event="cancelled").exists()


def test_cancel_a_waiting_job(operator):
    job = schedule_job("tests.sleep", args=[5], delay=60)
    operator.post(f"/dashboard/jobs/{job.pk}/cancel/")
    assert Job.objects.get(pk=job.pk).status == "cancelled"


def test_rerun_goes_to_the_new_job(operator, burst_worker):
    job = schedule_job("tests.add", args=[2, 3])
    burst_worker()
    response = operator.post(f"/dashboard/jobs/{job.pk}/rerun/")
    new = Job.objects.exclude(pk=job.pk).get()
    assert new.parent_id == job.pk
    assert response["Location"] == f"/dashboard/jobs/{new.pk}/"


def test_bulk_cancel_of_the_filter_confirms_the_count_first(operator):
    jobs = [schedule_job("tests.sleep", args=[5], delay=60) for _ in range(3)]
    schedule_job("tests.add", args=[1, 1], delay=60, queue="high")
    form = {"action": "cancel", "scope": "filter", "queue": "normal", "next": "/dashboard/jobs/?queue=normal"}
    confirm = operator.post("/dashboard/jobs/bulk/", form)
    assert confirm.status_code == 200
    assert confirm.context["count"] == 3
    assert "Cancel 3 jobs?" in confirm.content.decode()
    assert Job.objects.filter(status="cancelled").count() == 0
    done = operator.post(
        "/dashboard/jobs/bulk/",
        {
            "action": "cancel",
            "confirmed": "yes",
            "ids": confirm.context["ids"],
            "next": confirm.context["back"],
        },
    )
    assert done["Location"] == "/dashboard/jobs/?queue=normal"
    assert set(Job.objects.filter(status="cancelled").values_list("pk", flat=True)) == {j.pk for j in jobs}
    assert Job.objects.get(queue="high").status == "scheduled"


def test_bulk_retry_of_a_selection_reports_refusals(operator):
    failed = make_jobs(2, status="failed", task="tests.add", args=[1, 2])
    running = make_jobs(1, status="started", task="tests.add", args=[1, 2])[0]
    ids = [str(j.pk) for j in (*failed, running)]
    response = operator.post(
        "/dashboard/jobs/bulk/", {"action": "retry", "ids": ids, "confirmed": "yes"}, follow=True
    )
    messages = texts(response)
    assert "Retried 2 job(s)." in messages
    assert any(text.startswith("1 job(s) refused") for text in messages)
    assert Job.objects.get(pk=running.pk).status == "started"


def test_bulk_next_never_leaves_the_site(operator):
    job = schedule_job("tests.sleep", args=[5], delay=60)
    response = operator.post(
        "/dashboard/jobs/bulk/",
        {"action": "cancel", "ids": [str(job.pk)], "confirmed": "yes", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/dashboard/jobs/"


def test_pause_and_resume_a_queue(operator):
    operator.post("/dashboard/queues/low/pause/")
    assert QueueStats.objects.get(name="low").paused
    response = operator.post("/dashboard/queues/low/pause/", follow=True)
    assert QueueStats.objects.get(name="low").paused
    assert texts(response)
    operator.post("/dashboard/queues/low/resume/")
    assert not QueueStats.objects.get(name="low").paused


def test_retry_all_of_a_failed_group(operator, burst_worker):
    for message in ("a", "b"):
        schedule_job("tests.fail", args=[message])
    other = make_jobs(1, status="failed", task="tests.add", args=[1, 2], error="ValueError: x")[0]
    burst_worker()
    operator.post("/dashboard/failed/retry/", {"task": "tests.fail", "error_type": "RuntimeError"})
    assert Job.objects.filter(task="tests.fail", status="queued").count() == 2
    assert Job.objects.get(pk=other.pk).status == "failed"


def test_recurring_run_now_pause_resume(operator):
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    rj = RecurringJob.objects.create(name="hourly", task="tests.add", args=[1, 2], interval=every)
    operator.post(f"/dashboard/recurring/{rj.pk}/trigger/")
    assert Job.objects.filter(recurring_job=rj).count() == 1
    operator.post(f"/dashboard/recurring/{rj.pk}/pause/")
    assert not RecurringJob.objects.get(pk=rj.pk).enabled
    response = operator.post(f"/dashboard/recurring/{rj.pk}/pause/", follow=True)
    assert any("already paused" in text for text in texts(response))
    operator.post(f"/dashboard/recurring/{rj.pk}/resume/")
    assert RecurringJob.objects.get(pk=rj.pk).enabled
    assert any(
        "No recurring job" in t or "not" in t.lower()
        for t in texts(operator.post("/dashboard/recurring/999/trigger/", follow=True))
    )
