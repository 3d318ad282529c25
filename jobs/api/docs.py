"""``/api/schema/`` and ``/api/docs/``: the OpenAPI schema of Jobdesk's API and its Swagger UI.

Both set what drf-spectacular would otherwise read from the host's settings
(``DEFAULT_SCHEMA_CLASS``, ``SPECTACULAR_SETTINGS``), so a host adds no settings and its
own APIs, if it has any, keep theirs. The schema covers only the routes of
:mod:`jobs.api.urls`, under the prefix the host mounted them at: a host API written for
DRF's own schema class can't break it. Swagger UI's files come from
drf-spectacular-sidecar's static files, never a CDN.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import patched_settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from jobs.api.errors import handle_exception

SCHEMA_SETTINGS = {
    "TITLE": "Jobdesk API",
    "COMPONENT_SPLIT_REQUEST": True,
}
SIDECAR = "drf_spectacular_sidecar/swagger-ui-dist/"


def openapi_document(api_patterns: list[Any], prefix: str = "api/", request: Any = None) -> dict[str, Any]:
    """The OpenAPI document of ``api_patterns`` mounted at ``prefix``, as ``/api/schema/`` serves it."""
    with patched_settings(SCHEMA_SETTINGS):
        generator = SchemaGenerator(patterns=[path(prefix, include(api_patterns))])
        return generator.get_schema(request=request, public=True)


class SchemaView(SpectacularAPIView):
    """The schema of the routes next to this view, whatever prefix they are mounted at."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    schema = AutoSchema()

    def get_exception_handler(self) -> Any:
        return handle_exception

    api_patterns: list[Any] = []
    """The routes to describe, given by ``jobs.api.urls`` (``as_view(api_patterns=…)``)."""
    own_route = "schema/"

    def _get_schema_response(self, request: Request) -> Response:
        route = request.resolver_match.route
        prefix = route[: len(route) - len(self.own_route)]
        return Response(openapi_document(self.api_patterns, prefix, request))


class DocsView(SpectacularSwaggerView):
    """Swagger UI; a visitor who isn't logged in goes to the login page and comes back."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    schema = AutoSchema()
    title = SCHEMA_SETTINGS["TITLE"]

    def permission_denied(self, request: Request, message: Any = None, code: Any = None) -> None:
        if request.user is None or not request.user.is_authenticated:
            raise _LoginRedirect(request.get_full_path())
        super().permission_denied(request, message, code)

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, _LoginRedirect):
            return redirect_to_login(exc.next_path)
        return super().handle_exception(exc)

    def get_exception_handler(self) -> Any:
        return handle_exception

    @staticmethod
    def _swagger_ui_resource(filename: str) -> str:
        return static(SIDECAR + filename)

    @staticmethod
    def _swagger_ui_favicon() -> str:
        return static("jobs/favicon.svg")


class _LoginRedirect(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path
