"""What every mutation shares: permission, throttle, one service call, refusals as data.

A mutation returns the changed object and ``errors``: a refusal is data
(``{code, message, field}``, the same codes as REST), not an exception. The code is
the :class:`JobsError` class's own, so a refusal is told apart by its class.
"""

from __future__ import annotations

from collections.abc import Sized
from typing import Any

import graphene

from jobs.exceptions import Invalid, JobsError
from jobs.graphql.access import throttled
from jobs.graphql.types import ErrorType
from jobs.services import actions


class LimitExceeded(Invalid):
    """A bulk request names more objects than its action's limit (``actions.bulk_limit``)."""

    code = "limit_exceeded"


def errors_of(exc: JobsError) -> list[ErrorType]:
    """One entry per field at fault, or one without a field."""
    if not exc.fields:
        return [ErrorType(code=exc.code, message=exc.message, field=None)]
    return [ErrorType(code=exc.code, message=exc.message, field=name) for name in exc.fields]


def given(values: Any) -> dict[str, Any]:
    """Only the fields the client sent (graphene fills the others with None)."""
    return {name: value for name, value in dict(values).items() if value is not None}


def check_bulk(action: str, items: Sized, field: str) -> None:
    """Raises: LimitExceeded over the action's bulk limit; Invalid for an empty request."""
    limit = actions.bulk_limit(action)
    if len(items) > limit:
        message = f"At most {limit} per request; {len(items)} given."
        raise LimitExceeded(message, fields={field: f"at most {limit}"})
    if not items:
        raise Invalid("Name at least one.", fields={field: "empty"})


class ServiceMutation(graphene.Mutation):
    """Subclasses name ``action`` (in ``actions.ACTIONS``) and implement ``perform``."""

    errors = graphene.List(graphene.NonNull(ErrorType), required=True)
    action = ""

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root: Any, info: Any, **arguments: Any) -> ServiceMutation:
        user = info.context.user
        try:
            actions.require(user, cls.action)
            wait = throttled(info)
            if wait is not None:
                message = f"Too many actions; try again in {wait} s."
                return cls(errors=[ErrorType(code="throttled", message=message)])
            return cls(errors=[], **cls.perform(user, **arguments))
        except JobsError as exc:
            return cls(errors=errors_of(exc))

    @classmethod
    def perform(cls, user: Any, **arguments: Any) -> dict[str, Any]:
        """The output fields, from one service call. Raises: JobsError for a refusal."""
        raise NotImplementedError
