"""Mutations: each parses, checks its permission and the action throttle, calls one service.

Every mutation returns the changed object and ``errors``: a refusal is data
(``{code, message, field}``, the same codes as REST), not an exception.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLError

from jobs import services
from jobs.core.rules import MAX_ATTEMPTS, MAX_DELAY_SECONDS
from jobs.exceptions import JobsError
from jobs.graphql.access import VIA, require, throttled
from jobs.graphql.types import ErrorType, JobType, QueueType


def errors_of(exc: JobsError) -> list[ErrorType]:
    """One entry per field at fault, or one without a field."""
    if not exc.fields:
        return [ErrorType(code=exc.code, message=exc.message, field=None)]
    return [ErrorType(code=exc.code, message=exc.message, field=name) for name in exc.fields]


class ServiceMutation(graphene.Mutation):
    """Subclasses name ``permission`` and implement ``perform`` returning the output fields."""

    errors = graphene.List(graphene.NonNull(ErrorType), required=True)
    permission = ""

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root: Any, info: Any, **arguments: Any) -> ServiceMutation:
        try:
            user = require(info, cls.permission)
        except GraphQLError as exc:
            return cls(errors=[ErrorType(code="permission_denied", message=exc.message)])
        wait = throttled(info)
        if wait is not None:
            message = f"Too many actions; try again in {wait} s."
            return cls(errors=[ErrorType(code="throttled", message=message)])
        try:
            return cls(errors=[], **cls.perform(user, **arguments))
        except JobsError as exc:
            return cls(errors=errors_of(exc))

    @classmethod
    def perform(cls, user: Any, **arguments: Any) -> dict[str, Any]:
        raise NotImplementedError


class ScheduleJobInput(graphene.InputObjectType):
    task = graphene.String(required=True)
    args = graphene.JSONString()
    kwargs = graphene.JSONString()
    queue = graphene.String()
    priority = graphene.String()
    run_at = graphene.DateTime()
    delay_seconds = graphene.Float(description=f"Seconds from now: 0 to {MAX_DELAY_SECONDS}.")
    max_attempts = graphene.Int(description=f"1 to {MAX_ATTEMPTS}; empty: the task's default.")
    depends_on = graphene.List(graphene.NonNull(graphene.String))
    tags = graphene.List(graphene.NonNull(graphene.String))
    correlation_id = graphene.String()


class ScheduleJob(ServiceMutation):
    class Arguments:
        input = ScheduleJobInput(required=True)

    job = graphene.Field(JobType)
    permission = "jobs.schedule_job"

    @classmethod
    def perform(cls, user: Any, input: dict[str, Any]) -> dict[str, Any]:
        options = {name: value for name, value in dict(input).items() if value is not None}
        options["delay"] = options.pop("delay_seconds", None)
        return {"job": services.schedule_job(user=user, via=VIA, **options)}


class JobAction(ServiceMutation):
    class Arguments:
        id = graphene.String(required=True)

    job = graphene.Field(JobType)

    class Meta:
        abstract = True


class RetryJob(JobAction):
    permission = "jobs.retry_job"

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        return {"job": services.retry_job(id, user=user, via=VIA)}


class CancelJob(JobAction):
    permission = "jobs.cancel_job"

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        return {"job": services.cancel_job(id, user=user, via=VIA)}


class QueueAction(ServiceMutation):
    class Arguments:
        name = graphene.String(required=True)

    queue = graphene.Field(QueueType)
    permission = "jobs.pause_queue"

    class Meta:
        abstract = True


class PauseQueue(QueueAction):
    @classmethod
    def perform(cls, user: Any, name: str) -> dict[str, Any]:
        return {"queue": services.pause_queue(name, user=user, via=VIA)}


class ResumeQueue(QueueAction):
    @classmethod
    def perform(cls, user: Any, name: str) -> dict[str, Any]:
        return {"queue": services.resume_queue(name, user=user, via=VIA)}
