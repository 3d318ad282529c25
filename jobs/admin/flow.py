"""Admin for flow control: limits overridden by operators, and the audit of every change.

Overrides are saved and deleted through :mod:`jobs.services.flow` (validated by
``FlowOverride.clean``, the rules in :mod:`jobs.core.flow_overrides`), so each change is
written to the :class:`~jobs.models.FlowChange` audit with who made it and what it was
before. The audit itself is read-only; above it, the circuit breakers with buttons to
force one open or closed (``force_breaker`` permission, a confirmation first).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from jobs.admin.deletes import DeletesThroughService
from jobs.exceptions import JobsError
from jobs.models import FlowChange, FlowOverride
from jobs.services import flow
from jobs.services.actions import may


@admin.register(FlowOverride)
class FlowOverrideAdmin(DeletesThroughService, admin.ModelAdmin):
    delete_service = staticmethod(flow.delete_override)
    list_display = (*flow.OVERRIDE_FIELDS, "updated_at", "updated_by")
    list_filter = ("kind",)
    search_fields = ("name",)
    fields = flow.OVERRIDE_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "override_limits")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, "override_limits")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, "override_limits")

    def save_model(self, request: HttpRequest, obj: FlowOverride, form: Any, change: bool) -> None:
        values = {field: form.cleaned_data.get(field) for field in flow.OVERRIDE_FIELDS}
        try:
            if change:
                saved = flow.update_override(obj.pk, user=request.user, via="admin", **values)
            else:
                saved = flow.save_override(**values, user=request.user, via="admin")
        except JobsError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk


FORCE = {"open": True, "close": False}
"""The breaker buttons, by the word in their URL."""


@admin.register(FlowChange)
class FlowChangeAdmin(admin.ModelAdmin):
    """The audit, under the circuit breakers with their force-open / close buttons."""

    list_display = ("created_at", "target", "change", "user", "interface")
    list_filter = ("interface",)
    search_fields = ("target", "change")
    date_hierarchy = "created_at"
    change_list_template = "admin/jobs/flowchange/change_list.html"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or may(request.user, "force_breaker")

    def get_urls(self) -> list:
        force = path("breakers/<path:name>/<str:action>/", self.admin_site.admin_view(self.force_view))
        return [force, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        try:
            breakers, error = flow.flow_overview()["breakers"], ""
        except flow.FlowUnavailable:
            breakers, error = [], "Redis, where the breakers live, doesn't answer."
        context = {
            **(extra_context or {}),
            "breakers": breakers,
            "breakers_error": error,
            "may_force": may(request.user, "force_breaker"),
        }
        return super().changelist_view(request, context)

    def force_view(self, request: HttpRequest, name: str, action: str) -> HttpResponse:
        """POST asks for confirmation; POST with ``confirmed=yes`` forces, through the service."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if action not in FORCE or not may(request.user, "force_breaker"):
            raise PermissionDenied
        back = reverse("admin:jobs_flowchange_changelist")
        if request.POST.get("confirmed") != "yes":
            return self._confirm(request, name, FORCE[action], back)
        try:
            flow.force_breaker(name, open=FORCE[action], user=request.user, via="admin")
        except JobsError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, f"Breaker {name} forced {'open' if FORCE[action] else 'closed'}.")
        return HttpResponseRedirect(back)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _confirm(self, request: HttpRequest, name: str, open_: bool, back: str) -> HttpResponse:
        context = {**self.admin_site.each_context(request), "name": name, "open": open_, "back": back}
        context["title"] = f"{'Force open' if open_ else 'Close'} breaker {name}?"
        return TemplateResponse(request, "admin/jobs/flowchange/confirm_force.html", context)
