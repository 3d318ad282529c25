"""Admin for events (read-only: payload and the jobs each trigger made) and trigger rows.

A trigger row is validated by ``EventTrigger.clean`` (the rules of
:mod:`jobs.core.events`: a known event, a registered task, a mapping that binds to its
signature), so the form shows exactly what the services refuse, and it is saved and
deleted through :mod:`jobs.services.events`.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from jobs.admin.deletes import DeletesThroughService
from jobs.exceptions import JobsError
from jobs.models import Event, EventTrigger
from jobs.services import events
from jobs.services.actions import may

TRIGGER_FIELDS = ("event_name", "task", "filter", "mapping", "queue", "enabled", "description")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("name", "event_id", "created_at", "source", "created_by")
    list_filter = ("name", "source")
    search_fields = ("event_id", "name")
    date_hierarchy = "created_at"
    list_select_related = ("created_by",)
    show_full_result_count = False
    fields = ("name", "event_id", "created_at", "source", "created_by", "formatted_payload", "created_jobs")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="payload")
    def formatted_payload(self, obj: Event) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, sort_keys=True))

    @admin.display(description="jobs created")
    def created_jobs(self, obj: Event) -> str:
        rows = [
            (d.trigger_key, reverse("admin:jobs_job_change", args=[d.job_id]), d.job.task, d.job.status)
            for d in events.event_jobs(obj)
            if d.job is not None
        ]
        if not rows:
            return "None: no trigger matched."
        return format_html_join("", '<div>{}: <a href="{}">{}</a> ({})</div>', rows)


@admin.register(EventTrigger)
class EventTriggerAdmin(DeletesThroughService, admin.ModelAdmin):
    delete_service = staticmethod(events.delete_event_trigger)
    list_display = ("event_name", "task", "enabled", "queue", "description")
    list_filter = ("enabled", "event_name")
    search_fields = ("event_name", "task", "description")
    fields = TRIGGER_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "create_event_trigger")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, "update_event_trigger")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, "delete_event_trigger")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, "view_event_trigger")

    def save_model(self, request: HttpRequest, obj: EventTrigger, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in TRIGGER_FIELDS if name in form.cleaned_data}
        try:
            saved = (
                events.update_event_trigger(obj.pk, fields) if change else events.create_event_trigger(fields)
            )
        except JobsError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk
