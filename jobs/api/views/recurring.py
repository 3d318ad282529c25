"""``/api/recurring-jobs/``: create, read, edit, delete, trigger, pause and resume schedules."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from jobs import services
from jobs.api.pagination import NameCursorPagination
from jobs.api.permissions import permissions_for
from jobs.api.schema import errors, extend_schema
from jobs.api.serializers import JobSerializer, RecurringJobSerializer, RecurringJobWriteSerializer
from jobs.api.views.base import VIA, ApiViewSet
from jobs.models import RecurringJob


class RecurringJobViewSet(ApiViewSet):
    serializer_class = RecurringJobSerializer
    pagination_class = NameCursorPagination
    lookup_value_regex = "[^/]+"
    permission_map = permissions_for(
        list="view_recurring_job",
        retrieve="view_recurring_job",
        create="create_recurring_job",
        partial_update="update_recurring_job",
        destroy="delete_recurring_job",
        trigger="trigger_recurring_job",
        pause="pause_recurring_job",
        resume="resume_recurring_job",
    )
    throttled_actions = frozenset({"create", "partial_update", "destroy", "trigger", "pause", "resume"})

    def get_queryset(self) -> QuerySet[RecurringJob]:
        return RecurringJob.objects.select_related("crontab", "interval", "clocked")

    @extend_schema(responses={200: RecurringJobSerializer(many=True), **errors(400)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RecurringJobSerializer(page, many=True).data)

    @extend_schema(
        request=RecurringJobWriteSerializer, responses={201: RecurringJobSerializer, **errors(400, 429)}
    )
    def create(self, request: Request) -> Response:
        body = RecurringJobWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rj = services.create_recurring_job(user=request.user, via=VIA, **body.validated_data)
        return Response(RecurringJobSerializer(rj).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: RecurringJobSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(RecurringJobSerializer(services.get_recurring_job(pk)).data)

    @extend_schema(
        request=RecurringJobWriteSerializer(partial=True),
        responses={200: RecurringJobSerializer, **errors(400, 404, 429)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        services.get_recurring_job(pk)
        body = RecurringJobWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        rj = services.update_recurring_job(pk, user=request.user, via=VIA, **body.validated_data)
        return Response(RecurringJobSerializer(services.get_recurring_job(rj.pk)).data)

    @extend_schema(responses={204: None, **errors(404, 429)})
    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_recurring_job(pk, user=request.user, via=VIA)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={201: JobSerializer, **errors(400, 404, 429)})
    @action(detail=True, methods=["post"])
    def trigger(self, request: Request, pk: str) -> Response:
        job = services.trigger_recurring_job(pk, user=request.user, via=VIA)
        return Response(JobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RecurringJobSerializer, **errors(404, 409, 429)})
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str) -> Response:
        rj = services.pause_recurring_job(pk, user=request.user, via=VIA)
        return Response(RecurringJobSerializer(rj).data)

    @extend_schema(request=None, responses={200: RecurringJobSerializer, **errors(404, 409, 429)})
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str) -> Response:
        rj = services.resume_recurring_job(pk, user=request.user, via=VIA)
        return Response(RecurringJobSerializer(rj).data)
