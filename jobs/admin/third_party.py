"""Other packages' admin pages that would be side doors around the services.

- django-rq registers a "Django-RQ" dashboard in the admin whose pages empty queues,
  delete, requeue and stop jobs for any staff user. It is unregistered: django-rq's
  pages are mounted read-only by :mod:`jobs.admin.rq_pages` instead.
- django-celery-beat's PeriodicTask rows are only an import source here
  (``manage.py jobs_import_celery_beat``); nothing runs them. Its admin would let
  people edit and enable them as if they scheduled something, and its "Run selected
  tasks" action sends them to a Celery broker there isn't. The rows stay readable and
  deletable (to clean up after an import); recurring work is a RecurringJob. The
  schedule models (crontab, interval, clocked, solar) keep celery-beat's admin:
  RecurringJobs use them, and one in use can't be deleted (``on_delete=PROTECT``).

Both packages' admin modules are imported here first so that whichever of them the
admin's autodiscovery reaches later is already registered and already replaced.
"""

from __future__ import annotations

from typing import Any

import django_celery_beat.admin as beat_admin
import django_rq.admin  # noqa: F401  (registers the dashboard that is taken off below)
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django_celery_beat.models import PeriodicTask
from django_rq.models import Dashboard

PERIODIC_TASKS_NOTE = (
    "Read-only: nothing runs these here. manage.py jobs_import_celery_beat turns them into recurring jobs."
)


class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    """celery-beat's list and page for PeriodicTask, without adding, editing or running."""

    actions = ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": PERIODIC_TASKS_NOTE})


def close_side_doors(site: admin.AdminSite) -> None:
    """Take django-rq's dashboard off ``site`` and make celery-beat's PeriodicTask read-only."""
    if site.is_registered(Dashboard):
        site.unregister(Dashboard)
    if site.is_registered(PeriodicTask):
        site.unregister(PeriodicTask)
    site.register(PeriodicTask, PeriodicTaskAdmin)
