"""Mutations on queues: pause and resume, by name."""

from __future__ import annotations

from typing import Any

import graphene

from jobs import services
from jobs.graphql.access import VIA
from jobs.graphql.mutations.base import ServiceMutation
from jobs.graphql.types import QueueType


class QueueAction(ServiceMutation):
    class Arguments:
        name = graphene.String(required=True)

    queue = graphene.Field(QueueType)

    class Meta:
        abstract = True


class PauseQueue(QueueAction):
    action = "pause_queue"

    @classmethod
    def perform(cls, user: Any, name: str) -> dict[str, Any]:
        return {"queue": services.pause_queue(name, user=user, via=VIA)}


class ResumeQueue(QueueAction):
    action = "resume_queue"

    @classmethod
    def perform(cls, user: Any, name: str) -> dict[str, Any]:
        return {"queue": services.resume_queue(name, user=user, via=VIA)}
