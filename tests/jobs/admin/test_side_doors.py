"""Other packages' pages are no side door around the services: role × action over every URL.

django-rq's pages (``/admin/django-rq/``) are read-only; every django-rq view that changes
RQ is refused for everyone, superusers included, and no request of any role changes a
Job row, a queue, a registry or the schedule. django-rq's own admin dashboard is gone,
and celery-beat's PeriodicTask admin is read-only with no "run" action.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask
from django_rq.settings import get_queues_map
from rest_framework.authtoken.models import Token
from rq.job import Job as RQJob
from rq.registry import (
    DeferredJobRegistry,
    FailedJobRegistry,
    FinishedJobRegistry,
    ScheduledJobRegistry,
    StartedJobRegistry,
)
from rq.worker import Worker

from jobs.admin import rq_pages
from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.engine.worker_registry import list_workers
from jobs.models import Alert, AlertEvent, AlertRule, Job, JobLog, QueueStats, RecurringJob
from jobs.services import schedule_job
from tests.conftest import wait_for
from tests.factories import superuser, user_with

WORKERS = reverse("admin:jobs_workers")
ACTION_PERMISSIONS = (
    "jobs.schedule_job",
    "jobs.retry_job",
    "jobs.cancel_job",
    "jobs.delete_job",
    "jobs.pause_queue",
    "jobs.trigger_recurring_job",
    "jobs.pause_recurring_job",
    "django_rq.admin",
    "django_celery_beat.add_periodictask",
    "django_celery_beat.change_periodictask",
)
VIEW_PERMISSIONS = ("jobs.view_job", "jobs.view_queuestats", "django_celery_beat.view_periodictask")


def roles() -> Iterator[tuple[str, Client]]:
    """anonymous, staff without perms, view-only, view + each action perm, superuser."""
    yield "anonymous", Client()
    users = [
        ("no perms", user_with(username="noperms")),
        ("view only", user_with(*VIEW_PERMISSIONS, username="viewer")),
    ]
    for index, perm in enumerate(ACTION_PERMISSIONS):
        users.append((f"view + {perm}", user_with(*VIEW_PERMISSIONS, perm, username=f"actor{index}")))
    users.append(("superuser", superuser("root")))
    for label, user in users:
        client = Client()
        client.force_login(user)
        yield label, client


def rq_state() -> dict[str, Any]:
    """Every Job row's status, and what RQ holds: queues, registries, the schedule, job hashes."""
    redis = broker.connection()
    state: dict[str, Any] = {"rows": sorted(Job.objects.values_list("pk", "status", "finished_at"))}
    for name in get_queues_map():
        state[f"queue {name}"] = redis.lrange(f"rq:queue:{name}", 0, -1)
        for registry in (
            StartedJobRegistry,
            FinishedJobRegistry,
            FailedJobRegistry,
            DeferredJobRegistry,
            ScheduledJobRegistry,
        ):
            state[f"{registry.__name__} {name}"] = sorted(registry(name, connection=redis).get_job_ids())
    state["schedule"] = redis.zrange(broker.SCHEDULED_JOBS_KEY, 0, -1)
    state["job hashes"] = sorted(redis.keys("rq:job:*"))
    return state


def django_rq_patterns() -> list[URLPattern]:
    """The URL patterns of the host's django-rq include, found at any depth (``jobs.urls``
    mounts it inside its own include)."""
    pending = list(get_resolver().url_patterns)
    while pending:
        entry = pending.pop()
        if isinstance(entry, URLResolver):
            if entry.namespace == "django_rq":
                return list(entry.url_patterns)
            pending.extend(entry.url_patterns)
    raise AssertionError("django-rq's pages are not mounted")


def fill(pattern: URLPattern, values: dict[str, str]) -> str:
    """Reverse ``pattern`` with the arguments its route names."""
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", str(pattern.pattern))
    return reverse(f"django_rq:{pattern.name}", kwargs={a or b: values[a or b] for a, b in names})


def post_bodies(name: str, job_ids: list[str]) -> list[dict[str, Any]]:
    """What django-rq's forms send: the bulk actions and their confirmation, or nothing."""
    if name not in {"actions", "confirm_action"}:
        return [{}]
    return [
        *({"action": action, "job_ids": job_ids} for action in ("delete", "requeue", "stop")),
        {"action": "delete", "_selected_action": job_ids},
    ]


def requests_to_try(jobs: dict[str, Job], worker_name: str) -> dict[str, list[dict[str, Any]]]:
    """Every django-rq URL, filled in for each job (its queue, its id), with its POST bodies."""
    queue_index = get_queues_map()
    job_ids = [str(job.pk) for job in jobs.values()]
    tries: dict[str, list[dict[str, Any]]] = {}
    for job in jobs.values():
        values = {
            "queue_index": str(queue_index[job.queue]),
            "job_id": str(job.pk),
            "result_id": "1",
            "key": Worker.redis_worker_namespace_prefix + worker_name,
            "scheduler_index": str(queue_index[job.queue]),
            "connection_index": "0",
            "scheduler_name": "jobdesk",
            "cron_job_name": "nothing",
            "token": "guessed",
        }
        for pattern in django_rq_patterns():
            tries[fill(pattern, values)] = post_bodies(pattern.name, job_ids)
    return tries


def refused(response, label: str) -> bool:
    if response.status_code == 302:
        return label == "anonymous" and "/admin/login/" in response["Location"]
    return response.status_code in {403, 404, 405}


def test_no_role_changes_rq_or_job_rows_through_django_rq_pages(rq_jobs):
    worker = wait_for(list_workers, message="the worker to register")[0]
    refused_names = {p.name for p in django_rq_patterns() if p.name not in rq_pages.READ_ONLY}
    assert refused_names >= {"clear", "delete_job", "stop_job", "enqueue_job", "actions", "requeue_all"}
    tries = requests_to_try(rq_jobs, worker.name)
    read_only = {url for url in tries if resolve(url).url_name in rq_pages.READ_ONLY}
    before = rq_state()
    assert before["StartedJobRegistry high"] == [str(rq_jobs["running"].pk)]
    assert before["FailedJobRegistry high"] == [str(rq_jobs["failed"].pk)]
    assert before["queue low"] == [str(rq_jobs["queued"].pk).encode()]
    assert before["schedule"] == [str(rq_jobs["scheduled"].pk).encode()]
    for label, client in roles():
        for url, bodies in tries.items():
            for body in bodies:
                response = client.post(url, body)
                where = f"{label}: POST {url} {body} -> {response.status_code}"
                assert refused(response, label), where
                assert rq_state() == before, where
            response = client.get(url)
            where = f"{label}: GET {url} -> {response.status_code}"
            if url in read_only and label not in {"anonymous", "no perms"}:
                assert response.status_code in {200, 404} or response["Location"] == WORKERS, where
            else:
                assert refused(response, label), where
            assert rq_state() == before, where
    # A stop command, had one gone through, would fail the running job within moments.
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        assert Job.objects.get(pk=rq_jobs["running"].pk).status == JobStatus.STARTED
        time.sleep(0.1)
    assert rq_state() == before
    assert RQJob.fetch(str(rq_jobs["running"].pk), connection=broker.connection()).is_started


@pytest.mark.django_db
def test_read_only_pages_need_both_view_permissions_and_offer_no_actions(
    client, redis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = schedule_job("tests.noop", queue="low")
    low = get_queues_map()["low"]
    pages = [
        reverse("django_rq:home"),
        reverse("django_rq:jobs", args=[low]),
        reverse("django_rq:failed_jobs", args=[low]),
        reverse("django_rq:started_jobs", args=[low]),
        reverse("django_rq:scheduled_jobs", args=[low]),
        reverse("django_rq:job_detail", args=[low, str(queued.pk)]),
    ]
    assert client.get(pages[0])["Location"].startswith("/admin/login/")
    client.force_login(user_with("jobs.view_queuestats", username="half"))
    assert all(client.get(page).status_code == 403 for page in pages)
    client.force_login(user_with(*VIEW_PERMISSIONS, username="viewer"))
    for page in pages:
        assert client.get(page).status_code == 200, page
    for page in pages[1:]:
        # the pages that carry django-rq's action controls get the style that hides them
        assert "jobs/admin/rq_read_only.css" in client.get(page).content.decode(), page
    assert client.get(reverse("django_rq:job_detail", args=[low, "no-such-job"])).status_code == 404
    assert client.get(reverse("django_rq:jobs", args=[99])).status_code == 404
    worker = client.get(reverse("django_rq:worker_details", args=[low, "rq:worker:any"]))
    assert worker["Location"] == WORKERS


@pytest.mark.django_db
def test_queues_page_links_to_django_rq_only_for_those_who_may_see_it(client):
    queues = reverse("admin:jobs_queuestats_changelist")
    client.force_login(user_with("jobs.view_queuestats", username="half"))
    assert reverse("django_rq:home") not in client.get(queues).content.decode()
    client.force_login(user_with(*VIEW_PERMISSIONS, username="viewer"))
    body = client.get(queues).content.decode()
    assert reverse("django_rq:home") in body
    assert reverse("django_rq:jobs", args=[get_queues_map()["low"]]) in body


def admin_patterns() -> Iterator[URLPattern]:
    def walk(entries) -> Iterator[URLPattern]:
        for entry in entries:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns)
            else:
                yield entry

    return walk(admin.site.get_urls())


def test_django_rq_has_no_pages_in_the_admin(admin_client):
    assert not [p for p in admin_patterns() if p.callback.__module__.startswith("django_rq")]
    assert admin_client.get("/admin/django_rq/dashboard/").status_code == 404


@pytest.mark.django_db
def test_periodic_tasks_are_read_only_and_never_run(admin_client):
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES)
    task = PeriodicTask.objects.create(name="legacy", task="tests.noop", interval=every, enabled=False)
    changelist = reverse("admin:django_celery_beat_periodictask_changelist")
    change = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    page = admin_client.get(changelist)
    assert page.status_code == 200 and "jobs_import_celery_beat" in page.content.decode()
    assert [name for name, _ in page.context["action_form"].fields["action"].choices] == [
        "",
        "delete_selected",
    ]
    for action in ("run_tasks", "enable_tasks", "toggle_tasks"):
        response = admin_client.post(changelist, {"action": action, "_selected_action": [task.pk]})
        assert response.status_code in {200, 302}
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"name": "x", "enabled": "on"}).status_code == 403
    add = admin_client.post(reverse("admin:django_celery_beat_periodictask_add"), {"name": "y"})
    assert add.status_code == 403
    task.refresh_from_db()
    assert (task.name, task.enabled, task.total_run_count, task.last_run_at) == ("legacy", False, 0, None)
    assert PeriodicTask.objects.count() == 1


MODELS = (
    Job,
    JobLog,
    RecurringJob,
    QueueStats,
    AlertRule,
    Alert,
    AlertEvent,
    PeriodicTask,
    CrontabSchedule,
    IntervalSchedule,
    ClockedSchedule,
    User,
    Token,
)


def db_state() -> dict[str, Any]:
    return {model.__name__: sorted(map(repr, model.objects.values())) for model in MODELS}


def admin_requests(rows: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every named admin URL, filled with real ids, with each action of its ModelAdmin."""
    for prefix, pattern in walk_admin(admin.site.get_urls()):
        if not pattern.name or pattern.name in {"view_on_site", "app_list", "jsi18n", "logout", "login"}:
            continue
        model_key = pattern.name.rsplit("_", 1)[0]
        values = {
            "object_id": str(rows.get(model_key, "1")),
            "job_id": str(rows["jobs_job"]),
            "rj_id": str(rows["jobs_recurringjob"]),
            "name": "low",
            "id": str(rows["auth_user"]),
            **RQ_ARGUMENTS,
        }
        kwargs = {key: values[key] for key in re.findall(r"<(?:\w+:)?(\w+)>", prefix + str(pattern.pattern))}
        url = reverse(f"admin:{pattern.name}", kwargs=kwargs)
        yield url, {"post": "yes"}
        model_admin = ADMIN_BY_CHANGELIST.get(pattern.name)
        if model_admin is not None:
            for action in actions_of(model_admin):
                yield url, {"action": action, "_selected_action": [rows.get(model_key, 1)], "post": "yes"}


RQ_ARGUMENTS = {
    "queue_index": str(get_queues_map()["low"]),
    "scheduler_index": str(get_queues_map()["low"]),
    "connection_index": "0",
    "scheduler_name": "jobdesk",
    "cron_job_name": "nothing",
    "result_id": "1",
    "key": "rq:worker:nobody",
    "token": "guessed",
}
"""What django-rq's pages take, should any be found among the admin's URLs."""


def walk_admin(entries, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            yield from walk_admin(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix, entry


ADMIN_BY_CHANGELIST = {
    f"{model._meta.app_label}_{model._meta.model_name}_changelist": model_admin
    for model, model_admin in admin.site._registry.items()
}


def actions_of(model_admin) -> list[str]:
    """Every action the ModelAdmin declares, whoever may run it."""
    return ["delete_selected", *(getattr(a, "__name__", a) for a in model_admin.actions or ())]


@pytest.mark.django_db
def test_no_admin_request_changes_anything_for_staff_without_the_permission(
    redis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = schedule_job("tests.noop", queue="low")
    crontab = CrontabSchedule.objects.create(minute="0", hour="6")
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES)
    rows = {
        "jobs_job": job.pk,
        "jobs_joblog": JobLog.objects.create(job=job, event=JobLog.Event.CREATED, message="x").pk,
        "jobs_recurringjob": RecurringJob.objects.create(name="daily", task="tests.noop", crontab=crontab).pk,
        "jobs_queuestats": QueueStats.objects.create(name="low").pk,
        "django_celery_beat_crontabschedule": crontab.pk,
        "django_celery_beat_intervalschedule": every.pk,
        "django_celery_beat_periodictask": PeriodicTask.objects.create(
            name="p", task="tests.noop", interval=every
        ).pk,
    }
    clients = dict(roles()).items()
    viewer = User.objects.get(username="viewer")
    rows["auth_user"] = viewer.pk
    rows["authtoken_tokenproxy"] = Token.objects.create(user=viewer).pk
    before, rq_before = db_state(), rq_state()
    tried = 0
    for label, client in clients:
        if label not in {"anonymous", "no perms", "view only"}:
            continue
        for url, body in admin_requests(rows):
            response = client.post(url, body)
            where = f"{label}: POST {url} {body} -> {response.status_code}"
            if label == "anonymous":
                assert refused(response, label), where
            else:
                assert response.status_code in {200, 302, 403, 404, 405}, where
            assert db_state() == before, where
            assert rq_state() == rq_before, where
            tried += 1
    assert tried > 150


@pytest.mark.django_db
def test_a_schedule_a_recurring_job_uses_is_read_only_in_celery_beats_admin(admin_client):
    used = CrontabSchedule.objects.create(minute="0", hour="6")
    unused = CrontabSchedule.objects.create(minute="0", hour="7")
    recurring = RecurringJob.objects.create(name="daily", task="tests.noop", crontab=used)
    edit = {"minute": "30", "hour": "9", "day_of_month": "*", "month_of_year": "*", "day_of_week": "*"}
    edit |= {"timezone": "UTC", "periodictask_set-TOTAL_FORMS": "0", "periodictask_set-INITIAL_FORMS": "0"}

    def url(action: str, crontab: CrontabSchedule) -> str:
        return reverse(f"admin:django_celery_beat_crontabschedule_{action}", args=[crontab.pk])

    assert admin_client.get(url("change", used)).status_code == 200
    assert admin_client.post(url("change", used), edit).status_code == 403
    assert admin_client.post(url("delete", used), {"post": "yes"}).status_code == 403
    used.refresh_from_db()
    assert (used.minute, used.hour) == ("0", "6")
    assert RecurringJob.objects.filter(pk=recurring.pk, crontab=used).exists()
    assert admin_client.post(url("change", unused), edit).status_code == 302
    unused.refresh_from_db()
    assert (unused.minute, unused.hour) == ("30", "9")
