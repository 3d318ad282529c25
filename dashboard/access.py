"""Who may see and do what on the dashboard, and the headers every page carries.

Views and templates name actions (``"view_job"``, ``"retry_job"``); which permission each
needs is read from :mod:`jobs.services.actions`, the table the admin and the APIs read.

Every view is wrapped by :func:`dashboard_view`: anonymous people go to the admin's
login, a missing view permission is a 403, and every response gets a strict
Content-Security-Policy (no inline scripts or styles; scripts read their data from
``json_script`` blocks), so an escaping slip can't turn into script execution.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jobs.services import actions

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"
"""Charts are SVG documents shown through <img>: styles only, never scripts."""

View = Callable[..., HttpResponse]


def dashboard_view(*needs: str, csp: str = PAGE_CSP) -> Callable[[View], View]:
    """Require a logged-in user who may perform every action in ``needs``; send the CSP header."""
    for name in needs:
        actions.action(name)  # a misspelt action name fails at import, not at request time

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not all(actions.may(request.user, name) for name in needs):
                raise PermissionDenied
            response = view(request, *args, **kwargs)
            response["Content-Security-Policy"] = csp
            response["X-Content-Type-Options"] = "nosniff"
            return response

        return wrapped

    return decorate


def require(request: HttpRequest, name: str) -> None:
    """Acting needs the same permission as in the admin and the APIs: a 403 otherwise."""
    if not actions.may(request.user, name):
        raise PermissionDenied


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    """A dashboard-styled 404 that says what was not found."""
    response = render(request, "dashboard/not_found.html", {"message": message}, status=404)
    response["Content-Security-Policy"] = PAGE_CSP
    return response
