"""``/api/tasks/``, ``/api/workers/``, ``/api/metrics/``, ``/api/health/``: read-only views."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.api.permissions import permissions_for
from jobs.api.schema import errors, extend_schema
from jobs.api.serializers import (
    HealthSerializer,
    LiveSerializer,
    QueueMetricsSerializer,
    TaskSerializer,
    WorkerSerializer,
)
from jobs.api.views.base import ApiViewSet
from jobs.core import registry
from jobs.monitoring import figures, health
from jobs.services import queries


class TaskViewSet(ApiViewSet):
    """The registered tasks: the only names that can be scheduled, with their defaults."""

    serializer_class = TaskSerializer
    pagination_class = None
    permission_map = permissions_for(list="view_job")

    @extend_schema(responses={200: TaskSerializer(many=True), **errors()})
    def list(self, request: Request) -> Response:
        tasks = sorted(registry.all_tasks(), key=lambda task: task.name)
        return Response(TaskSerializer([task.describe() for task in tasks], many=True).data)


class WorkerViewSet(ApiViewSet):
    serializer_class = WorkerSerializer
    pagination_class = None
    permission_map = permissions_for(list="view_queue")

    @extend_schema(responses={200: WorkerSerializer(many=True), **errors()})
    def list(self, request: Request) -> Response:
        return Response(WorkerSerializer(queries.list_workers(), many=True).data)


class MetricsViewSet(ApiViewSet):
    """Per queue: depth, throughput, success rate, run-time percentiles (seconds)."""

    serializer_class = QueueMetricsSerializer
    pagination_class = None
    permission_map = permissions_for(list="view_queue")

    @extend_schema(responses={200: QueueMetricsSerializer(many=True), **errors()})
    def list(self, request: Request) -> Response:
        return Response(QueueMetricsSerializer(figures.queue_metrics(), many=True).data)


class HealthViewSet(ApiViewSet):
    """Database, Redis, workers, scheduler: 200 when all pass, else 503 with the same body."""

    serializer_class = HealthSerializer
    pagination_class = None
    permission_map = permissions_for(list="view_queue")

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer, **errors()})
    def list(self, request: Request) -> Response:
        report = health.run_checks()
        code = status.HTTP_200_OK if report.ok else status.HTTP_503_SERVICE_UNAVAILABLE
        return Response(HealthSerializer(report.as_dict()).data, status=code)


class LiveView(APIView):
    """``/api/health/live``: this web process answers. No login, no details, no database or Redis.

    For a load balancer's probe, which has no token; what is healthy and what isn't
    is ``/api/health/``'s, behind the view permission.
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    schema = AutoSchema()

    @extend_schema(responses={200: LiveSerializer}, auth=[])
    def get(self, request: Request) -> Response:
        return Response(LiveSerializer({"ok": True}).data)
