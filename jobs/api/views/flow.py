"""``/api/flow/``: limits and their usage, circuit breakers, forcing a breaker (issue 15).

``GET /api/flow/`` lists every limited task and queue with its usage now and every
breaker; ``GET /api/flow/breakers/<name>/`` one breaker; ``POST
/api/flow/breakers/<name>/open/`` and ``…/close/`` force it (``force_breaker``).
``/api/flow/overrides/`` lists, creates, edits and deletes the operators' overrides of
limits, audited like the admin's (``override_limits``).
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from jobs.api.pagination import CheckedCursorPagination
from jobs.api.permissions import permissions_for
from jobs.api.schema import errors, extend_schema
from jobs.api.serializers.base import StrictSerializer, text
from jobs.api.views.base import VIA, ApiViewSet
from jobs.models import FlowOverride
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


class FlowOverrideSerializer(serializers.ModelSerializer):
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = FlowOverride
        fields = ("id", *flow.OVERRIDE_FIELDS, "updated_at", "updated_by")
        read_only_fields = fields


MAX_CONCURRENCY = 2_147_483_647
"""The largest limit the column holds (every database's positive integer); 0 and below are the service's."""


class FlowOverrideWriteSerializer(StrictSerializer):
    """Types and sizes only: every rule (a known task, limits above 0, …) is the service's."""

    kind = serializers.ChoiceField(choices=FlowOverride.Kind.choices)
    name = text(FlowOverride, "name")
    concurrency = serializers.IntegerField(
        required=False, allow_null=True, max_value=MAX_CONCURRENCY, help_text="Null: as in code."
    )
    rate_limit = text(FlowOverride, "rate_limit", required=False, allow_blank=True, help_text='e.g. "100/m".')
    concurrency_key = text(
        FlowOverride,
        "concurrency_key",
        required=False,
        allow_blank=True,
        help_text="Parameter names, comma-separated.",
    )
    threshold = serializers.IntegerField(
        required=False,
        allow_null=True,
        max_value=MAX_CONCURRENCY,
        help_text="A breaker's failures within its window that open it; null: as in code.",
    )
    window = serializers.FloatField(
        required=False, allow_null=True, help_text="A breaker's window, seconds; null: as in code."
    )
    recovery = serializers.FloatField(
        required=False, allow_null=True, help_text="A breaker's recovery timeout, seconds; null: as in code."
    )


class OverrideCursorPagination(CheckedCursorPagination):
    ordering = ("id",)
    position_is_datetime = False
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class FlowOverrideViewSet(ApiViewSet):
    """Limits set by operators instead of those in code or settings; each change audited."""

    serializer_class = FlowOverrideSerializer
    pagination_class = OverrideCursorPagination
    lookup_value_regex = "[^/]+"
    permission_map = permissions_for(
        list="view_flow",
        retrieve="view_flow",
        create="override_limits",
        partial_update="override_limits",
        destroy="override_limits",
    )
    throttled_actions = frozenset({"create", "partial_update", "destroy"})

    def get_queryset(self) -> QuerySet[FlowOverride]:
        return flow.overrides()

    @extend_schema(responses={200: FlowOverrideSerializer(many=True), **errors(400)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(FlowOverrideSerializer(page, many=True).data)

    @extend_schema(
        request=FlowOverrideWriteSerializer,
        responses={201: FlowOverrideSerializer, **errors(400, 429)},
        description="Replaces the override of the same task or queue, if there is one.",
    )
    def create(self, request: Request) -> Response:
        body = FlowOverrideWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = flow.save_override(**body.validated_data, user=request.user, via=VIA)
        return Response(FlowOverrideSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: FlowOverrideSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(FlowOverrideSerializer(flow.get_override(pk)).data)

    @extend_schema(
        request=FlowOverrideWriteSerializer(partial=True),
        responses={200: FlowOverrideSerializer, **errors(400, 404, 429)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        flow.get_override(pk)
        body = FlowOverrideWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        row = flow.update_override(pk, user=request.user, via=VIA, **body.validated_data)
        return Response(FlowOverrideSerializer(row).data)

    @extend_schema(
        responses={204: None, **errors(404, 429)}, description="Back to the limits in code or settings."
    )
    def destroy(self, request: Request, pk: str) -> Response:
        flow.delete_override(pk, user=request.user, via=VIA)
        return Response(status=status.HTTP_204_NO_CONTENT)
