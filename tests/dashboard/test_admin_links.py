"""Creating and editing recurring jobs and alert rules stays in the admin; the dashboard links there."""

from __future__ import annotations

import pytest
from django.test import Client
from django_celery_beat.models import IntervalSchedule

from jobs.models import RecurringJob
from jobs.monitoring.alerts.evaluate import evaluate
from jobs.services import schedule_job
from jobs.services.alerts import create_alert_rule
from tests.dashboard.conftest import VIEW_PERMS
from tests.factories import user_with

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(db) -> Client:
    client = Client()
    editing = ("add_recurringjob", "change_recurringjob", "add_alertrule", "change_alertrule")
    client.force_login(user_with(*VIEW_PERMS, *editing, username="editor"))
    return client


@pytest.fixture
def scene() -> tuple[RecurringJob, int]:
    """A recurring job, and an alert rule with an open alert (the overview lists active alerts)."""
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    rj = RecurringJob.objects.create(name="hourly", task="tests.add", args=[1, 2], interval=every)
    rule = create_alert_rule(name="backlog", kind="backlog", threshold=0)
    schedule_job("tests.add", args=[1, 1])
    evaluate()
    return rj, rule.pk


def test_who_may_edit_gets_links_to_the_admins_pages(editor, scene):
    rj, rule_id = scene
    recurring = editor.get("/dashboard/recurring/").content.decode()
    assert 'href="/admin/jobs/recurringjob/add/"' in recurring
    assert f'href="/admin/jobs/recurringjob/{rj.pk}/change/"' in recurring
    overview = editor.get("/dashboard/").content.decode()
    assert f'href="/admin/jobs/alertrule/{rule_id}/change/"' in overview
    assert 'href="/admin/jobs/alertrule/add/"' in overview


def test_who_may_only_look_gets_no_links(viewer, scene):
    recurring = viewer.get("/dashboard/recurring/").content.decode()
    overview = viewer.get("/dashboard/").content.decode()
    assert "backlog" in overview and "hourly" in recurring
    assert "/admin/jobs/recurringjob/" not in recurring
    assert "/admin/jobs/alertrule/" not in overview
