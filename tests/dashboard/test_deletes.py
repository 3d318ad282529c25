"""Deleting jobs and recurring jobs from the dashboard: asked first, done by the services."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django_celery_beat.models import IntervalSchedule

from jobs.models import Job, JobLog, RecurringJob
from jobs.services import actions, schedule_job
from tests.dashboard.conftest import XSS
from tests.factories import make_jobs, user_with

pytestmark = pytest.mark.django_db(transaction=True)


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def hourly(name: str = "hourly") -> RecurringJob:
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    return RecurringJob.objects.create(name=name, task="tests.add", args=[1, 2], interval=every)


def test_deleting_a_job_asks_first_then_deletes_it_and_its_rq_copy(deleter, redis):
    from jobs.engine import broker

    job = schedule_job("tests.add", args=[1, 2])
    url = f"/dashboard/jobs/{job.pk}/delete/"
    assert url in deleter.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    asked = deleter.post(url)
    assert asked.status_code == 200
    assert f"Delete job tests.add {job.pk}?" in asked.content.decode()
    assert Job.objects.filter(pk=job.pk).exists() and broker.queue("normal").count == 1
    done = deleter.post(url, {"confirmed": "yes"})
    assert done["Location"] == "/dashboard/jobs/"
    assert texts(done) == [f"Deleted job {job.pk}."]
    assert not Job.objects.filter(pk=job.pk).exists() and not JobLog.objects.filter(job_id=job.pk).exists()
    assert broker.queue("normal").count == 0


def test_a_running_jobs_delete_is_refused_with_the_reason(deleter):
    running = make_jobs(1, status="started")[0]
    assert "/delete/" not in deleter.get(f"/dashboard/jobs/{running.pk}/").content.decode()
    response = deleter.post(f"/dashboard/jobs/{running.pk}/delete/", {"confirmed": "yes"})
    assert response["Location"] == f"/dashboard/jobs/{running.pk}/"
    assert texts(response) == [f"Job {running.pk} is started and can't be deleted: cancel it first."]
    assert Job.objects.get(pk=running.pk).status == "started"


def test_deleting_an_unknown_job_is_a_message(deleter):
    response = deleter.post("/dashboard/jobs/not-a-uuid/delete/", follow=True)
    assert response.status_code == 200
    assert any("No job" in text or "not" in text.lower() for text in texts(response))


def test_bulk_delete_confirms_the_count_and_reports_refusals(deleter):
    finished = make_jobs(2, status="succeeded")
    running = make_jobs(1, status="started")[0]
    ids = [str(job.pk) for job in (*finished, running)]
    bar = deleter.get("/dashboard/jobs/").content.decode()
    assert 'value="delete">Delete…' in bar and 'value="retry"' not in bar
    confirm = deleter.post("/dashboard/jobs/bulk/", {"action": "delete", "ids": ids})
    page = confirm.content.decode()
    assert "Delete 3 jobs?" in page and "can't be deleted now are skipped" in page
    assert Job.objects.count() == 3
    done = deleter.post("/dashboard/jobs/bulk/", {"action": "delete", "ids": ids, "confirmed": "yes"})
    shown = texts(done)
    assert "Deleted 2 job(s)." in shown
    assert any(text.startswith("1 job(s) refused: ") and "cancel it first" in text for text in shown)
    assert list(Job.objects.values_list("pk", flat=True)) == [running.pk]


def test_the_bulk_limit_is_the_tables(deleter, monkeypatch):
    make_jobs(3, status="failed")
    monkeypatch.setitem(actions.ACTIONS, "delete_job", replace(actions.ACTIONS["delete_job"], bulk_limit=2))
    confirm = deleter.post("/dashboard/jobs/bulk/", {"action": "delete", "scope": "filter"})
    assert confirm.context["count"] == 2 and confirm.context["limit"] == 2
    assert "(at most 2 per action)" in confirm.content.decode()


def test_without_the_delete_permission_there_is_no_button_and_a_403(operator):
    job = make_jobs(1, status="succeeded")[0]
    assert "/delete/" not in operator.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    assert 'value="delete"' not in operator.get("/dashboard/jobs/").content.decode()
    assert operator.post(f"/dashboard/jobs/{job.pk}/delete/").status_code == 403
    assert operator.post(f"/dashboard/jobs/{job.pk}/delete/", {"confirmed": "yes"}).status_code == 403
    bulk = {"action": "delete", "ids": [str(job.pk)], "confirmed": "yes"}
    assert operator.post("/dashboard/jobs/bulk/", bulk).status_code == 403
    assert Job.objects.filter(pk=job.pk).exists()


def test_delete_needs_post_and_csrf(db):
    job = make_jobs(1, status="succeeded")[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with("view_job", "delete_job", username="del"))
    assert client.get(f"/dashboard/jobs/{job.pk}/delete/").status_code == 405
    assert client.post(f"/dashboard/jobs/{job.pk}/delete/", {"confirmed": "yes"}).status_code == 403
    assert Job.objects.filter(pk=job.pk).exists()


def test_deleting_a_recurring_job_asks_first_and_keeps_its_past_runs(deleter):
    rj = hourly(XSS)
    past = make_jobs(1, status="succeeded", recurring_job=rj)[0]
    url = f"/dashboard/recurring/{rj.pk}/delete/"
    assert url in deleter.get("/dashboard/recurring/").content.decode()
    asked = deleter.post(url)
    page = asked.content.decode()
    assert asked.status_code == 200 and "Delete recurring job &lt;img" in page and XSS not in page
    assert RecurringJob.objects.filter(pk=rj.pk).exists()
    done = deleter.post(url, {"confirmed": "yes"})
    assert done["Location"] == "/dashboard/recurring/"
    assert texts(done) == [f"Deleted recurring job {rj.pk}."]
    assert not RecurringJob.objects.exists()
    assert Job.objects.get(pk=past.pk).recurring_job_id is None


def test_deleting_an_unknown_recurring_job_is_a_message(deleter):
    for data in ({}, {"confirmed": "yes"}):
        response = deleter.post("/dashboard/recurring/999/delete/", data, follow=True)
        assert response.redirect_chain == [("/dashboard/recurring/", 302)]
        assert [str(m) for m in response.context["messages"]] == ["No recurring job with id '999'."]


def test_recurring_delete_needs_its_permission(operator):
    rj = hourly()
    assert "/delete/" not in operator.get("/dashboard/recurring/").content.decode()
    assert operator.post(f"/dashboard/recurring/{rj.pk}/delete/", {"confirmed": "yes"}).status_code == 403
    assert RecurringJob.objects.filter(pk=rj.pk).exists()
