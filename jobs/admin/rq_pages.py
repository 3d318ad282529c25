"""django-rq's pages, read-only, behind Jobdesk's view permissions.

django-rq's own URL module (``django_rq.urls``) mounts views that empty queues, delete,
requeue, enqueue and stop jobs, guarded by ``is_staff`` alone: a side door around the
services, which keep the Job rows (the source of truth) and check each action's
permission. The host includes this module instead (``include("jobs.admin.rq_pages")``).
It keeps django-rq's URL names under the ``django_rq`` namespace, so links and
django-rq's templates still reverse, but only the views in :data:`READ_ONLY` answer;
every other django-rq view, including any a later django-rq version adds, is refused
with a 403 for everyone, superusers included. The templates in
``jobs/templates/django_rq/`` hide the buttons that would lead there.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern
from django.views.decorators.http import require_safe

from jobs.services.actions import may
from jobs.services.queries import django_rq_pages

NEEDS = ("view_queue", "view_job")
"""The pages show queues and jobs (arguments, results, errors): both view actions."""

READ_ONLY = frozenset(
    {
        "home",
        "home_json",
        "metrics",
        "jobs",
        "queue_details",
        "finished_jobs",
        "failed_jobs",
        "scheduled_jobs",
        "started_jobs",
        "deferred_jobs",
        "job_detail",
        "result_detail",
        "workers",
        "worker_details",
        "scheduler_jobs",
        "cron_scheduler_detail",
        "cron_job_detail",
    }
)
"""django-rq views that only read (GET or HEAD); every other one is refused."""

REFUSAL = (
    "django-rq's actions are closed here: they would change RQ behind Jobdesk's back. "
    "Retry, cancel and delete jobs, and pause queues, in the Jobs and Queues admin."
)


def may_view(request: HttpRequest) -> bool:
    """Whether the user may see django-rq's pages (the Queues admin asks before linking)."""
    return all(may(request.user, name) for name in NEEDS)


def refused(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """Stands in for every state-changing django-rq view, so its URL name still reverses."""
    raise PermissionDenied(REFUSAL)


def read_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A django-rq view for GET and HEAD, behind the view permissions; unknown ids are 404s."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not may_view(request):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except django_rq_pages.MISSING as exc:
            raise Http404("No such queue or job.") from exc

    return require_safe(guarded)


def worker_details(request: HttpRequest, queue_index: int, key: str) -> HttpResponse:
    """Jobdesk's Workers page stands in for django-rq's worker page.

    django-rq looks the worker up without the queue's serializer, so its page fails (a
    500) on JSON jobs whenever the worker is busy.
    """
    return redirect("admin:jobs_workers")


REPLACED: dict[str, Callable[..., HttpResponse]] = {"worker_details": worker_details}
"""Read-only django-rq views that Jobdesk answers itself."""


def _mount(pattern: URLPattern) -> URLPattern:
    """The same route and name, on the read-only view or on :func:`refused`."""
    name = pattern.name or ""
    callback = read_only(REPLACED.get(name, pattern.callback)) if name in READ_ONLY else refused
    return URLPattern(pattern.pattern, admin.site.admin_view(callback), pattern.default_args, name)


app_name = "django_rq"
urlpatterns = [_mount(pattern) for pattern in django_rq_pages.url_patterns()]
