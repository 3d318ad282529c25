"""Admin for workflows and batches: read-only rows, with retry and cancel as actions
through :mod:`jobs.services.workflows` and :mod:`jobs.services.batches`. The graph
itself is drawn on the dashboard's workflow page, linked from here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from jobs.exceptions import JobsError
from jobs.models import Batch, Workflow
from jobs.services import batches, workflows
from jobs.services.actions import may


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _each(self, request: HttpRequest, queryset: QuerySet, service: Any, verb: str) -> None:
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                service(pk, user=request.user, via="admin")
                done += 1
            except JobsError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        if done:
            self.message_user(request, f"{verb} {done}.", messages.SUCCESS)


@admin.register(Workflow)
class WorkflowAdmin(_ReadOnly):
    list_display = ("__str__", "status", "policy", "created_at", "finished_at", "graph")
    list_filter = ("status", "policy")
    search_fields = ("name",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ("name", "status", "policy", "created_at", "finished_at", "created_by", "source", "graph")
    readonly_fields = fields
    actions = ["retry", "cancel"]

    @admin.display(description="graph")
    def graph(self, obj: Workflow) -> str:
        return format_html('<a href="{}">graph and nodes</a>', reverse("dashboard:workflow", args=[obj.pk]))

    def get_actions(self, request: HttpRequest) -> dict:
        found = super().get_actions(request)
        for name, needed in (("retry", "retry_workflow"), ("cancel", "cancel_workflow")):
            if not may(request.user, needed):
                found.pop(name, None)
        return found

    @admin.action(description="Retry failed nodes of the selected workflows")
    def retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, workflows.retry_workflow, "Retried")

    @admin.action(description="Cancel the selected workflows")
    def cancel(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, workflows.cancel_workflow, "Cancelled")


@admin.register(Batch)
class BatchAdmin(_ReadOnly):
    list_display = ("__str__", "total", "created_at", "completed_at", "succeeded_at", "progress")
    search_fields = ("name",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ("name", "total", "on_complete", "on_success", "created_at", "completed_at", "succeeded_at",
              "cancelled_at", "progress")  # fmt: skip
    readonly_fields = fields
    actions = ["retry", "cancel"]

    @admin.display(description="progress")
    def progress(self, obj: Batch) -> str:
        figures = batches.batch_progress(obj.pk)
        url = reverse("dashboard:batch", args=[obj.pk])
        return format_html(
            '<a href="{}">{} of {} done, {} failed</a>',
            url,
            figures["done"],
            figures["total"],
            figures["failed"],
        )

    def get_actions(self, request: HttpRequest) -> dict:
        found = super().get_actions(request)
        for name, needed in (("retry", "retry_batch"), ("cancel", "cancel_batch")):
            if not may(request.user, needed):
                found.pop(name, None)
        return found

    @admin.action(description="Retry the failed jobs of the selected batches")
    def retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, batches.retry_batch, "Retried the failed jobs of")

    @admin.action(description="Cancel the selected batches")
    def cancel(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, batches.cancel_batch, "Cancelled")
