"""``/graphql/``: graphene's view behind the same authentication as the REST API.

``Authorization: Token <key>`` (DRF authtoken) needs no CSRF token; a request riding on
the session cookie must carry Django's CSRF token on POST, as any form would. Without
either the answer is 401, like REST's. GraphiQL's scripts and styles are served from
this site's static files (graphene-django-graphiql-static), never from a CDN.

The view brings its own schema and no graphene middleware, so the host needs no
``GRAPHENE`` setting: graphene-django's default adds ``DjangoDebugMiddleware`` when
DEBUG is on, which the schema has no field to read and which wraps every database
cursor of the process for good, with an ``executemany`` that breaks bulk scheduling.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt
from graphene.validation import DisableIntrospection
from graphene_django.views import HttpError
from graphene_django_graphiql_static.views import GraphiQLOfflineView
from graphql.validation import specified_rules
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from jobs.core.rules import MAX_JSON_DEPTH, nests_deeper_than
from jobs.graphql.limits import CostLimitRule, setting
from jobs.graphql.schema import schema


def _refusal(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = "Token"
    return response


def _csrf_failure(request: HttpRequest) -> HttpResponse | None:
    """Django's own CSRF check, as the middleware would have run it."""
    check = CsrfViewMiddleware(lambda _request: HttpResponse())
    check.process_request(request)
    return check.process_view(request, None, (), {})


class GraphQLView(GraphiQLOfflineView):
    """Login required; GraphiQL, introspection, depth and cost follow ``JOBS_GRAPHQL`` (limits.py)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("schema", schema)
        kwargs.setdefault("middleware", [])
        super().__init__(**kwargs)

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return csrf_exempt(super().as_view(**initkwargs))

    def parse_body(self, request: HttpRequest) -> Any:
        """``[[[[…`` deeper than twice ``MAX_JSON_DEPTH`` is a 400 (3.11's decoder raises
        RecursionError a few thousand deep; 3.13's reads it)."""
        try:
            body = super().parse_body(request)
        except RecursionError as exc:
            raise HttpError(HttpResponseBadRequest("The JSON body is nested too deep.")) from exc
        if nests_deeper_than(body, 2 * MAX_JSON_DEPTH):
            raise HttpError(HttpResponseBadRequest("The JSON body is nested too deep."))
        return body

    @staticmethod
    def _wants_graphiql(request: HttpRequest) -> bool:
        """A browser opening GraphiQL goes to the login page (and back), not to a JSON 401."""
        return (
            request.method == "GET"
            and bool(setting("GRAPHIQL"))
            and "text/html" in request.headers.get("Accept", "")
        )

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            token = TokenAuthentication().authenticate(request)
        except exceptions.AuthenticationFailed as exc:
            return _refusal(401, "authentication_failed", str(exc.detail))
        if token is not None:
            request.user = token[0]
        elif request.method not in ("GET", "HEAD", "OPTIONS") and _csrf_failure(request) is not None:
            return _refusal(403, "csrf_failed", "CSRF check failed: send the X-CSRFToken header.")
        if not request.user.is_authenticated:
            if self._wants_graphiql(request):
                return redirect_to_login(request.get_full_path())
            return _refusal(401, "not_authenticated", "Authentication credentials were not provided.")
        self.graphiql = bool(setting("GRAPHIQL"))
        # graphene-django replaces the standard rules with these, so they are listed too.
        rules = [*specified_rules, CostLimitRule]
        self.validation_rules = rules if setting("INTROSPECTION") else [*rules, DisableIntrospection]
        return super().dispatch(request, *args, **kwargs)
