"""Admin for flow control: limits overridden by operators, and the audit of every change.

Overrides are saved and deleted through :mod:`jobs.services.flow` (validated by
``FlowOverride.clean``, the rules in :mod:`jobs.core.flow_overrides`), so each change is
written to the :class:`~jobs.models.FlowChange` audit with who made it and what it was
before. The audit itself is read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from jobs.admin.deletes import DeletesThroughService
from jobs.exceptions import JobsError
from jobs.models import FlowChange, FlowOverride
from jobs.services import flow
from jobs.services.actions import may


@admin.register(FlowOverride)
class FlowOverrideAdmin(DeletesThroughService, admin.ModelAdmin):
    delete_service = staticmethod(flow.delete_override)
    list_display = (
        "kind",
        "name",
        "concurrency",
        "rate_limit",
        "concurrency_key",
        "updated_at",
        "updated_by",
    )
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


@admin.register(FlowChange)
class FlowChangeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "target", "change", "user", "interface")
    list_filter = ("interface",)
    search_fields = ("target", "change")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
