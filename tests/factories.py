"""Rows a test needs as its scene: jobs in any state, users by action, recurring jobs, alert rules.

Every test file used to copy its own ``staff()``, ``make_job()`` or user helper; these
are the one set. Users get permissions by *action name* (:mod:`jobs.services.actions`),
the same table every interface checks, so a test never spells a codename the table
might map differently. ``make_job`` writes a row only: nothing reaches Redis and no
worker runs, for tests that look at jobs rather than run them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import Permission, User
from django.db.models import Q
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jobs.core.states import TERMINAL, JobStatus
from jobs.models import AlertRule, Job, JobLog, RecurringJob
from jobs.services import actions, create_recurring_job
from jobs.services.alerts import create_alert_rule

S = JobStatus
PASSWORD = "pw"
VIEW_ACTIONS = ("view_job", "view_queue", "view_recurring_job", "view_alert_rule")
"""Reads every page and list, may do nothing."""
ALL_ACTIONS = tuple(actions.ACTIONS)
EVERY_MINUTE = {"interval": {"every": 1, "period": "minutes"}}


def make_job(status: str = S.QUEUED, **fields: Any) -> Job:
    """One job row in ``status``, with the timestamps and outcome a worker would have left."""
    now = timezone.now()
    defaults: dict[str, Any] = {"task": "tests.add", "args": [1, 2], "queue": "normal", "status": status}
    if status in (S.STARTED, S.SUCCEEDED, S.FAILED):
        defaults.update(attempts=1, started_at=now, enqueued_at=now, worker_name="worker")
    if status in TERMINAL:
        defaults["finished_at"] = now
    if status == S.SUCCEEDED:
        defaults.update(result=3, progress=100)
    if status == S.FAILED:
        defaults["error"] = "RuntimeError: boom"
    if status == S.SCHEDULED:
        defaults["run_at"] = now + timedelta(hours=1)
    return Job.objects.create(**{**defaults, **fields})


def make_jobs(count: int, *, status: str = S.SUCCEEDED, **fields: Any) -> list[Job]:
    """``count`` job rows one second apart, newest last, each with one log line (for list pages)."""
    now = timezone.now()
    defaults = {"task": "tests.add", "queue": "normal", "args": [1, 2], "status": status}
    jobs = Job.objects.bulk_create(
        Job(created_at=now - timedelta(seconds=count - i), **{**defaults, **fields}) for i in range(count)
    )
    JobLog.objects.bulk_create(JobLog(job=job, event="created", message="created") for job in jobs)
    return jobs


def permissions_for(*names: str) -> list[Permission]:
    """The permissions of action names (``"retry_job"``), ``"app_label.codename"`` strings,
    or bare codenames of Jobdesk's own models (``"view_queuestats"``).

    Raises:
        KeyError: for a name that is no permission, so a typo fails the test loudly.
    """
    wanted = {_dotted(name) for name in names}
    query = Q(pk__in=[])
    for dotted in wanted:
        app_label, codename = dotted.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query))
    missing = wanted - {f"{p.content_type.app_label}.{p.codename}" for p in found}
    if missing:
        raise KeyError(f"no such permission: {', '.join(sorted(missing))}")
    return found


def _dotted(name: str) -> str:
    if "." in name:
        return name
    return actions.permission(name) if name in actions.ACTIONS else f"jobs.{name}"


def user_with(*names: str, username: str = "operator", is_staff: bool = True) -> User:
    """A user who may do exactly the named actions (see :func:`permissions_for`), nothing else."""
    user = User.objects.create_user(username, password=PASSWORD, is_staff=is_staff)
    user.user_permissions.set(permissions_for(*names))
    return User.objects.get(pk=user.pk)  # a fresh object: no permission cache from before the grant


def staff(client: Client, *names: str, username: str = "operator") -> User:
    """A staff user with the named actions, logged in on ``client``."""
    user = user_with(*names, username=username)
    client.force_login(user)
    return user


def token_client(user: User) -> APIClient:
    """A REST/GraphQL client that authenticates as ``user`` with a DRF token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def superuser(username: str = "root") -> User:
    return User.objects.create_superuser(username, f"{username}@example.com", PASSWORD)


def make_recurring(
    name: str = "tick",
    schedule: dict[str, Any] | None = None,
    *,
    task: str = "tests.noop",
    now: datetime | None = None,
    **options: Any,
) -> RecurringJob:
    """A recurring job through the services; by default every minute, its first run at ``now``."""
    now = now or timezone.now()
    options.setdefault("start_at", now)
    return create_recurring_job(
        name=name, task=task, schedule=schedule or EVERY_MINUTE, now=now - timedelta(seconds=1), **options
    )


def make_alert_rule(
    name: str = "backlog", *, kind: str = "backlog", threshold: float = 0, **fields: Any
) -> AlertRule:
    """An alert rule through the services (so it is validated as an operator's would be)."""
    return create_alert_rule(name=name, kind=kind, threshold=threshold, **fields)
