"""Queues in the admin: one row per configured queue, with pause and resume.

Figures come from :func:`jobs.monitoring.figures.queue_metrics` (QueueStats rows kept current by
the housekeeper, three queries), never from counting jobs. Pausing goes through the
queue services; the RQ internals stay one click away on django-rq's pages, read-only
(:mod:`jobs.admin.rq_pages`), for people who may see queues and jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse

from jobs.admin import display, rq_pages
from jobs.admin.workers import workers_view
from jobs.exceptions import JobsError
from jobs.models import QueueStats
from jobs.monitoring.figures import queue_metrics
from jobs.services import pause_queue, resume_queue
from jobs.services.actions import may
from jobs.services.queries import django_rq_pages


def rq_link(name: str) -> str | None:
    """django-rq's page for this queue (its index is the position in sorted RQ_QUEUES)."""
    index = django_rq_pages.queue_page_index(name)
    if index is None:
        return None
    try:
        return reverse("django_rq:jobs", args=[index])
    except NoReverseMatch:
        return None


def jobs_link(name: str, status: str | None = None) -> str:
    query = {"queue": name, **({"status__exact": status} if status else {})}
    return f"{reverse('admin:jobs_job_changelist')}?{urlencode(query)}"


@admin.register(QueueStats)
class QueueAdmin(admin.ModelAdmin):
    """Not a model editor: a page of figures and two buttons per queue."""

    class Media:
        css = {"all": ("jobs/admin/admin.css",)}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, "view_queue")

    def has_pause_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "pause_queue")

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("", wrap(self.changelist_view), name="jobs_queuestats_changelist"),
            path("workers/", wrap(workers_view), name="jobs_workers"),
            path("<str:name>/pause/", wrap(self._toggle(pause_queue)), name="jobs_queuestats_pause"),
            path("<str:name>/resume/", wrap(self._toggle(resume_queue)), name="jobs_queuestats_resume"),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        may_pause = self.has_pause_permission(request)
        may_view_rq = rq_pages.may_view(request)
        rows = [self._row(figures, may_pause, may_view_rq) for figures in queue_metrics()]
        context = {
            **self.admin_site.each_context(request),
            "title": "Queues",
            "opts": self.model._meta,
            "rows": rows,
            "media": self.media,
            "rq_home": reverse("django_rq:home") if may_view_rq else None,
            "workers_url": reverse("admin:jobs_workers"),
        }
        return TemplateResponse(request, "admin/jobs/queuestats/queues.html", context)

    def _row(self, figures: dict[str, Any], may_pause: bool, may_view_rq: bool) -> dict[str, Any]:
        name = figures["queue"]
        toggle = "resume" if figures["paused"] else "pause"
        return {
            **figures,
            "runtime_avg_text": display.seconds(figures["runtime_avg"]),
            "jobs_url": jobs_link(name),
            "waiting_url": jobs_link(name, "queued"),
            "running_url": jobs_link(name, "started"),
            "scheduled_url": jobs_link(name, "scheduled"),
            "failed_url": jobs_link(name, "failed"),
            "rq_url": rq_link(name) if may_view_rq else None,
            "toggle_label": toggle.capitalize(),
            "toggle_url": reverse(f"admin:jobs_queuestats_{toggle}", args=[name]) if may_pause else None,
        }

    def _toggle(self, action: Callable[..., QueueStats]) -> Callable[..., HttpResponse]:
        def view(request: HttpRequest, name: str) -> HttpResponse:
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            if not self.has_pause_permission(request):
                raise PermissionDenied
            try:
                stats = action(name, user=request.user, via="admin")
            except JobsError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                state = "paused" if stats.paused else "running"
                self.message_user(request, f"Queue {stats.name} is {state}.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:jobs_queuestats_changelist"))

        return view
