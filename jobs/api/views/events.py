"""``/api/events/`` (publish and read events) and ``/api/event-triggers/`` (trigger rows)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from jobs.api.pagination import JobCursorPagination
from jobs.api.permissions import permissions_for
from jobs.api.schema import errors, extend_schema
from jobs.api.serializers.events import (
    EventSerializer,
    EventTriggerSerializer,
    EventTriggerWriteSerializer,
    PublishEventSerializer,
)
from jobs.api.views.base import VIA, ApiViewSet
from jobs.models import Event, EventTrigger
from jobs.models.events import get_event, get_trigger
from jobs.services import events


class EventViewSet(ApiViewSet):
    """Published events with the jobs their triggers created. Publishing an id again is a 200
    with the stored event, and creates nothing."""

    serializer_class = EventSerializer
    pagination_class = JobCursorPagination
    lookup_value_regex = "[^/]+"
    permission_map = permissions_for(list="view_event", retrieve="view_event", create="publish_event")
    throttled_actions = frozenset({"create"})

    def get_queryset(self) -> QuerySet[Event]:
        return events.events(self.request.query_params.get("name") or None)

    @extend_schema(responses={200: EventSerializer(many=True), **errors(400)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EventSerializer(page, many=True).data)

    @extend_schema(
        request=PublishEventSerializer,
        responses={201: EventSerializer, 200: EventSerializer, **errors(400, 429)},
    )
    def create(self, request: Request) -> Response:
        body = PublishEventSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        event = events.publish_event(
            data["name"],
            data.get("payload"),
            event_id=data.get("event_id") or None,
            user=request.user,
            via=VIA,
        )
        code = status.HTTP_201_CREATED if event.created else status.HTTP_200_OK
        return Response(EventSerializer(event).data, status=code)

    @extend_schema(responses={200: EventSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(EventSerializer(get_event(pk)).data)


class EventTriggerViewSet(ApiViewSet):
    """Trigger rows: events of a name (matching a filter) run a task, the payload mapped
    onto its parameters. Code triggers (``@task(on_event=...)``) are not listed here."""

    serializer_class = EventTriggerSerializer
    pagination_class = JobCursorPagination
    lookup_value_regex = "[^/]+"
    permission_map = permissions_for(
        list="view_event_trigger",
        retrieve="view_event_trigger",
        create="create_event_trigger",
        partial_update="update_event_trigger",
        destroy="delete_event_trigger",
    )
    throttled_actions = frozenset({"create", "partial_update", "destroy"})

    def get_queryset(self) -> QuerySet[EventTrigger]:
        return EventTrigger.objects.all()

    @extend_schema(responses={200: EventTriggerSerializer(many=True), **errors(400)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EventTriggerSerializer(page, many=True).data)

    @extend_schema(
        request=EventTriggerWriteSerializer, responses={201: EventTriggerSerializer, **errors(400, 429)}
    )
    def create(self, request: Request) -> Response:
        body = EventTriggerWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        trigger = events.create_event_trigger(body.validated_data, user=request.user)
        return Response(EventTriggerSerializer(trigger).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: EventTriggerSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(EventTriggerSerializer(get_trigger(pk)).data)

    @extend_schema(
        request=EventTriggerWriteSerializer(partial=True),
        responses={200: EventTriggerSerializer, **errors(400, 404, 429)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        get_trigger(pk)
        body = EventTriggerWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        return Response(
            EventTriggerSerializer(
                events.update_event_trigger(pk, body.validated_data, user=request.user)
            ).data
        )

    @extend_schema(responses={204: None, **errors(404, 429)})
    def destroy(self, request: Request, pk: str) -> Response:
        events.delete_event_trigger(pk, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
