"""Other packages' admin pages that would be side doors around the services.

- django-rq registers a "Django-RQ" dashboard in the admin whose pages empty queues,
  delete, requeue and stop jobs for any staff user. It is unregistered: django-rq's
  pages are mounted read-only by :mod:`jobs.admin.rq_pages` instead.
- django-celery-beat's PeriodicTask rows are only an import source here
  (``manage.py jobs_import_celery_beat``); nothing runs them. Its admin would let
  people edit and enable them as if they scheduled something, and its "Run selected
  tasks" action sends them to a Celery broker there isn't. The rows stay readable and
  deletable (to clean up after an import); recurring work is a RecurringJob.
- The schedule models keep celery-beat's admin (the recurring-job form adds its
  crontab, interval or clocked rows there), but a row a RecurringJob uses is read-only:
  editing it would move every recurring job on it without the service recomputing
  their next runs. A recurring job changes schedule through its own form, that is
  through :func:`~jobs.services.update_recurring_job`.

Both packages' admin modules are imported here first so that whichever of them the
admin's autodiscovery reaches later is already registered and already replaced.
"""

from __future__ import annotations

from typing import Any

import django_celery_beat.admin as beat_admin
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask

from jobs.models import RecurringJob
from jobs.services.queries import django_rq_pages

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


SCHEDULE_FIELDS = {CrontabSchedule: "crontab", IntervalSchedule: "interval", ClockedSchedule: "clocked"}


def used_by_recurring_jobs(schedule: Model) -> bool:
    field = SCHEDULE_FIELDS[type(schedule)]
    return RecurringJob.objects.filter(**{field: schedule}).exists()


class ReadOnlyWhenUsed:
    """A schedule's admin that can't change or delete a row a RecurringJob uses."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not used_by_recurring_jobs(obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not used_by_recurring_jobs(obj))


class CrontabScheduleAdmin(ReadOnlyWhenUsed, beat_admin.CrontabScheduleAdmin):
    pass


class IntervalScheduleAdmin(ReadOnlyWhenUsed, beat_admin.IntervalScheduleAdmin):
    pass


class ClockedScheduleAdmin(ReadOnlyWhenUsed, beat_admin.ClockedScheduleAdmin):
    pass


REPLACEMENTS = {
    PeriodicTask: PeriodicTaskAdmin,
    CrontabSchedule: CrontabScheduleAdmin,
    IntervalSchedule: IntervalScheduleAdmin,
    ClockedSchedule: ClockedScheduleAdmin,
}


def close_side_doors(site: admin.AdminSite) -> None:
    """Take django-rq's dashboard off ``site``; put in the safe celery-beat admins."""
    dashboard = django_rq_pages.dashboard_model()
    if site.is_registered(dashboard):
        site.unregister(dashboard)
    for model, model_admin in REPLACEMENTS.items():
        if site.is_registered(model):
            site.unregister(model)
        site.register(model, model_admin)
