"""The dashboard's job page says why a job waits; queue pages show limits and usage."""

import pytest
from django.test import Client
from django.urls import reverse

from jobs.engine import execution
from jobs.engine.flow import breakers
from jobs.services import schedule_job
from tests.factories import user_with

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def viewer() -> Client:
    client = Client()
    client.force_login(user_with("view_job", "view_queuestats", username="viewer"))
    return client


def test_a_held_job_says_what_it_waits_for(viewer):
    breakers.force("tests-bank", open_=True)
    held = schedule_job("tests.flow.bank")
    execution.claim(str(held.pk), "w")
    page = viewer.get(reverse("dashboard:job", args=[held.pk])).content.decode()
    assert "waiting: tests-bank breaker forced open" in page
    assert "breaker tests-bank" in page


def test_the_queue_page_shows_usage_of_its_tasks_limits(viewer):
    for n in range(4):
        execution.claim(str(schedule_job("tests.flow.limited", args=[n]).pk), "w")
    page = viewer.get(reverse("dashboard:queue", args=["normal"])).content.decode()
    assert 'data-flow-task="tests.flow.limited"' in page
    assert "<td>3 / 3</td><td>1</td>" in page


def test_pages_render_without_flow_lines_for_jobs_without_limits(viewer):
    job = schedule_job("tests.add", args=[1, 2])
    page = viewer.get(reverse("dashboard:job", args=[job.pk])).content.decode()
    assert "data-flow-wait" not in page and "data-flow-task" not in page
