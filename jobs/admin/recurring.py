"""Recurring jobs in the admin: schedule in words, next runs, run now / enable / disable.

Timing uses django-celery-beat's schedule models through the FK widgets (their admin
adds and validates crontab, interval and clocked rows). The form's validation is the
model's ``clean``, which is the service's rule set; saving, deleting and every action go
through :mod:`jobs.services.recurring` with ``via="admin"``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from jobs.admin import display
from jobs.admin.deletes import DeletesThroughService
from jobs.admin.forms import task_choices
from jobs.core.recurring_rules import KINDS
from jobs.core.schedules import describe_schedule, next_runs, schedule_spec
from jobs.exceptions import JobsError
from jobs.models import Job, RecurringJob
from jobs.services import (
    create_recurring_job,
    delete_recurring_job,
    pause_recurring_job,
    resume_recurring_job,
    trigger_recurring_job,
    update_recurring_job,
)
from jobs.services.actions import may
from jobs.services.recurring import EDITABLE

PLAIN_FIELDS = [name for name in EDITABLE if name != "schedule"]


class RecurringJobForm(forms.ModelForm):
    task = forms.ChoiceField(choices=task_choices)

    class Meta:
        model = RecurringJob
        fields = [*PLAIN_FIELDS, *KINDS]


@admin.register(RecurringJob)
class RecurringJobAdmin(DeletesThroughService, admin.ModelAdmin):
    delete_service = staticmethod(delete_recurring_job)

    form = RecurringJobForm
    list_display = (
        "name",
        "task",
        "schedule_text",
        "enabled",
        "next_run_at",
        "last_run",
        "success_rate_text",
    )
    list_filter = ("enabled", "task")
    list_select_related = ("crontab", "interval", "clocked")
    search_fields = ("name", "task", "description")
    actions = ("run_now", "enable", "disable", "delete_selected")
    readonly_fields = (
        "schedule_text",
        "upcoming_runs",
        "last_run_at",
        "next_run_at",
        "run_count",
        "success_count",
        "failure_count",
        "skipped_count",
        "runs_link",
    )
    fieldsets = (
        (None, {"fields": ("name", "task", "args", "kwargs", "queue", "priority", "description")}),
        ("Schedule (exactly one)", {"fields": ("crontab", "interval", "clocked", "start_at", "end_at")}),
        ("Policy", {"fields": ("enabled", "max_concurrent_runs", "misfire_policy")}),
        ("Runs", {"fields": readonly_fields}),
    )

    class Media:
        css = {"all": ("jobs/admin/admin.css",)}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "create_recurring_job")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, "update_recurring_job")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, "delete_recurring_job")

    def has_trigger_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "trigger_recurring_job")

    def has_pause_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "pause_recurring_job")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        latest = Job.objects.filter(recurring_job=OuterRef("pk")).order_by("-created_at")
        return (
            super()
            .get_queryset(request)
            .annotate(last_status=Subquery(latest.values("status")[:1]))
            .select_related("crontab", "interval", "clocked")
        )

    @admin.display(description="schedule")
    def schedule_text(self, rj: RecurringJob) -> str:
        return describe_schedule(rj)

    @admin.display(description="last run")
    def last_run(self, rj: RecurringJob) -> SafeString | str:
        if rj.last_run_at is None:
            return "-"
        when = format_html("{}", rj.last_run_at.strftime("%Y-%m-%d %H:%M:%S"))
        status = getattr(rj, "last_status", None)
        return format_html("{} {}", when, display.status_badge(status)) if status else when

    @admin.display(description="success rate")
    def success_rate_text(self, rj: RecurringJob) -> str:
        rate = rj.success_rate
        return "-" if rate is None else f"{rate:.0%}"

    @admin.display(description="next five runs")
    def upcoming_runs(self, rj: RecurringJob) -> SafeString | str:
        runs = next_runs(rj) if rj.pk and rj.enabled else []
        if not runs:
            return "-"
        return format_html_join(
            mark_safe("<br>"), "{} UTC", ((run.strftime("%Y-%m-%d %H:%M:%S"),) for run in runs)
        )

    @admin.display(description="runs")
    def runs_link(self, rj: RecurringJob) -> SafeString | str:
        if not rj.pk:
            return "-"
        url = f"{reverse('admin:jobs_job_changelist')}?recurring_job__id__exact={rj.pk}"
        return format_html('<a href="{}">All runs of {}</a>', url, rj.name)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        extra = {**(extra_context or {}), "recurring_actions": self._buttons(request, object_id)}
        return super().change_view(request, object_id, form_url, extra)

    def _buttons(self, request: HttpRequest, object_id: str) -> list[tuple[str, str]]:
        """Run now, and enable or disable, as far as the user may."""
        rj = (
            RecurringJob.objects.filter(pk=object_id).only("enabled").first() if object_id.isdigit() else None
        )
        if rj is None:
            return []
        toggle = ("resume", "Enable") if not rj.enabled else ("pause", "Disable")
        possible = [
            ("run", "Run now", self.has_trigger_permission(request)),
            (*toggle, self.has_pause_permission(request)),
        ]
        return [
            (label, reverse(f"admin:jobs_recurringjob_{name}", args=[rj.pk]))
            for name, label, allowed in possible
            if allowed
        ]

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        buttons = [
            ("run", trigger_recurring_job, "trigger", "Started a run now."),
            ("pause", pause_recurring_job, "pause", "Disabled: no more runs until enabled."),
            ("resume", resume_recurring_job, "pause", "Enabled: runs follow the schedule again."),
        ]
        return [
            *(
                path(
                    f"<int:rj_id>/{name}/",
                    wrap(self._button(action, permission, done)),
                    name=f"jobs_recurringjob_{name}",
                )
                for name, action, permission, done in buttons
            ),
            *super().get_urls(),
        ]

    def _button(self, action: Callable[..., Any], permission: str, done: str) -> Callable[..., HttpResponse]:
        def view(request: HttpRequest, rj_id: int) -> HttpResponse:
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            if not getattr(self, f"has_{permission}_permission")(request):
                raise PermissionDenied
            try:
                action(rj_id, user=request.user, via="admin")
            except JobsError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, done, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:jobs_recurringjob_change", args=[rj_id]))

        return view

    def save_model(self, request: HttpRequest, obj: RecurringJob, form: Any, change: bool) -> None:
        """Save through the service; the form already ran the same rules via ``clean``."""
        try:
            if change:
                changes = {
                    name: form.cleaned_data[name] for name in PLAIN_FIELDS if name in form.changed_data
                }
                if set(KINDS) & set(form.changed_data):
                    changes["schedule"] = schedule_spec(obj)
                saved = update_recurring_job(obj.pk, user=request.user, via="admin", **changes)
            else:
                fields = {name: form.cleaned_data[name] for name in PLAIN_FIELDS}
                saved = create_recurring_job(
                    schedule=schedule_spec(obj), user=request.user, via="admin", **fields
                )
        except JobsError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk

    def _each(self, request: HttpRequest, queryset: QuerySet, action: Callable[..., Any], verb: str) -> None:
        done, refused = 0, []
        for rj in queryset:
            try:
                action(rj.pk, user=request.user, via="admin")
                done += 1
            except JobsError as exc:
                refused.append(f"{rj.name}: {exc.message}")
        if done or not refused:
            self.message_user(
                request, f"{verb} {done} recurring job{'s' if done != 1 else ''}.", messages.SUCCESS
            )
        if refused:
            self.message_user(request, f"{len(refused)} refused: {'; '.join(refused)}", messages.WARNING)

    @admin.action(description="Run selected now", permissions=["trigger"])
    def run_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, trigger_recurring_job, "Triggered")

    @admin.action(description="Enable selected", permissions=["pause"])
    def enable(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, resume_recurring_job, "Enabled")

    @admin.action(description="Disable selected", permissions=["pause"])
    def disable(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, pause_recurring_job, "Disabled")
