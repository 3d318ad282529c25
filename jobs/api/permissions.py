"""Who may do what: reading needs the view permission, each action its own.

The same Django permissions the admin checks, so one group setup governs every surface.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

VIEW_JOB = "jobs.view_job"
VIEW_QUEUE = "jobs.view_queuestats"
VIEW_RECURRING = "jobs.view_recurringjob"


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
