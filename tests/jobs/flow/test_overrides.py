"""Limits overridden in the admin: validated, in force at the next claim, audited."""

import pytest
from django.test import Client

from jobs.engine import execution
from jobs.exceptions import Invalid
from jobs.models import FlowChange, FlowOverride
from jobs.services import flow, schedule_job
from tests.factories import superuser, user_with

pytestmark = pytest.mark.django_db(transaction=True)


def claims(task: str, count: int, **options) -> list:
    return [execution.claim(str(schedule_job(task, **options).pk), "w") for _ in range(count)]


def test_an_override_tightens_a_task_at_the_next_claim_and_is_audited():
    user = superuser()
    flow.save_override("task", "tests.flow.limited", concurrency=1, user=user, via="admin")
    assert [bool(job) for job in claims("tests.flow.limited", 2, args=[1])] == [True, False]
    assert flow.task_flow("tests.flow.limited")["concurrency"] == 1
    change = FlowChange.objects.get()
    assert (change.target, change.change, change.user, change.interface) == (
        "task:tests.flow.limited",
        "as in code → concurrency 1",
        user,
        "admin",
    )


def test_an_override_limits_a_task_that_has_none_in_code_and_deleting_it_lifts_it():
    row = flow.save_override("task", "tests.add", concurrency=1)
    assert [bool(job) for job in claims("tests.add", 2, args=[1, 1])] == [True, False]
    flow.delete_override(row.pk)
    assert all(claims("tests.add", 2, args=[2, 2]))
    assert list(FlowChange.objects.values_list("change", flat=True)) == [
        "concurrency 1 → as in code",
        "as in code → concurrency 1",
    ]


def test_a_queue_override():
    flow.save_override("queue", "low", rate_limit="1/m")
    assert [bool(job) for job in claims("tests.add", 2, args=[1, 1], queue="low")] == [True, False]


@pytest.mark.parametrize(
    ("kind", "name", "options", "field"),
    [
        ("task", "tests.flow.limited", {"concurrency": 0}, "concurrency"),
        ("task", "tests.flow.limited", {"concurrency": -1}, "concurrency"),
        ("task", "tests.flow.limited", {"rate_limit": "10"}, "rate_limit"),
        ("task", "tests.flow.limited", {"rate_limit": "0/s"}, "rate_limit"),
        ("task", "no.such.task", {"concurrency": 2}, "name"),
        ("queue", "nowhere", {"concurrency": 2}, "name"),
        ("thing", "low", {"concurrency": 2}, "kind"),
    ],
)
def test_bad_overrides_are_refused_and_change_nothing(kind, name, options, field):
    with pytest.raises(Invalid) as refused:
        flow.save_override(kind, name, **options)
    assert field in refused.value.fields
    assert not FlowOverride.objects.exists() and not FlowChange.objects.exists()


def test_the_admin_saves_through_the_service_and_shows_errors_on_the_form():
    admin = Client()
    admin.force_login(user_with("override_limits", "view_flow", username="ops"))
    page = admin.post(
        "/admin/jobs/flowoverride/add/", {"kind": "task", "name": "tests.flow.limited", "concurrency": "0"}
    )
    assert page.status_code == 200 and "above 0" in page.content.decode()
    bad_rate = admin.post(
        "/admin/jobs/flowoverride/add/", {"kind": "queue", "name": "low", "rate_limit": "5"}
    )
    assert "form" in bad_rate.content.decode() and not FlowOverride.objects.exists()
    saved = admin.post(
        "/admin/jobs/flowoverride/add/", {"kind": "task", "name": "tests.flow.limited", "concurrency": "2"}
    )
    assert saved.status_code == 302
    assert FlowChange.objects.get().user.username == "ops"
    reader = Client()
    reader.force_login(user_with("view_flow", username="reader"))
    assert reader.post("/admin/jobs/flowoverride/add/", {"kind": "queue", "name": "low"}).status_code == 403
