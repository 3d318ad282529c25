"""The workers page: RQ's live worker registry, read-only (workers aren't database rows).

It is reached from the queues page and from the admin index, where
:func:`add_to_index` lists it under the Jobs app next to the models.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from jobs.admin import display
from jobs.models import QueueStats
from jobs.services.actions import may
from jobs.services.queries import list_workers

ACTION = "view_queue"
"""Seeing workers goes with seeing queues (its permission is in :mod:`jobs.services.actions`)."""


def workers_view(request: HttpRequest) -> HttpResponse:
    if not may(request.user, ACTION):
        raise PermissionDenied
    rows = [
        {
            "worker": worker,
            "queues": ", ".join(worker.queues),
            "job_url": reverse("admin:jobs_job_change", args=[worker.current_job_id])
            if worker.current_job_id
            else None,
            "heartbeat_age": display.seconds(worker.heartbeat_age),
        }
        for worker in list_workers()
    ]
    context = {
        **admin.site.each_context(request),
        "title": "Workers",
        "opts": QueueStats._meta,
        "rows": rows,
    }
    return TemplateResponse(request, "admin/jobs/queuestats/workers.html", context)


def add_to_index(site: admin.AdminSite) -> None:
    """List "Workers" under the Jobs app on the admin index for people allowed to see it."""
    build = site.get_app_list

    def get_app_list(request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        apps = build(request, app_label)
        if not may(request.user, ACTION):
            return apps
        for app in apps:
            if app["app_label"] == "jobs":
                app["models"].append(
                    {
                        "name": "Workers",
                        "object_name": "Worker",
                        "admin_url": reverse("admin:jobs_workers"),
                        "add_url": None,
                        "view_only": True,
                        "perms": {"view": True},
                    }
                )
        return apps

    site.get_app_list = get_app_list
