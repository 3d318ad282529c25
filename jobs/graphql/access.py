"""Permissions, refusals and the action throttle, shared by queries and mutations.

Which permission an action needs is :mod:`jobs.services.actions`' answer, never a
codename spelt here. A refusal's ``code`` is its :class:`JobsError` class's own
(``not_found``, ``invalid_transition``, ``permission_denied``…), the same as REST's.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from jobs.exceptions import JobsError
from jobs.services import actions
from jobs.services.throttling import ActionThrottle

VIA = "graphql"


def graphql_error(exc: JobsError) -> GraphQLError:
    """A query's refusal: a top-level GraphQL error carrying the refusal's code and field."""
    extensions: dict[str, Any] = {"code": exc.code}
    if exc.fields:
        extensions["field"] = next(iter(exc.fields))
    return GraphQLError(exc.message, extensions=extensions)


def require(info: Any, action: str) -> Any:
    """The request's user, if it may perform ``action`` (a name in ``actions.ACTIONS``).

    Raises:
        GraphQLError with code ``permission_denied``.
    """
    user = info.context.user
    try:
        actions.require(user, action)
    except JobsError as exc:
        raise graphql_error(exc) from exc
    return user


def throttled(info: Any) -> int | None:
    """Seconds to wait when this user's actions are over the shared REST/GraphQL rate, else None."""
    throttle = ActionThrottle()
    if throttle.allow_request(info.context, None):
        return None
    return int(throttle.wait() or 1)
