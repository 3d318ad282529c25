"""``/api/flow/``: limits and their usage, circuit breakers, forcing a breaker (issue 15).

``GET /api/flow/`` lists every limited task and queue with its usage now and every
breaker; ``GET /api/flow/breakers/<name>/`` one breaker; ``POST
/api/flow/breakers/<name>/open/`` and ``…/close/`` force it (``force_breaker``).
"""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from jobs.api.permissions import permissions_for
from jobs.api.schema import errors, extend_schema
from jobs.api.views.base import VIA, ApiViewSet
from jobs.services import flow


class ScopeSerializer(serializers.Serializer):
    scope = serializers.CharField()
    concurrency = serializers.IntegerField(allow_null=True)
    in_use = serializers.IntegerField()
    waiting = serializers.IntegerField()
    rate = serializers.CharField(allow_null=True)
    budget = serializers.IntegerField(allow_null=True, help_text="Starts left in the rate window now.")
    window_opens_in = serializers.FloatField(allow_null=True, help_text="Seconds until a start is free.")
    held_total = serializers.IntegerField()
    rate_limited_total = serializers.IntegerField()


class BreakerSerializer(serializers.Serializer):
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=["closed", "open", "half_open"])
    forced = serializers.BooleanField()
    until = serializers.DateTimeField(allow_null=True)
    opened_at = serializers.DateTimeField(allow_null=True)
    failures = serializers.IntegerField()
    threshold = serializers.IntegerField()
    window = serializers.FloatField()
    recovery = serializers.FloatField()
    ignore = serializers.ListField(child=serializers.CharField())


class TaskFlowSerializer(serializers.Serializer):
    task = serializers.CharField()
    concurrency = serializers.IntegerField(allow_null=True)
    concurrency_key = serializers.ListField(child=serializers.CharField())
    rate_limit = serializers.CharField(allow_null=True)
    unique_for = serializers.FloatField(allow_null=True)
    unique_key = serializers.ListField(child=serializers.CharField())
    breaker = serializers.CharField(allow_null=True)
    scopes = ScopeSerializer(many=True)


FlowSerializer = inline_serializer(
    "Flow",
    {
        "tasks": TaskFlowSerializer(many=True),
        "queues": ScopeSerializer(many=True),
        "breakers": BreakerSerializer(many=True),
    },
)


class FlowViewSet(ApiViewSet):
    lookup_value_regex = "[^/]+"
    permission_map = permissions_for(
        overview="view_flow", breaker="view_flow", open_breaker="force_breaker", close_breaker="force_breaker"
    )
    throttled_actions = frozenset({"open_breaker", "close_breaker"})

    @extend_schema(responses={200: FlowSerializer}, operation_id="flow_overview")
    def overview(self, request: Request) -> Response:
        """Every limited task and queue with its usage now, and every breaker."""
        overview = flow.flow_overview()
        return Response(
            {
                "tasks": TaskFlowSerializer(overview["tasks"], many=True).data,
                "queues": ScopeSerializer(overview["queues"], many=True).data,
                "breakers": BreakerSerializer(overview["breakers"], many=True).data,
            }
        )

    @extend_schema(responses={200: BreakerSerializer, **errors(404)})
    @action(detail=False, methods=["get"], url_path=r"breakers/(?P<name>[^/]+)")
    def breaker(self, request: Request, name: str) -> Response:
        return Response(BreakerSerializer(flow.breaker(name)).data)

    @extend_schema(request=None, responses={200: BreakerSerializer, **errors(404, 429)})
    @action(detail=False, methods=["post"], url_path=r"breakers/(?P<name>[^/]+)/open")
    def open_breaker(self, request: Request, name: str) -> Response:
        forced = flow.force_breaker(name, open=True, user=request.user, via=VIA)
        return Response(BreakerSerializer(forced).data)

    @extend_schema(request=None, responses={200: BreakerSerializer, **errors(404, 429)})
    @action(detail=False, methods=["post"], url_path=r"breakers/(?P<name>[^/]+)/close")
    def close_breaker(self, request: Request, name: str) -> Response:
        forced = flow.force_breaker(name, open=False, user=request.user, via=VIA)
        return Response(BreakerSerializer(forced).data)
