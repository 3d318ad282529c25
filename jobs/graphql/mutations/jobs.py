"""Mutations on jobs: schedule one or many, retry, cancel, re-run and delete, one or many."""

from __future__ import annotations

from typing import Any

import graphene

from jobs import services
from jobs.core.rules import MAX_ATTEMPTS, MAX_DELAY_SECONDS
from jobs.graphql.access import VIA
from jobs.graphql.mutations.base import ServiceMutation, check_bulk, given
from jobs.graphql.scalars import JSON
from jobs.graphql.types import JobType
from jobs.services import BulkResult, actions


class ScheduleJobInput(graphene.InputObjectType):
    task = graphene.String(required=True)
    args = JSON(description='A list of positional arguments, e.g. [1, "push"].')
    kwargs = JSON(description="An object of keyword arguments.")
    queue = graphene.String()
    priority = graphene.String()
    run_at = graphene.DateTime()
    delay_seconds = graphene.Float(description=f"Seconds from now: 0 to {MAX_DELAY_SECONDS}.")
    max_attempts = graphene.Int(description=f"1 to {MAX_ATTEMPTS}; empty: the task's default.")
    depends_on = graphene.List(graphene.NonNull(graphene.ID))
    tags = graphene.List(graphene.NonNull(graphene.String))
    correlation_id = graphene.String()


def schedule_options(input: Any) -> dict[str, Any]:
    """One ``ScheduleJobInput`` as :func:`jobs.services.schedule_job` options."""
    return services.options_from_request(given(input))


class ScheduleJob(ServiceMutation):
    class Arguments:
        input = ScheduleJobInput(required=True)
        idempotency_key = graphene.String(
            description="Repeat the mutation with the same key (yours, for 24 h) and get the same job back."
        )

    job = graphene.Field(JobType)
    action = "schedule_job"

    @classmethod
    def perform(cls, user: Any, input: Any, idempotency_key: str | None = None) -> dict[str, Any]:
        options = schedule_options(input)
        if idempotency_key is not None:  # flow control (issue 15)
            options["idempotency_key"] = idempotency_key
        return {"job": services.schedule_job(user=user, via=VIA, **options)}


class ScheduleJobs(ServiceMutation):
    """All of them or, on any bad one (its position in the message), none."""

    class Arguments:
        jobs = graphene.List(
            graphene.NonNull(ScheduleJobInput),
            required=True,
            description=f"At most {actions.bulk_limit('schedule_job')} jobs.",
        )

    jobs = graphene.List(graphene.NonNull(JobType))
    action = "schedule_job"

    @classmethod
    def perform(cls, user: Any, jobs: list[Any]) -> dict[str, Any]:
        check_bulk(cls.action, jobs, "jobs")
        requests = [schedule_options(job) for job in jobs]
        return {"jobs": services.schedule_jobs(requests, user=user, via=VIA)}


class JobAction(ServiceMutation):
    class Arguments:
        id = graphene.ID(required=True)

    job = graphene.Field(JobType)

    class Meta:
        abstract = True


class RetryJob(JobAction):
    action = "retry_job"

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        return {"job": services.retry_job(id, user=user, via=VIA)}


class CancelJob(JobAction):
    action = "cancel_job"

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        return {"job": services.cancel_job(id, user=user, via=VIA)}


class RerunJob(JobAction):
    """``job`` is the fresh copy; the original is untouched and becomes its ``parent``."""

    action = "rerun_job"

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        return {"job": services.rerun_job(id, user=user, via=VIA)}


class DeleteJob(ServiceMutation):
    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()
    action = "delete_job"

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        return {"deleted_id": str(services.delete_job(id, user=user, via=VIA).pk)}


class RefusedJobType(graphene.ObjectType):
    """One id a bulk action left alone, and why."""

    id = graphene.ID(required=True)
    message = graphene.String(required=True)


def refused(result: BulkResult) -> list[RefusedJobType]:
    return [RefusedJobType(id=job_id, message=message) for job_id, message in result.refused.items()]


class BulkJobAction(ServiceMutation):
    """Acts on each job that can be; ``refused`` says why for the others."""

    class Arguments:
        ids = graphene.List(graphene.NonNull(graphene.ID), required=True)

    refused = graphene.List(graphene.NonNull(RefusedJobType))

    class Meta:
        abstract = True

    @classmethod
    def perform(cls, user: Any, ids: list[str]) -> dict[str, Any]:
        check_bulk(cls.action, ids, "ids")
        result = cls.service(ids, user=user, via=VIA)
        return {**cls.done(result), "refused": refused(result)}

    @classmethod
    def done(cls, result: BulkResult) -> dict[str, Any]:
        return {"jobs": result.done}


class RetryJobs(BulkJobAction):
    jobs = graphene.List(graphene.NonNull(JobType), description="The jobs sent back.")
    action = "retry_job"
    service = staticmethod(services.retry_jobs)


class CancelJobs(BulkJobAction):
    jobs = graphene.List(graphene.NonNull(JobType), description="The jobs cancelled.")
    action = "cancel_job"
    service = staticmethod(services.cancel_jobs)


class DeleteJobs(BulkJobAction):
    deleted_ids = graphene.List(graphene.NonNull(graphene.ID))
    action = "delete_job"
    service = staticmethod(services.delete_jobs)

    @classmethod
    def done(cls, result: BulkResult) -> dict[str, Any]:
        return {"deleted_ids": [str(job.pk) for job in result.done]}
