"""The one settings call of a host project: ``jobs.setup.configure(globals())``.

Jobdesk's views set what DRF, drf-spectacular and graphene would read from the host's
settings (authentication, schema class, error handler, GraphQL schema), so the host's
own APIs keep their settings. What can only be a setting is set here, each only when
the host hasn't set it already:

- ``INSTALLED_APPS``: Jobdesk's apps and the ones its pages and APIs are built on, when
  missing, just before ``django.contrib.admin`` (Jobdesk's templates override some of
  the admin's and django-rq's, and the first app holding a template wins);
- ``LOGIN_URL``: the admin's login page, which the dashboard and the API docs send
  visitors to (Django's default, ``/accounts/login/``, is a page no project has until
  it writes one);
- ``REDIS_URL`` (``$REDIS_URL``, else the local Redis), ``JOBS``, and django-rq's
  ``RQ_QUEUES`` and ``RQ`` built from them (:func:`jobs.conf.rq_settings`).
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from typing import Any

from jobs.conf import JobsSettings, rq_settings

APPS = (
    "jobs",
    "dashboard",
    "django_rq",
    "django_celery_beat",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "graphene_django",
    "graphene_django_graphiql_static",
)
"""Jobdesk's apps and the apps whose models, templates or static files it uses."""

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def configure(settings: MutableMapping[str, Any]) -> None:
    """Complete a settings module's namespace (its ``globals()``) for Jobdesk."""
    settings["INSTALLED_APPS"] = with_apps(list(settings.get("INSTALLED_APPS", [])))
    settings.setdefault("LOGIN_URL", "admin:login")
    settings.setdefault("REDIS_URL", os.environ.get("REDIS_URL", DEFAULT_REDIS_URL))
    jobs = settings.setdefault("JOBS", {})
    queues = jobs.get("QUEUES", JobsSettings.QUEUES)
    rq_queues, rq = rq_settings(settings["REDIS_URL"], queues)
    settings.setdefault("RQ_QUEUES", rq_queues)
    settings.setdefault("RQ", rq)


def with_apps(apps: list[str]) -> list[str]:
    missing = [app for app in APPS if app not in apps]
    at = apps.index("django.contrib.admin") if "django.contrib.admin" in apps else len(apps)
    return [*apps[:at], *missing, *apps[at:]]
