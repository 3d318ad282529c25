"""``/api/jobs/``: list, schedule (one or many), read, logs, retry, cancel, rerun, delete, bulk actions."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from jobs import services
from jobs.api.ordering import CheckedOrderingFilter
from jobs.api.pagination import JobCursorPagination, LogCursorPagination
from jobs.api.permissions import permissions_for
from jobs.api.schema import errors, extend_schema
from jobs.api.serializers import (
    BulkCancelSerializer,
    BulkDeleteSerializer,
    BulkIdsSerializer,
    BulkResultSerializer,
    BulkRetrySerializer,
    BulkScheduleSerializer,
    JobLogSerializer,
    JobSerializer,
    ScheduleJobSerializer,
)
from jobs.api.views.base import VIA, ApiViewSet
from jobs.models import Job, JobLog
from jobs.services import BulkResult
from jobs.services.filters import JobFilter

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Repeat a request with the same key (yours, for 24 h) and get the same job back.",
)

BULK_DONE = "Acts on each job by itself: ``done`` lists those it changed, ``refused`` the others and why."


class JobViewSet(ApiViewSet):
    serializer_class = JobSerializer
    pagination_class = JobCursorPagination
    filter_backends = [DjangoFilterBackend, CheckedOrderingFilter]
    filterset_class = JobFilter
    ordering_fields = ["created_at"]
    lookup_value_regex = "[^/]+"
    permission_map = permissions_for(
        list="view_job",
        retrieve="view_job",
        logs="view_job",
        create="schedule_job",
        bulk="schedule_job",
        rerun="rerun_job",
        retry="retry_job",
        cancel="cancel_job",
        destroy="delete_job",
        bulk_retry="retry_job",
        bulk_cancel="cancel_job",
        bulk_delete="delete_job",
    )
    throttled_actions = frozenset(
        {"create", "bulk", "rerun", "retry", "cancel", "destroy", "bulk_retry", "bulk_cancel", "bulk_delete"}
    )

    def get_queryset(self) -> QuerySet[Job]:
        return Job.objects.prefetch_related("depends_on")

    def get_object(self) -> Job:
        """Through the service, so a non-UUID id is the same 404 as an unknown one."""
        return services.get_job(self.kwargs["pk"])

    @extend_schema(responses={200: JobSerializer(many=True), **errors(400)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(JobSerializer(page, many=True).data)

    @extend_schema(
        request=ScheduleJobSerializer,
        responses={201: JobSerializer, **errors(400, 404, 409, 429)},
        parameters=[IDEMPOTENCY_KEY],
    )
    def create(self, request: Request) -> Response:
        body = ScheduleJobSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        options = services.options_from_request(body.validated_data)
        if "Idempotency-Key" in request.headers:  # flow control (issue 15)
            options["idempotency_key"] = request.headers["Idempotency-Key"]
        job = services.schedule_job(user=request.user, via=VIA, **options)
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
        requests = [services.options_from_request(item) for item in body.validated_data["jobs"]]
        jobs = services.schedule_jobs(requests, user=request.user, via=VIA)
        return Response(JobSerializer(jobs, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: JobSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(JobSerializer(self.get_object()).data)

    @extend_schema(
        responses={204: None, **errors(404, 409, 429)}, description="A running job: cancel it first."
    )
    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_job(pk, user=request.user, via=VIA)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: JobLogSerializer(many=True), **errors(400, 404)}, filters=False)
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

    @extend_schema(
        request=None,
        responses={201: JobSerializer, **errors(400, 404, 429)},
        description="Schedules a fresh copy (same task, arguments, queue), whatever the job's state.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def rerun(self, request: Request, pk: str) -> Response:
        job = services.rerun_job(pk, user=request.user, via=VIA)
        return Response(JobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=BulkRetrySerializer,
        responses={200: BulkResultSerializer, **errors(400, 429)},
        description=BULK_DONE,
    )
    @action(detail=False, methods=["post"], url_path="bulk-retry", pagination_class=None, filter_backends=[])
    def bulk_retry(self, request: Request) -> Response:
        return self._each(request, BulkRetrySerializer, services.retry_jobs)

    @extend_schema(
        request=BulkCancelSerializer,
        responses={200: BulkResultSerializer, **errors(400, 429)},
        description=BULK_DONE,
    )
    @action(detail=False, methods=["post"], url_path="bulk-cancel", pagination_class=None, filter_backends=[])
    def bulk_cancel(self, request: Request) -> Response:
        return self._each(request, BulkCancelSerializer, services.cancel_jobs)

    @extend_schema(
        request=BulkDeleteSerializer,
        responses={200: BulkResultSerializer, **errors(400, 429)},
        description=BULK_DONE,
    )
    @action(detail=False, methods=["post"], url_path="bulk-delete", pagination_class=None, filter_backends=[])
    def bulk_delete(self, request: Request) -> Response:
        return self._each(request, BulkDeleteSerializer, services.delete_jobs)

    def _each(
        self, request: Request, serializer: type[BulkIdsSerializer], service: Callable[..., BulkResult]
    ) -> Response:
        """A bulk action: parse the ids, hand them to the service, report what it did and refused."""
        body = serializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = service(body.validated_data["ids"], user=request.user, via=VIA)
        return Response(BulkResultSerializer(result).data)
