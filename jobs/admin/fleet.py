"""The worker fleet in the admin: pools (size, busy slots, memory, health) and their workers.

The FleetWorker changelist lists live processes (filter by pool, host, state, health;
"gone" ones are kept for the record) with an action that asks the selected workers to
shut down gracefully; above it, each pool with a form to pin its size or give it back
to autoscaling. Both go through :mod:`jobs.services.fleet`, with its actions'
permissions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from jobs.exceptions import JobsError
from jobs.models import FleetWorker
from jobs.services import fleet
from jobs.services.actions import may


@admin.register(FleetWorker)
class FleetWorkerAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "pool",
        "host",
        "pid",
        "state",
        "healthy",
        "busy",
        "memory_mb",
        "started_at",
        "reason",
    )
    list_filter = ("pool", "state", "healthy", "host")
    search_fields = ("name", "host")
    readonly_fields = [field.name for field in FleetWorker._meta.fields]
    actions = ["stop_gracefully"]
    change_list_template = "admin/jobs/fleetworker/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, "view_fleet")

    def has_stop_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "stop_worker")

    @admin.action(description="Shut down gracefully", permissions=["stop"])
    def stop_gracefully(self, request: HttpRequest, queryset) -> None:
        asked = 0
        for row in queryset:
            try:
                fleet.stop_worker(row.name, user=request.user)
                asked += 1
            except JobsError as exc:
                self.message_user(request, exc.message, messages.WARNING)
        if asked:
            self.message_user(request, f"Asked {asked} worker(s) to shut down gracefully.", messages.SUCCESS)

    def get_urls(self) -> list:
        resize = path("pools/<str:name>/resize/", self.admin_site.admin_view(self.resize_view))
        return [resize, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        context = {
            **(extra_context or {}),
            "pools": fleet.list_pools() if self.has_view_permission(request) else [],
            "may_resize": may(request.user, "resize_pool"),
        }
        return super().changelist_view(request, context)

    def resize_view(self, request: HttpRequest, name: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not may(request.user, "resize_pool"):
            raise PermissionDenied
        raw = request.POST.get("workers", "").strip()
        try:
            workers = None if raw in ("", "auto") else int(raw)
        except ValueError:
            self.message_user(request, f"A size is a whole number or 'auto', not {raw!r}.", messages.ERROR)
        else:
            try:
                view = fleet.resize_pool(name, workers, user=request.user)
            except JobsError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                size = "autoscaling" if view.pinned is None else f"pinned to {view.pinned} worker(s) per host"
                self.message_user(request, f"Pool {view.name} is {size}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:jobs_fleetworker_changelist"))
