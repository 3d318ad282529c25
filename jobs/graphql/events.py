"""GraphQL for events and event triggers: ``events``, ``event``, ``eventTriggers``;
``publishEvent`` and the trigger mutations, through :mod:`jobs.services.events`."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from jobs.exceptions import JobsError
from jobs.graphql.access import VIA, graphql_error, require
from jobs.graphql.limits import check_first
from jobs.graphql.mutations.base import ServiceMutation, given
from jobs.graphql.scalars import JSON
from jobs.models import Event, EventTrigger
from jobs.models.events import get_event
from jobs.services import events, shapes


class EventJobType(graphene.ObjectType):
    """One trigger's job for the event."""

    trigger = graphene.String(required=True)
    job = graphene.ID()
    status = graphene.String()


class EventType(DjangoObjectType):
    payload = JSON(required=True)
    created_by = graphene.String()
    jobs = graphene.List(graphene.NonNull(EventJobType), required=True)

    class Meta:
        model = Event
        fields = shapes.EVENT_FIELDS

    def resolve_created_by(self: Event, info: Any) -> str | None:
        return self.created_by.username if self.created_by_id else None

    def resolve_jobs(self: Event, info: Any) -> list[EventJobType]:
        return [
            EventJobType(trigger=d.trigger_key, job=d.job_id, status=d.job.status if d.job else None)
            for d in events.event_jobs(self)
        ]


class EventTriggerType(DjangoObjectType):
    filter = JSON(required=True)
    mapping = JSON(required=True)

    class Meta:
        model = EventTrigger
        fields = shapes.EVENT_TRIGGER_FIELDS


class EventQuery(graphene.ObjectType):
    events = graphene.List(
        graphene.NonNull(EventType), required=True, name=graphene.String(), first=graphene.Int()
    )
    event = graphene.Field(EventType, id=graphene.ID(required=True, description="The event id (or number)."))
    event_triggers = graphene.List(graphene.NonNull(EventTriggerType), required=True)

    def resolve_events(self, info: Any, name: str | None = None, first: int = 50) -> list[Event]:
        require(info, "view_event")
        check_first(first)
        return list(events.events(name)[:first])

    def resolve_event(self, info: Any, id: str) -> Event:
        require(info, "view_event")
        try:
            return get_event(id)
        except JobsError as exc:
            raise graphql_error(exc) from exc

    def resolve_event_triggers(self, info: Any) -> list[EventTrigger]:
        require(info, "view_event_trigger")
        return list(EventTrigger.objects.all()[:500])


class PublishEvent(ServiceMutation):
    """Store the event and create one job per matching trigger; the same ``eventId`` again
    returns the stored event with ``created: false`` and creates nothing."""

    class Arguments:
        name = graphene.String(required=True)
        payload = JSON(description="A JSON object.")
        event_id = graphene.String(description="Your id for it; publishing it again creates nothing.")

    event = graphene.Field(EventType)
    created = graphene.Boolean()
    action = "publish_event"

    @classmethod
    def perform(cls, user: Any, name: str, payload: Any = None, event_id: str | None = None) -> dict:
        event = events.publish_event(name, payload, event_id=event_id, user=user, via=VIA)
        return {"event": event, "created": event.created}


class EventTriggerInput(graphene.InputObjectType):
    event_name = graphene.String()
    task = graphene.String()
    filter = JSON(description="Payload path → value; all must match.")
    mapping = JSON(description="Parameter → payload path.")
    queue = graphene.String()
    enabled = graphene.Boolean()
    description = graphene.String()


class CreateEventTrigger(ServiceMutation):
    class Arguments:
        input = EventTriggerInput(required=True)

    event_trigger = graphene.Field(EventTriggerType)
    action = "create_event_trigger"

    @classmethod
    def perform(cls, user: Any, input: Any) -> dict[str, Any]:
        return {"event_trigger": events.create_event_trigger(given(input), user=user)}


class UpdateEventTrigger(ServiceMutation):
    class Arguments:
        id = graphene.ID(required=True)
        input = EventTriggerInput(required=True)

    event_trigger = graphene.Field(EventTriggerType)
    action = "update_event_trigger"

    @classmethod
    def perform(cls, user: Any, id: str, input: Any) -> dict[str, Any]:
        return {"event_trigger": events.update_event_trigger(id, given(input), user=user)}


class DeleteEventTrigger(ServiceMutation):
    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()
    action = "delete_event_trigger"

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        return {"deleted_id": str(events.delete_event_trigger(id, user=user).pk)}


class EventMutation(graphene.ObjectType):
    publish_event = PublishEvent.Field()
    create_event_trigger = CreateEventTrigger.Field()
    update_event_trigger = UpdateEventTrigger.Field()
    delete_event_trigger = DeleteEventTrigger.Field()
