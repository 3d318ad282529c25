"""``/api/pools/`` and ``/api/fleet-workers/``: the worker fleet, resize a pool, stop a worker."""

from __future__ import annotations

from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from jobs.api.permissions import permissions_for
from jobs.api.schema import errors, extend_schema
from jobs.api.serializers.fleet import FleetWorkerSerializer, PoolSerializer, ResizeSerializer
from jobs.api.views.base import ApiViewSet
from jobs.services import fleet


class PoolViewSet(ApiViewSet):
    serializer_class = PoolSerializer
    pagination_class = None
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    permission_map = permissions_for(list="view_fleet", retrieve="view_fleet", resize="resize_pool")
    throttled_actions = frozenset({"resize"})

    @extend_schema(responses={200: PoolSerializer(many=True), **errors()})
    def list(self, request: Request) -> Response:
        return Response(PoolSerializer(fleet.list_pools(), many=True).data)

    @extend_schema(responses={200: PoolSerializer, **errors(404)})
    def retrieve(self, request: Request, name: str) -> Response:
        fleet.get_pool(name)
        view = next(view for view in fleet.list_pools() if view.name == name)
        return Response(PoolSerializer(view).data)

    @extend_schema(request=ResizeSerializer, responses={200: PoolSerializer, **errors(400, 404, 429)})
    @action(detail=True, methods=["post"])
    def resize(self, request: Request, name: str) -> Response:
        body = ResizeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(
            PoolSerializer(fleet.resize_pool(name, body.validated_data["workers"], user=request.user)).data
        )


class FleetWorkerViewSet(ApiViewSet):
    serializer_class = FleetWorkerSerializer
    pagination_class = None
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    permission_map = permissions_for(list="view_fleet", stop="stop_worker")
    throttled_actions = frozenset({"stop"})

    @extend_schema(responses={200: FleetWorkerSerializer(many=True), **errors()})
    def list(self, request: Request) -> Response:
        return Response(FleetWorkerSerializer(fleet.live_workers(), many=True).data)

    @extend_schema(request=None, responses={200: FleetWorkerSerializer, **errors(404, 409, 429)})
    @action(detail=True, methods=["post"])
    def stop(self, request: Request, name: str) -> Response:
        return Response(FleetWorkerSerializer(fleet.stop_worker(name, user=request.user)).data)
