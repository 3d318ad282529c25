"""``/api/jobs/``: list, schedule (one or many), read, logs, retry, cancel."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from jobs import services
from jobs.api.pagination import JobCursorPagination, LogCursorPagination
from jobs.api.permissions import VIEW_JOB
from jobs.api.schema import errors
from jobs.api.serializers import (
    BulkScheduleSerializer,
    JobLogSerializer,
    JobSerializer,
    ScheduleJobSerializer,
)
from jobs.api.views.base import VIA, ApiViewSet
from jobs.models import Job, JobLog
from jobs.services.filters import JobFilter
from jobs.services.jobs import get_job


class JobViewSet(ApiViewSet):
    serializer_class = JobSerializer
    pagination_class = JobCursorPagination
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = JobFilter
    ordering_fields = ["created_at"]
    lookup_value_regex = "[^/]+"
    permission_map = {
        "list": VIEW_JOB,
        "retrieve": VIEW_JOB,
        "logs": VIEW_JOB,
        "create": "jobs.schedule_job",
        "bulk": "jobs.schedule_job",
        "retry": "jobs.retry_job",
        "cancel": "jobs.cancel_job",
    }
    throttled_actions = frozenset({"create", "bulk", "retry", "cancel"})

    def get_queryset(self) -> QuerySet[Job]:
        return Job.objects.prefetch_related("depends_on")

    def get_object(self) -> Job:
        """Through the service, so a non-UUID id is the same 404 as an unknown one."""
        return get_job(self.kwargs["pk"])

    @extend_schema(responses={200: JobSerializer(many=True), **errors(400, 404)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(JobSerializer(page, many=True).data)

    @extend_schema(request=ScheduleJobSerializer, responses={201: JobSerializer, **errors(400, 404, 429)})
    def create(self, request: Request) -> Response:
        body = ScheduleJobSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = services.schedule_job(user=request.user, via=VIA, **body.to_service())
        return Response(JobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=BulkScheduleSerializer,
        responses={201: JobSerializer(many=True), **errors(400, 404, 429)},
        description="Schedules every job or, when any one is refused, none.",
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def bulk(self, request: Request) -> Response:
        body = BulkScheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        requests = [ScheduleJobSerializer.service_options(item) for item in body.validated_data["jobs"]]
        jobs = services.schedule_jobs(requests, user=request.user, via=VIA)
        return Response(JobSerializer(jobs, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: JobSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(JobSerializer(self.get_object()).data)

    @extend_schema(responses={200: JobLogSerializer(many=True), **errors(404)}, filters=False)
    @action(detail=True, pagination_class=LogCursorPagination, filter_backends=[])
    def logs(self, request: Request, pk: str) -> Response:
        job = self.get_object()
        page = self.paginate_queryset(JobLog.objects.filter(job=job).select_related("user"))
        return self.get_paginated_response(JobLogSerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: JobSerializer, **errors(404, 409, 429)})
    @action(detail=True, methods=["post"], filter_backends=[])
    def retry(self, request: Request, pk: str) -> Response:
        return Response(JobSerializer(services.retry_job(pk, user=request.user, via=VIA)).data)

    @extend_schema(request=None, responses={200: JobSerializer, **errors(404, 409, 429)})
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request: Request, pk: str) -> Response:
        return Response(JobSerializer(services.cancel_job(pk, user=request.user, via=VIA)).data)
