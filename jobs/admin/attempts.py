"""The job's admin page lists its failed attempts: when, worker, duration, error, traceback."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from jobs.admin.jobs import JobAdmin
from jobs.models import JobAttempt
from jobs.services.actions import may


class JobAttemptInline(admin.TabularInline):
    """Read-only: the history is written by the workers, never by hand.

    Whoever may see the job may see its attempts (the job's view permission).
    """

    model = JobAttempt
    verbose_name = "failed attempt"
    verbose_name_plural = "Failed attempts (the latest attempt is the job itself, above)"
    fields = ("number", "worker", "started_at", "duration", "error", "exception_class_path", "traceback_text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("number",)

    @admin.display(description="traceback")
    def traceback_text(self, obj: JobAttempt) -> str:
        if not obj.traceback:
            return ""
        return format_html("<details><summary>Show</summary><pre>{}</pre></details>", obj.traceback)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, "view_job")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


JobAdmin.inlines = (*JobAdmin.inlines, JobAttemptInline)
