"""The few site-wide pages ``jobs.urls`` adds beside the interfaces: ``/`` and ``/favicon.ico``.

``/`` goes to the dashboard, so the admin's "View site" link (``/`` by default) and a
person typing the bare address land somewhere useful instead of a 404. The favicon is
answered here, from the app's own file, so every page stops logging a 404 for it
whatever the host's static files setup is.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

FAVICON = Path(__file__).resolve().parent / "static" / "jobs" / "favicon.svg"


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return redirect("dashboard:overview")


@cache
def _favicon() -> bytes:
    return FAVICON.read_bytes()


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_favicon(), content_type="image/svg+xml")
