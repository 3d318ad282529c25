"""The queues and workers admin pages: figures, pause/resume permissions, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jobs.models import QueueStats
from tests.conftest import wait_for
from tests.factories import staff

pytestmark = pytest.mark.django_db

QUEUES = reverse("admin:jobs_queuestats_changelist")
WORKERS = reverse("admin:jobs_workers")


def test_queues_page_shows_every_queue_with_its_figures_and_links(admin_client):
    QueueStats.objects.create(
        name="high", waiting=7, failed=2, succeeded_total=3, failed_total=1, runtime_total_ms=2000
    )
    body = admin_client.get(QUEUES).content.decode()
    for name in ("high", "normal", "low"):
        assert f'id="queue-{name}"' in body
    assert ">7</a>" in body and "0.50 s" in body
    assert "?queue=high&amp;status__exact=failed" in body
    assert reverse("django_rq:home") in body and WORKERS in body
    assert body.count(">Pause</button>") == 3


def test_queues_page_query_count_is_fixed(admin_client):
    with CaptureQueriesContext(connection) as empty:
        admin_client.get(QUEUES)
    for name in ("high", "normal", "low"):
        QueueStats.objects.create(name=name, waiting=1)
    with CaptureQueriesContext(connection) as full:
        admin_client.get(QUEUES)
    assert len(empty) == len(full)


def test_pause_and_resume_through_the_service(admin_client, redis):
    response = admin_client.post(reverse("admin:jobs_queuestats_pause", args=["low"]), follow=True)
    assert "Queue low is paused." in [str(m) for m in response.context["messages"]]
    assert QueueStats.objects.get(name="low").paused
    assert ">Resume</button>" in response.content.decode()
    again = admin_client.post(reverse("admin:jobs_queuestats_pause", args=["low"]), follow=True)
    assert "Queue 'low' is already paused." in [str(m) for m in again.context["messages"]]
    admin_client.post(reverse("admin:jobs_queuestats_resume", args=["low"]))
    assert not QueueStats.objects.get(name="low").paused


def test_unknown_queue_is_a_message_not_an_error(admin_client):
    response = admin_client.post(reverse("admin:jobs_queuestats_pause", args=["<b>nowhere"]), follow=True)
    assert response.status_code == 200
    assert any("Unknown queue" in str(m) for m in response.context["messages"])
    assert "<b>nowhere" not in response.content.decode()
    assert not QueueStats.objects.filter(name="<b>nowhere").exists()


def test_viewing_queues_does_not_allow_pausing(client):
    staff(client, "view_queuestats")
    body = client.get(QUEUES).content.decode()
    assert "Pause</button>" not in body
    assert client.post(reverse("admin:jobs_queuestats_pause", args=["low"])).status_code == 403
    assert client.get(reverse("admin:jobs_queuestats_pause", args=["low"])).status_code == 405
    assert not QueueStats.objects.filter(name="low", paused=True).exists()


def test_queues_and_workers_need_the_view_permission(client):
    staff(client, "view_job")
    assert client.get(QUEUES).status_code == 403
    assert client.get(WORKERS).status_code == 403
    assert WORKERS not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.slow
def test_workers_page_lists_a_running_worker_and_its_job(admin_client, processes):
    from jobs.services import schedule_job

    processes.worker("low", name="w1")
    job = schedule_job("tests.sleep", args=[30], queue="low")

    def current_job_shown() -> bool:
        return str(job.pk) in admin_client.get(WORKERS).content.decode()

    wait_for(current_job_shown, timeout=60, message="the worker to take the job")
    body = admin_client.get(WORKERS).content.decode()
    assert reverse("admin:jobs_job_change", args=[job.pk]) in body and "busy" in body
    assert WORKERS in admin_client.get(reverse("admin:index")).content.decode()
