"""What every viewset shares: authentication, permissions, the action throttle."""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets

from jobs.api.parsers import FormBodyParser, JSONBodyParser, MultiPartBodyParser
from jobs.api.permissions import ActionPermission
from jobs.services.throttling import ActionThrottle

VIA = "rest"


class ApiViewSet(viewsets.GenericViewSet):
    """Permission per action from ``permission_map``; actions in ``throttled_actions`` are rate-limited."""

    parser_classes = [JSONBodyParser, FormBodyParser, MultiPartBodyParser]
    permission_classes = [ActionPermission]
    permission_map: dict[str, str] = {}
    throttled_actions: frozenset[str] = frozenset()

    def get_throttles(self) -> list[Any]:
        return [ActionThrottle()] if self.action in self.throttled_actions else []
