"""The recurring-jobs admin: list, editing through the services, actions and their permissions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, IntervalSchedule

from jobs.models import Job, RecurringJob
from jobs.services import create_recurring_job
from tests.factories import staff

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:jobs_recurringjob_changelist")
ADD = reverse("admin:jobs_recurringjob_add")
EVERY_MINUTE = {"interval": {"every": 1, "period": "minutes"}}


def make(name: str = "tick", **options) -> RecurringJob:
    return create_recurring_job(name=name, task="tests.add", args=[1, 2], schedule=EVERY_MINUTE, **options)


def form_data(**overrides) -> dict:
    interval = IntervalSchedule.objects.create(every=5, period="minutes")
    data = {
        "name": "nightly",
        "task": "tests.add",
        "args": "[1, 2]",
        "kwargs": "{}",
        "queue": "",
        "priority": "",
        "description": "",
        "interval": str(interval.pk),
        "enabled": "on",
        "max_concurrent_runs": "1",
        "misfire_policy": "run_once",
    }
    return {**data, **overrides}


def test_list_shows_schedule_in_words_last_run_and_success_rate_in_fixed_queries(admin_client):
    rj = make()
    RecurringJob.objects.filter(pk=rj.pk).update(success_count=3, failure_count=1)
    with CaptureQueriesContext(connection) as one:
        admin_client.get(CHANGELIST)
    for n in range(5):
        make(f"more-{n}")
    admin_client.post(CHANGELIST, {"action": "run_now", "_selected_action": [str(rj.pk)]})
    with CaptureQueriesContext(connection) as six:
        body = admin_client.get(CHANGELIST).content.decode()
    assert "Every minute" in body and "75%" in body and "jobs-badge jobs-queued" in body
    assert len(one) == len(six)


def test_detail_shows_the_next_five_runs_and_a_link_to_the_runs(admin_client):
    rj = make()
    body = admin_client.get(reverse("admin:jobs_recurringjob_change", args=[rj.pk])).content.decode()
    assert body.count(" UTC<br>") == 4
    assert f"?recurring_job__id__exact={rj.pk}" in body


def test_add_through_the_form_uses_the_service(admin_client):
    response = admin_client.post(ADD, form_data())
    assert response.status_code == 302
    rj = RecurringJob.objects.get(name="nightly")
    assert (rj.interval.every, rj.args, rj.next_run_at is not None) == (5, [1, 2], True)


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"args": "[1, 2, 3]"}, "args", "Arguments don't fit"),
        ({"args": "[1, "}, "args", "Enter a valid JSON"),
        ({"queue": "nowhere"}, "queue", "Unknown queue"),
        ({"task": "os.system"}, "task", "Select a valid choice"),
        ({"interval": ""}, "__all__", "exactly one"),
    ],
)
def test_add_refuses_bad_input_and_saves_nothing(admin_client, overrides, field, text):
    response = admin_client.post(ADD, form_data(**overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert text in " ".join(errors.get(field, [])), errors
    assert not RecurringJob.objects.exists()


def test_editing_the_schedule_goes_through_the_service(admin_client):
    rj = make()
    crontab = CrontabSchedule.objects.create(minute="0", hour="6")
    data = form_data(name="tick", interval="", crontab=str(crontab.pk))
    response = admin_client.post(reverse("admin:jobs_recurringjob_change", args=[rj.pk]), data)
    assert response.status_code == 302
    rj.refresh_from_db()
    assert (rj.interval_id, rj.crontab.hour, rj.next_run_at.hour) == (None, "6", 6)


def test_actions_run_now_disable_enable_report_refusals(admin_client, admin_user):
    rj = make()
    post = {"_selected_action": [str(rj.pk)]}
    admin_client.post(CHANGELIST, {"action": "run_now", **post})
    run = Job.objects.get(recurring_job=rj)
    assert run.created_by == admin_user
    admin_client.post(CHANGELIST, {"action": "disable", **post})
    rj.refresh_from_db()
    assert not rj.enabled
    response = admin_client.post(CHANGELIST, {"action": "disable", **post}, follow=True)
    assert any(
        "1 refused: tick: Recurring job 'tick' is already paused." in str(m)
        for m in response.context["messages"]
    )
    admin_client.post(CHANGELIST, {"action": "enable", **post})
    rj.refresh_from_db()
    assert rj.enabled and rj.next_run_at is not None


def test_actions_need_their_permissions(client):
    rj = make()
    staff(client, "view_recurringjob", "trigger_recurring_job")
    choices = [name for name, _ in client.get(CHANGELIST).context["action_form"].fields["action"].choices]
    assert "run_now" in choices and "disable" not in choices and "delete_selected" not in choices
    client.post(CHANGELIST, {"action": "disable", "_selected_action": [str(rj.pk)]})
    rj.refresh_from_db()
    assert rj.enabled
    data = form_data(name="renamed")
    assert client.post(reverse("admin:jobs_recurringjob_change", args=[rj.pk]), data).status_code == 403
    assert RecurringJob.objects.get().name == "tick"


def test_delete_goes_through_the_service(admin_client):
    rj = make()
    response = admin_client.post(reverse("admin:jobs_recurringjob_delete", args=[rj.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not RecurringJob.objects.exists()


def test_add_form_offers_the_registered_tasks_and_links_to_add_schedules(admin_client):
    body = admin_client.get(ADD).content.decode()
    assert "tests.sleep(seconds: float)" in body
    for kind in ("crontab", "interval", "clocked"):
        assert f'id="add_id_{kind}"' in body


def test_detail_buttons_follow_state_and_permissions(client, admin_client):
    rj = make()
    detail = reverse("admin:jobs_recurringjob_change", args=[rj.pk])
    body = admin_client.get(detail).content.decode()
    assert "Run now</button>" in body and "Disable</button>" in body and "Enable</button>" not in body
    response = admin_client.post(reverse("admin:jobs_recurringjob_pause", args=[rj.pk]), follow=True)
    assert "Enable</button>" in response.content.decode()
    rj.refresh_from_db()
    assert not rj.enabled
    admin_client.post(reverse("admin:jobs_recurringjob_run", args=[rj.pk]))
    assert Job.objects.filter(recurring_job=rj).count() == 1
    staff(client, "view_recurringjob")
    body = client.get(detail).content.decode()
    assert "Run now</button>" not in body and "Enable</button>" not in body
    assert client.post(reverse("admin:jobs_recurringjob_run", args=[rj.pk])).status_code == 403
    assert client.post(reverse("admin:jobs_recurringjob_resume", args=[rj.pk])).status_code == 403
    assert Job.objects.filter(recurring_job=rj).count() == 1
    rj.refresh_from_db()
    assert not rj.enabled
