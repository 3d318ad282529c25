"""Jobs leave the admin through ``delete_job(s)``: running ones are refused with the reason."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from jobs.models import Job, JobLog
from jobs.services import schedule_job
from tests.jobs.admin.conftest import messages_of

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = reverse("admin:jobs_job_changelist")


def make_job(status: str) -> Job:
    job = Job.objects.create(task="tests.add", args=[1, 2], queue="normal", status=status)
    JobLog.objects.create(job=job, message="created")
    return job


def delete_page(job: Job) -> str:
    return reverse("admin:jobs_job_delete", args=[job.pk])


def test_the_delete_page_deletes_a_waiting_job_through_the_service(admin_client, redis, caplog):
    from jobs.engine import broker

    job = schedule_job("tests.add", args=[1, 2])
    assert broker.queue("normal").count == 1
    with caplog.at_level(logging.INFO, logger="jobs.services"):
        response = admin_client.post(delete_page(job), {"post": "yes"}, follow=True)
    assert messages_of(response) == ["Deleted 1 job."]
    assert f"job_id={job.pk} event=deleted by=admin via admin" in caplog.text
    assert not Job.objects.filter(pk=job.pk).exists() and not JobLog.objects.filter(job_id=job.pk).exists()
    assert broker.queue("normal").count == 0


def test_the_delete_page_refuses_a_running_job_with_the_reason(admin_client):
    running = make_job("started")
    response = admin_client.post(delete_page(running), {"post": "yes"}, follow=True)
    reason = f"Job {running.pk} is started and can't be deleted: cancel it first."
    assert messages_of(response) == [f"1 refused: {running.pk}: {reason}"]
    assert Job.objects.get(pk=running.pk).status == "started"
    assert JobLog.objects.filter(job=running).exists()


def test_without_the_delete_permission_the_page_and_action_are_closed(client, staff):
    staff("view_job", "retry_job")
    job = make_job("succeeded")
    assert client.get(delete_page(job)).status_code == 403
    assert client.post(delete_page(job), {"post": "yes"}).status_code == 403
    actions = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "delete_selected" not in [name for name, _ in actions]
    client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [str(job.pk)], "post": "yes"})
    assert Job.objects.filter(pk=job.pk).exists()


def test_the_delete_permission_alone_opens_deleting(client, staff):
    staff("view_job", "delete_job")
    job = make_job("failed")
    data = {"action": "delete_selected", "_selected_action": [str(job.pk)], "post": "yes"}
    response = client.post(CHANGELIST, data, follow=True)
    assert messages_of(response) == ["Deleted 1 job."]
    assert not Job.objects.filter(pk=job.pk).exists()
