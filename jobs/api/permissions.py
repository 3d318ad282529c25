"""Who may do what: each view action needs the permission of the service action it performs.

The permissions come from :mod:`jobs.services.actions`, the table the admin, the
dashboard and GraphQL read too, so one group setup governs every surface.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from jobs.services import actions


def permissions_for(**view_actions: str) -> dict[str, str]:
    """A viewset's ``permission_map``: each view action to its service action's codename.

    ``permissions_for(retry="retry_job")`` is ``{"retry": actions.permission("retry_job")}``.
    Raises: KeyError for a service action the table doesn't know (at import time).
    """
    return {view: actions.permission(name) for view, name in view_actions.items()}


class ActionPermission(BasePermission):
    """Checks ``view.permission_map[view.action]``; an action missing from the map is refused."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        action = getattr(view, "action", None)
        if action is None:
            return True  # no handler for this method: let DRF answer 405
        needed = getattr(view, "permission_map", {}).get(action)
        return bool(needed) and user.has_perm(needed)
