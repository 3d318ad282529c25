"""``/api/queues/``: figures per queue by name, pause and resume."""

from __future__ import annotations

from typing import Any

from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from jobs import conf, services
from jobs.api.permissions import permissions_for
from jobs.api.schema import errors, extend_schema
from jobs.api.serializers import QueueSerializer
from jobs.api.views.base import VIA, ApiViewSet
from jobs.core.validation import check_queue
from jobs.exceptions import UnknownQueue
from jobs.services.queues import get_queue_stats


class QueueViewSet(ApiViewSet):
    serializer_class = QueueSerializer
    pagination_class = None
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    permission_map = permissions_for(
        list="view_queue", retrieve="view_queue", pause="pause_queue", resume="resume_queue"
    )
    throttled_actions = frozenset({"pause", "resume"})

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """A queue in the URL that isn't configured is a missing resource: 404, as for ids."""
        super().initial(request, *args, **kwargs)
        name = kwargs.get("name")
        if name is not None:
            try:
                check_queue(name)
            except UnknownQueue as exc:
                raise NotFound(exc.message) from exc

    @extend_schema(responses={200: QueueSerializer(many=True), **errors()})
    def list(self, request: Request) -> Response:
        stats = [get_queue_stats(name) for name in conf.get().QUEUES]
        return Response(QueueSerializer(stats, many=True).data)

    @extend_schema(responses={200: QueueSerializer, **errors(404)})
    def retrieve(self, request: Request, name: str) -> Response:
        return Response(QueueSerializer(get_queue_stats(name)).data)

    @extend_schema(request=None, responses={200: QueueSerializer, **errors(404, 409, 429)})
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, name: str) -> Response:
        return Response(QueueSerializer(services.pause_queue(name, user=request.user, via=VIA)).data)

    @extend_schema(request=None, responses={200: QueueSerializer, **errors(404, 409, 429)})
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, name: str) -> Response:
        return Response(QueueSerializer(services.resume_queue(name, user=request.user, via=VIA)).data)
