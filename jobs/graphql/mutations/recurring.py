"""Mutations on recurring jobs: create, update, delete, trigger, pause, resume."""

from __future__ import annotations

from typing import Any

import graphene

from jobs import services
from jobs.core.rules import EARLIEST, LATEST, MAX_CONCURRENT_RUNS
from jobs.graphql.access import VIA
from jobs.graphql.mutations.base import ServiceMutation, given
from jobs.graphql.scalars import JSON
from jobs.graphql.types import JobType, RecurringJobType


class RecurringJobFields:
    """The editable fields, as :func:`jobs.services.create_recurring_job` names them."""

    name = graphene.String()
    task = graphene.String()
    args = JSON(description="A list of positional arguments.")
    kwargs = JSON(description="An object of keyword arguments.")
    queue = graphene.String()
    priority = graphene.String()
    schedule = JSON(
        description='One of {"crontab": {...}}, {"interval": {"every", "period"}}, {"clocked": {...}}.'
    )
    enabled = graphene.Boolean()
    start_at = graphene.DateTime(description=f"Between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}.")
    end_at = graphene.DateTime(description=f"Between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}.")
    max_concurrent_runs = graphene.Int(description=f"1 to {MAX_CONCURRENT_RUNS}.")
    misfire_policy = graphene.String()
    description = graphene.String()


class CreateRecurringJobInput(RecurringJobFields, graphene.InputObjectType):
    name = graphene.String(required=True)
    task = graphene.String(required=True)
    schedule = JSON(required=True)


class UpdateRecurringJobInput(RecurringJobFields, graphene.InputObjectType):
    pass


class CreateRecurringJob(ServiceMutation):
    class Arguments:
        input = CreateRecurringJobInput(required=True)

    recurring_job = graphene.Field(RecurringJobType)
    action = "create_recurring_job"

    @classmethod
    def perform(cls, user: Any, input: Any) -> dict[str, Any]:
        rj = services.create_recurring_job(user=user, via=VIA, **given(input))
        return {"recurring_job": services.get_recurring_job(rj.pk)}


class UpdateRecurringJob(ServiceMutation):
    class Arguments:
        id = graphene.ID(required=True)
        input = UpdateRecurringJobInput(required=True)

    recurring_job = graphene.Field(RecurringJobType)
    action = "update_recurring_job"

    @classmethod
    def perform(cls, user: Any, id: str, input: Any) -> dict[str, Any]:
        rj = services.update_recurring_job(id, user=user, via=VIA, **given(input))
        return {"recurring_job": services.get_recurring_job(rj.pk)}


class DeleteRecurringJob(ServiceMutation):
    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()
    action = "delete_recurring_job"

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        services.delete_recurring_job(id, user=user, via=VIA)
        return {"deleted_id": id}


class TriggerRecurringJob(ServiceMutation):
    class Arguments:
        id = graphene.ID(required=True)

    job = graphene.Field(JobType)
    action = "trigger_recurring_job"

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        return {"job": services.trigger_recurring_job(id, user=user, via=VIA)}


class PauseRecurringJob(ServiceMutation):
    class Arguments:
        id = graphene.ID(required=True)

    recurring_job = graphene.Field(RecurringJobType)
    action = "pause_recurring_job"

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        return {"recurring_job": services.pause_recurring_job(id, user=user, via=VIA)}


class ResumeRecurringJob(PauseRecurringJob):
    action = "resume_recurring_job"

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        return {"recurring_job": services.resume_recurring_job(id, user=user, via=VIA)}
