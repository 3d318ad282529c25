"""Jobs in the admin: a fast changelist, bulk actions, a read-only detail page, scheduling.

Every change goes through :mod:`jobs.services` with ``via="admin"``; the admin only
parses, checks the permission and reports what the service did or refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from jobs.admin import display
from jobs.admin.forms import ScheduleJobForm, task_descriptions, task_forms
from jobs.admin.paging import (
    BoundedDateFieldListFilter,
    CappedPaginator,
    CreatedYearFilter,
    QueueFilter,
    TaskFilter,
)
from jobs.core.states import CANCELLABLE, RETRYABLE
from jobs.exceptions import JobsError
from jobs.models import Job, JobLog
from jobs.services import (
    BulkResult,
    cancel_job,
    cancel_jobs,
    delete_jobs,
    rerun_job,
    retry_job,
    retry_jobs,
    schedule_job,
)
from jobs.services.actions import may

LOG_LINES = 200
"""Timeline lines a detail page shows (the newest ones), so any job renders fast."""
RELATED_LINKS = 50


def report(request: HttpRequest, verb: str, result: BulkResult) -> None:
    """One message with what was done, one with what was refused and why."""
    done = len(result.done)
    if done or not result.refused:
        messages.success(request, f"{verb} {done} job{'s' if done != 1 else ''}.")
    if result.refused:
        reasons = "; ".join(f"{job_id}: {reason}" for job_id, reason in result.refused.items())
        messages.warning(request, f"{len(result.refused)} refused: {reasons}")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "job_id",
        "status_badge",
        "task",
        "queue",
        "attempts_display",
        "progress_display",
        "created_at",
        "started_at",
        "finished_at",
        "duration_display",
        "recurring_job",
    )
    list_filter = (
        "status",
        QueueFilter,
        TaskFilter,
        "recurring_job",
        ("created_at", BoundedDateFieldListFilter),
        ("finished_at", BoundedDateFieldListFilter),
        CreatedYearFilter,
    )
    list_select_related = ("recurring_job",)
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedPaginator
    search_help_text = "A job id, or text in the task name or the error."
    search_fields = ("task",)
    actions = ("retry_selected", "cancel_selected", "rerun_selected", "delete_selected")
    fieldsets = (
        (None, {"fields": ("id", "status_badge", "task", "queue", "priority", "attempts_display")}),
        ("Progress", {"fields": ("progress_display", "progress_message", "worker_name")}),
        (
            "Timing",
            {
                "fields": (
                    "created_at",
                    "run_at",
                    "enqueued_at",
                    "started_at",
                    "finished_at",
                    "duration_display",
                )
            },
        ),
        ("Arguments and result", {"fields": ("args_json", "kwargs_json", "result_json")}),
        ("Error", {"fields": ("error_text", "traceback_text")}),
        ("Origin", {"fields": ("source", "created_by", "tags", "correlation_id", "timeout")}),
        (
            "Related jobs",
            {"fields": ("recurring_link", "parent_link", "depends_on_links", "dependants_links")},
        ),
    )
    readonly_fields = tuple(name for _, options in fieldsets for name in options["fields"])

    class Media:
        css = {"all": ("jobs/admin/admin.css",)}

    # Permissions: jobs are never edited; each action's permission is in services.actions.

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "schedule_job")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, "delete_job")

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "retry_job")

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "cancel_job")

    def has_rerun_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "rerun_job")

    # The changelist.

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple:
        """An id matches exactly (index); other text matches task or error."""
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            return queryset.filter(pk=uuid.UUID(term)), False
        except ValueError:
            return queryset.filter(Q(task__icontains=term) | Q(error__icontains=term)), False

    @admin.display(description="id", ordering="pk")
    def job_id(self, job: Job) -> str:
        return str(job.pk)[:8]

    @admin.display(description="status", ordering="status")
    def status_badge(self, job: Job) -> SafeString:
        return display.status_badge(job.status)

    @admin.display(description="attempts")
    def attempts_display(self, job: Job) -> str:
        return f"{job.attempts}/{job.max_attempts}"

    @admin.display(description="progress")
    def progress_display(self, job: Job) -> SafeString:
        return display.progress_bar(job.progress)

    @admin.display(description="duration")
    def duration_display(self, job: Job) -> str:
        return display.seconds(job.duration)

    # Bulk actions.

    @admin.action(description="Retry selected jobs", permissions=["retry"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        report(request, "Retried", retry_jobs(ids, user=request.user, via="admin"))

    @admin.action(description="Cancel selected jobs", permissions=["cancel"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        report(request, "Cancelled", cancel_jobs(ids, user=request.user, via="admin"))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Django's delete action and confirmation page, the deleting done by the service."""
        ids = list(queryset.values_list("pk", flat=True))
        report(request, "Deleted", delete_jobs(ids, user=request.user, via="admin"))
        request.jobs_delete_reported = True

    def delete_model(self, request: HttpRequest, obj) -> None:
        report(request, "Deleted", delete_jobs([obj.pk], user=request.user, via="admin"))
        request.jobs_delete_reported = True

    def message_user(self, request: HttpRequest, message, *args, **kwargs) -> None:
        # Django's own "successfully deleted N" would count refused rows too; the
        # service's report above says what was deleted and what was refused.
        if getattr(request, "jobs_delete_reported", False) and str(message).startswith(
            ("Successfully deleted", "The job")
        ):
            return
        super().message_user(request, message, *args, **kwargs)

    @admin.action(description="Re-run a copy of selected jobs", permissions=["rerun"])
    def rerun_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        result = BulkResult()
        for job_id in queryset.values_list("pk", flat=True):
            try:
                result.done.append(rerun_job(job_id, user=request.user, via="admin"))
            except JobsError as exc:
                result.refused[str(job_id)] = exc.message
        report(request, "Re-ran", result)

    # The detail page.

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Job | None:
        try:
            pk = uuid.UUID(str(object_id))
        except ValueError:
            return None
        return (
            self.get_queryset(request)
            .select_related("recurring_job", "parent", "created_by")
            .filter(pk=pk)
            .first()
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        job = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if job is not None:
            extra.update(self._detail_context(request, job))
        return super().change_view(request, object_id, form_url, extra)

    def _detail_context(self, request: HttpRequest, job: Job) -> dict[str, Any]:
        newest = list(
            JobLog.objects.filter(job_id=job.pk)
            .select_related("user")
            .order_by("-created_at", "-id")[: LOG_LINES + 1]
        )
        return {
            "job_logs": newest[:LOG_LINES][::-1],
            "job_logs_truncated": len(newest) > LOG_LINES,
            "log_lines": LOG_LINES,
            "job_actions": self._legal_actions(request, job),
        }

    def _legal_actions(self, request: HttpRequest, job: Job) -> list[tuple[str, str]]:
        """Buttons for what this job's state allows and this user may do."""
        possible = [
            ("retry", "Retry", job.status in RETRYABLE and self.has_retry_permission(request)),
            ("cancel", "Cancel", job.status in CANCELLABLE and self.has_cancel_permission(request)),
            ("rerun", "Re-run a copy", self.has_rerun_permission(request)),
        ]
        return [
            (label, reverse(f"admin:jobs_job_{name}", args=[job.pk]))
            for name, label, allowed in possible
            if allowed
        ]

    @admin.display(description="args")
    def args_json(self, job: Job) -> SafeString:
        return display.pretty_json(job.args)

    @admin.display(description="kwargs")
    def kwargs_json(self, job: Job) -> SafeString:
        return display.pretty_json(job.kwargs)

    @admin.display(description="result")
    def result_json(self, job: Job) -> SafeString:
        return display.pretty_json(job.result)

    @admin.display(description="error")
    def error_text(self, job: Job) -> SafeString:
        return display.pre(job.error)

    @admin.display(description="traceback")
    def traceback_text(self, job: Job) -> SafeString:
        return display.pre(job.traceback)

    @admin.display(description="recurring job")
    def recurring_link(self, job: Job) -> SafeString | str:
        rj = job.recurring_job
        if rj is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:jobs_recurringjob_change", args=[rj.pk]), rj.name
        )

    @admin.display(description="parent (re-run of)")
    def parent_link(self, job: Job) -> SafeString | str:
        return _job_links([job.parent] if job.parent else [])

    @admin.display(description="depends on")
    def depends_on_links(self, job: Job) -> SafeString | str:
        return _job_links(job.depends_on.all()[:RELATED_LINKS])

    @admin.display(description="dependants")
    def dependants_links(self, job: Job) -> SafeString | str:
        return _job_links(job.dependants.all()[:RELATED_LINKS])

    # Per-job buttons and the schedule form.

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("<uuid:job_id>/retry/", wrap(self._button(retry_job, "retry")), name="jobs_job_retry"),
            path("<uuid:job_id>/cancel/", wrap(self._button(cancel_job, "cancel")), name="jobs_job_cancel"),
            path("<uuid:job_id>/rerun/", wrap(self._button(rerun_job, "rerun")), name="jobs_job_rerun"),
            *super().get_urls(),
        ]

    def _button(self, action: Callable[..., Job], permission: str) -> Callable[..., HttpResponse]:
        def view(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            if not getattr(self, f"has_{permission}_permission")(request):
                raise PermissionDenied
            target = job_id
            try:
                job = action(job_id, user=request.user, via="admin")
            except JobsError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, f"Job {job.pk} is now {job.status}.", messages.SUCCESS)
                target = job.pk
            return HttpResponseRedirect(reverse("admin:jobs_job_change", args=[target]))

        return view

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ScheduleJobForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                job = schedule_job(
                    form.cleaned_data["task"], user=request.user, via="admin", **form.schedule_options()
                )
            except JobsError as exc:
                form.add_service_error(exc)
            else:
                self.message_user(request, f"Scheduled job {job.pk} ({job.status}).", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:jobs_job_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Schedule a job",
            "opts": self.model._meta,
            "form": form,
            "tasks": task_descriptions(),
            "task_forms": task_forms(),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/jobs/job/schedule.html", context)


def _job_links(jobs: Any) -> SafeString | str:
    rows = [(reverse("admin:jobs_job_change", args=[job.pk]), job.task, job.pk, job.status) for job in jobs]
    if not rows:
        return "-"
    return format_html_join(mark_safe("<br>"), '<a href="{}">{} {}</a> ({})', rows)
