"""Admin for alert rules (editable) and what they fired (read-only history).

Rules are validated by ``AlertRule.clean`` (the rules in :mod:`jobs.core.alert_rules`) and
saved and deleted through the alert services, so the admin refuses exactly what the services
refuse and a deletion is logged like any other. Django's delete page and its "delete
selected" action stay (they list the alerts that go with a rule), but the deleting
itself is :func:`~jobs.services.alerts.delete_alert_rule`, never the ORM's default.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from jobs.admin.deletes import DeletesThroughService
from jobs.core.alert_rules import EDITABLE
from jobs.exceptions import JobsError
from jobs.models import Alert, AlertEvent, AlertRule
from jobs.services.actions import may
from jobs.services.alerts import create_alert_rule, delete_alert_rule, update_alert_rule


@admin.register(AlertRule)
class AlertRuleAdmin(DeletesThroughService, admin.ModelAdmin):
    delete_service = staticmethod(delete_alert_rule)

    list_display = (
        "name",
        "kind",
        "queue",
        "task",
        "threshold",
        "window_minutes",
        "repeat_minutes",
        "enabled",
    )
    list_filter = ("kind", "enabled")
    search_fields = ("name", "queue", "task")
    fieldsets = (
        (None, {"fields": ("name", "kind", "enabled", "description")}),
        ("Condition", {"fields": ("queue", "task", "threshold", "window_minutes", "min_jobs")}),
        ("Notification", {"fields": ("repeat_minutes", "webhook_url", "email_recipients")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "create_alert_rule")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, "update_alert_rule")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, "delete_alert_rule")

    def save_model(self, request: HttpRequest, obj: AlertRule, form: Any, change: bool) -> None:
        fields = {name: value for name, value in form.cleaned_data.items() if name in EDITABLE}
        try:
            saved = update_alert_rule(obj.pk, **fields) if change else create_alert_rule(**fields)
        except JobsError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    fields = ("created_at", "kind", "message", "webhook_status", "webhook_error", "email_status")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ActiveFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("resolved", "Resolved")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() in ("active", "resolved"):
            return queryset.filter(resolved_at__isnull=self.value() == "active")
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is written by the housekeeper only; people look at it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("rule", "subject", "started_at", "last_notified_at", "resolved_at", "is_active")
    list_filter = (ActiveFilter, "rule")
    list_select_related = ("rule",)
    search_fields = ("subject", "message")
    date_hierarchy = "started_at"
    inlines = [AlertEventInline]

    @admin.display(boolean=True, description="active")
    def is_active(self, obj: Alert) -> bool:
        return obj.is_active


@admin.register(AlertEvent)
class AlertEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "alert", "message", "webhook_status", "email_status")
    list_filter = ("kind", "webhook_status", "email_status")
    list_select_related = ("alert__rule",)
    search_fields = ("message",)
    date_hierarchy = "created_at"
