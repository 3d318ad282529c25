"""Permission checks and the action throttle, shared by queries and mutations."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from jobs.services.throttling import ActionThrottle

VIA = "graphql"


def require(info: Any, permission: str) -> Any:
    """The request's user, if it holds ``permission``.

    Raises:
        GraphQLError with code ``permission_denied``.
    """
    user = info.context.user
    if not user.has_perm(permission):
        raise GraphQLError(f"You need the {permission} permission.", extensions={"code": "permission_denied"})
    return user


def throttled(info: Any) -> int | None:
    """Seconds to wait when this user's actions are over the shared REST/GraphQL rate, else None."""
    throttle = ActionThrottle()
    if throttle.allow_request(info.context, None):
        return None
    return int(throttle.wait() or 1)
