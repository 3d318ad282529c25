"""The admin and the dashboard read permissions from ``jobs.services.actions``, never spell them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from django.apps import apps

from jobs.services import actions

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [ROOT / "jobs" / "admin", ROOT / "dashboard", ROOT / "jobs" / "templates"]


def jobs_permissions() -> set[str]:
    """Every permission of the jobs app: each model's default ones and its Meta.permissions."""
    found = set()
    for model in apps.get_app_config("jobs").get_models():
        opts = model._meta
        found |= {f"jobs.{action}_{opts.model_name}" for action in opts.default_permissions}
        found |= {f"jobs.{codename}" for codename, _ in opts.permissions}
    return found


def source_files() -> list[Path]:
    return [p for root in SOURCES for p in root.rglob("*") if p.suffix in {".py", ".html", ".js"}]


def test_no_permission_codename_is_spelt_in_the_admin_or_the_dashboard():
    codenames = jobs_permissions()
    assert {"jobs.retry_job", "jobs.view_queuestats", "jobs.delete_alertrule"} <= codenames
    files = source_files()
    assert any(p.name == "jobs.py" for p in files) and any(p.name == "job_detail.html" for p in files)
    spelt = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for text in [path.read_text()]
        for name in [*codenames, "perms.jobs"]
        if name in text
    }
    assert spelt == set()


def test_every_action_the_table_names_has_a_real_permission():
    assert {a.permission for a in actions.ACTIONS.values()} <= jobs_permissions()


@pytest.mark.django_db
def test_a_change_to_the_table_changes_what_the_admin_allows(client, staff, monkeypatch):
    from django.urls import reverse

    from jobs.models import Job

    staff("view_job", "cancel_job")
    job = Job.objects.create(task="tests.add", args=[1, 2], status="failed")
    retry = reverse("admin:jobs_job_retry", args=[job.pk])
    assert client.post(retry).status_code == 403
    moved = replace(actions.ACTIONS["retry_job"], permission=actions.permission("cancel_job"))
    monkeypatch.setitem(actions.ACTIONS, "retry_job", moved)
    assert client.post(retry).status_code == 302
    assert Job.objects.get(pk=job.pk).status == "queued"
