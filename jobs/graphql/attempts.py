"""A job's attempt history in GraphQL: ``job { attemptHistory { number worker error … } }``."""

from __future__ import annotations

from typing import Any

import graphene

from jobs.models import Job
from jobs.services.attempts import job_attempts


class AttemptType(graphene.ObjectType):
    """One attempt, first to last; fields as :data:`jobs.services.shapes.ATTEMPT_FIELDS`."""

    number = graphene.Int(required=True)
    worker = graphene.String(required=True)
    started_at = graphene.DateTime()
    finished_at = graphene.DateTime()
    duration = graphene.Float(description="Seconds.")
    outcome = graphene.String(required=True, description="The job status the attempt ended in, or started.")
    error = graphene.String(required=True)
    exception_class_path = graphene.String(required=True)
    traceback = graphene.String(required=True)


def _resolve(job: Job, info: Any) -> list[Any]:
    return job_attempts(job)


def attempt_history_field() -> graphene.List:
    """The field ``JobType`` declares: every attempt, each failed one with its error and traceback."""
    return graphene.List(
        graphene.NonNull(AttemptType),
        required=True,
        resolver=_resolve,
        description="Every attempt, first to last; failed ones keep their error and traceback.",
    )
