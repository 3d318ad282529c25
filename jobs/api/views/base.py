"""What every viewset shares: authentication, permissions, the action throttle, errors, schema.

Each of these is set on the view rather than read from the host's ``REST_FRAMEWORK``
setting, so adding Jobdesk needs no DRF settings and leaves the host's own APIs as they
were (decision "views that configure themselves").
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication

from jobs.api.errors import handle_exception
from jobs.api.parsers import FormBodyParser, JSONBodyParser, MultiPartBodyParser
from jobs.api.permissions import ActionPermission
from jobs.services.throttling import ActionThrottle

VIA = "rest"


class ApiViewSet(viewsets.GenericViewSet):
    """Permission per action from ``permission_map``; actions in ``throttled_actions`` are rate-limited."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    parser_classes = [JSONBodyParser, FormBodyParser, MultiPartBodyParser]
    permission_classes = [ActionPermission]
    permission_map: dict[str, str] = {}
    throttled_actions: frozenset[str] = frozenset()
    schema = AutoSchema()

    def get_exception_handler(self) -> Any:
        return handle_exception

    def get_throttles(self) -> list[Any]:
        return [ActionThrottle()] if self.action in self.throttled_actions else []
