"""A django.tasks task is a Jobdesk task: listed everywhere, scheduled, retried, cancelled, paused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.backends.compat import TaskResultStatus
from jobs.core.registry import get_task
from jobs.core.states import JobStatus
from jobs.models import Job
from jobs.services import cancel_job, pause_queue, resume_queue, retry_job, schedule_job
from tests import backends_tasks as tasks
from tests.factories import staff, token_client, user_with
from tests.jobs.graphql.client import data

pytestmark = pytest.mark.django_db

NAME = "tests.backends_tasks.flaky"


def test_it_is_registered_with_its_signature_and_jobdesk_options():
    described = get_task(NAME).describe()
    assert described["signature"] == "tests.backends_tasks.flaky(fail_times: int) -> int"
    assert (described["max_attempts"], described["backoff"]["strategy"], described["backoff"]["initial"]) == (
        3, "fixed", 0)  # fmt: skip
    assert described["description"].startswith("Fail while the attempt number")


def test_rest_graphql_and_the_admin_form_list_it(client):
    api = token_client(user_with("view_job", username="reader", is_staff=False))
    assert NAME in [task["name"] for task in api.get("/api/tasks/").json()]
    assert NAME in [task["name"] for task in data(api, "{ tasks { name } }")["tasks"]]
    staff(client, "schedule_job")
    assert NAME in client.get(reverse("admin:jobs_job_add")).content.decode()


def test_scheduled_from_jobdesk_it_runs_the_django_function(burst_worker):
    job = schedule_job("tests.backends_tasks.add", args=[20, 22], via="rest")
    burst_worker()
    job.refresh_from_db()
    assert (job.status, job.result) == (JobStatus.SUCCEEDED, 42)
    assert tasks.add.get_result(str(job.pk)).return_value == 42


def test_it_can_be_cancelled_and_retried(burst_worker):
    result = tasks.add.enqueue(1, 2)
    cancel_job(result.id)
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    retry_job(result.id)
    burst_worker()
    result.refresh()
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 3)


def test_a_paused_queue_holds_it(burst_worker):
    pause_queue("normal")
    result = tasks.add.enqueue(1, 2)
    burst_worker("normal")
    assert Job.objects.get(pk=result.id).status == JobStatus.QUEUED
    resume_queue("normal")
    burst_worker("normal")
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
